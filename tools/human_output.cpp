// SPDX-License-Identifier: Apache-2.0
#include "tools/human_output.hpp"

#include <cstdio>

#include "protocols/common/idna.hpp"
#include "tls/host_address.hpp"

namespace mv::tool {

namespace {
std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return buf;
}

// An interrupted run has no verdict on the account: it stopped, it did not fail.
std::string failed_word(const Error& e) {
  return e.category == Category::interrupted ? "STOPPED" : "FAIL";
}
std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}
}  // namespace

namespace {
// A name in both forms when it has an A-label ("bücher.example = xn--bcher-kva.example"); an
// IPv6 address in brackets.
std::string both_forms(const std::string& name) {
  const std::size_t at = name.rfind('@');
  const std::string domain = at == std::string::npos ? name : name.substr(at + 1);
  const std::string unicode = domain_to_unicode(domain);
  if (unicode == domain) return at == std::string::npos ? display_host(name) : name;
  const std::string local = at == std::string::npos ? "" : name.substr(0, at + 1);
  return local + unicode + " (" + domain + ")";
}
}  // namespace

void print_settings_line(std::ostream& out, const RunConfig& config, const ProviderPreset* preset) {
  out << "verify-roundtrip: " << both_forms(config.email);
  if (preset) out << " (preset " << preset->name << ")";
  if (config.send)
    out << ", SMTP " << both_forms(config.smtp.endpoint.host) << ":" << config.smtp.endpoint.port
        << " (" << tls_mode_name(config.smtp.endpoint.tls) << ")";
  if (config.read_back)
    out << ", " << (config.receive == Receive::imap ? "IMAP " : "POP3 ")
        << both_forms(config.incoming.endpoint.host) << ":" << config.incoming.endpoint.port << " ("
        << tls_mode_name(config.incoming.endpoint.tls) << ")";
  out << "\n";
}

void print_human(std::ostream& out, const Report& report, const std::string& verdict_ok,
                 const TerminalStyle& style) {
  const bool color = style.color;
  const char* green = color ? "\033[32m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* yellow = color ? "\033[33m" : "";
  const char* reset = color ? "\033[0m" : "";
  for (const StepRecord& s : report.steps) {
    out << "  " << (s.ok ? green : red) << (s.ok ? style.ok_mark() : style.fail_mark()) << reset
        << " " << pad(s.name, 16) << " " << pad(format_ms(s.ms), 9) << " " << s.detail << "\n";
  }
  for (const std::string& w : report.warnings)
    out << "  " << yellow << "!" << reset << " " << w << "\n";
  if (report.ok()) {
    out << green << "PASS" << reset << " " << verdict_ok << " (" << format_ms(report.total_ms)
        << " in all)\n";
    return;
  }
  const Error& e = report.error;
  out << red << failed_word(e) << reset << " at " << (e.step.empty() ? "start" : e.step) << ": "
      << e.detail << " [" << e.code << "]\n";
  if (!e.server_says.empty()) out << "  server said: " << e.server_says << "\n";
  if (!e.cause.empty()) out << "  cause: " << e.cause << "\n";
  if (!e.fix.empty()) out << "  fix:   " << e.fix << "\n";
}

std::string account_line(const std::string& label, const Report& report) {
  std::string line = (report.ok() ? "OK " : failed_word(report.error) + " ") + label + " " +
                     format_ms(report.total_ms);
  if (!report.ok()) line += " " + report.error.code + ": " + report.error.detail;
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return line;
}

}  // namespace mv::tool

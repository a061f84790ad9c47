// SPDX-License-Identifier: Apache-2.0
#include "tools/prometheus_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>

#include "tools/exit_codes.hpp"
#include "tools/plugin_range.hpp"

namespace mv::tool {

namespace {

// A label value: backslash, double quote and line feed escaped, as the format requires.
std::string label_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// One metric family: HELP and TYPE, then one sample per account (and per extra label) that has
// a value.
class Family {
 public:
  Family(std::string& out, const char* name, const char* help) : out_(out), name_(name) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  }
  void sample(const std::string& account, const std::string& more_labels, double value,
              int decimals = 6) {
    out_ += name_ + "{account=\"" + label_value(account) + "\"" + more_labels + "} " +
            plugin_number(value, decimals) + "\n";
  }

 private:
  std::string& out_;
  std::string name_;
};

}  // namespace

std::string render_prometheus(const std::vector<PrometheusAccount>& accounts) {
  std::string out;
  auto each = [&](const char* name, const char* help,
                  const std::function<void(Family&, const PrometheusAccount&)>& fill) {
    Family f(out, name, help);
    for (const PrometheusAccount& a : accounts)
      fill(f, a);
  };
  each("mailverify_probe_success", "Whether the mail round trip passed (1) or not (0).",
       [](Family& f, const PrometheusAccount& a) {
         f.sample(a.label, "", a.result.report.ok() ? 1 : 0);
       });
  each("mailverify_probe_duration_seconds", "How long the whole check took, in seconds.",
       [](Family& f, const PrometheusAccount& a) {
         f.sample(a.label, "", a.result.report.total_ms / 1000.0);
       });
  each("mailverify_probe_phase_duration_seconds",
       "Seconds spent in each step of the check (smtp.connect, smtp.tls, imap.auth, ...).",
       [](Family& f, const PrometheusAccount& a) {
         for (const auto& [phase, ms] : step_totals(a.result.report))
           f.sample(a.label, ",phase=\"" + label_value(phase) + "\"", ms / 1000.0);
       });
  each("mailverify_probe_delivery_seconds",
       "Seconds from the SMTP server's acceptance to the message seen in the mailbox.",
       [](Family& f, const PrometheusAccount& a) {
         if (a.result.delivery_ms) f.sample(a.label, "", *a.result.delivery_ms / 1000.0);
       });
  each("mailverify_probe_ssl_earliest_cert_expiry",
       "The earliest expiry of the servers' certificates, as a Unix timestamp.",
       [](Family& f, const PrometheusAccount& a) {
         std::int64_t earliest = 0;
         for (const TlsFact& t : a.result.report.tls)
           if (t.not_after && (!earliest || t.not_after < earliest)) earliest = t.not_after;
         if (earliest) f.sample(a.label, "", static_cast<double>(earliest), 0);
       });
  each("mailverify_probe_exit_code", "The exit code verify-roundtrip would end with (0: passed).",
       [](Family& f, const PrometheusAccount& a) {
         f.sample(a.label, "", exit_code_for(a.result.report.error), 0);
       });
  each("mailverify_probe_last_run_timestamp_seconds", "When the check began, as a Unix timestamp.",
       [](Family& f, const PrometheusAccount& a) {
         f.sample(a.label, "", static_cast<double>(a.result.report.started_at_ms) / 1000.0, 3);
       });
  each("mailverify_probe_error",
       "1 for a failed check, labelled with the error's category and stable code.",
       [](Family& f, const PrometheusAccount& a) {
         const Error& e = a.result.report.error;
         if (e)
           f.sample(a.label,
                    ",category=\"" + label_value(category_name(e.category)) + "\",code=\"" +
                        label_value(e.code) + "\"",
                    1);
       });
  return out;
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string temp = dir + "." + base + ".tmp." + std::to_string(::getpid());
  auto failed = [&](const char* what) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    return "--prometheus " + path + ": cannot " + what + " (" + why + ")";
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return "--prometheus " + path + ": cannot create " + temp + " (" + std::strerror(errno) + ")";
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return failed("write it");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return failed("write it");
  }
  if (::close(fd) != 0) return failed("write it");
  if (::rename(temp.c_str(), path.c_str()) != 0) return failed("replace it");
  return {};
}

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
#include "tools/json_output.hpp"

#include <time.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "tools/version.hpp"

namespace mv::tool {

namespace {

constexpr int kSchemaVersion = 1;

// Length of the valid UTF-8 sequence starting at s[i] (shortest form, no surrogates, at most
// U+10FFFF); 0 when the bytes there are not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

void append_u_escape(std::string& out, unsigned code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", code);
  out += buf;
}

// Milliseconds: always with one decimal, so every reader sees one number type.
std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The rule for absent values: null, never "" (nor 0 for a time that was not measured).
std::string text_or_null(std::string_view s) {
  return s.empty() ? "null" : json_quote(s);
}

std::string settings_of(const Endpoint& e, std::string_view protocol) {
  return "{\"protocol\":" + json_quote(protocol) + ",\"host\":" + json_quote(e.host) +
         ",\"port\":" + std::to_string(e.port) + ",\"tls\":" + json_quote(tls_mode_name(e.tls)) +
         "}";
}

std::string error_of(const Error& e) {
  if (!e) return "null";
  return "{\"category\":" + json_quote(category_name(e.category)) +
         ",\"code\":" + json_quote(e.code) + ",\"step\":" + text_or_null(e.step) +
         ",\"detail\":" + json_quote(e.detail) + ",\"server_says\":" + text_or_null(e.server_says) +
         ",\"cause\":" + text_or_null(e.cause) + ",\"fix\":" + text_or_null(e.fix) + "}";
}

// "host:port" or "[v6]:port" as the connector prints it, as an address and a port.
std::string peer_of(const PeerFact& p) {
  const std::size_t colon = p.address.rfind(':');
  std::string host = p.address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = colon == std::string::npos ? "" : p.address.substr(colon + 1);
  const bool numeric = !port.empty() && port.size() <= 5 &&
                       port.find_first_not_of("0123456789") == std::string::npos;
  return "{\"session\":" + json_quote(p.session) + ",\"address\":" + json_quote(host) +
         ",\"port\":" + (numeric ? port : std::string("null")) + "}";
}

std::string array_of(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "]";
}

// The fields every document starts with.
std::string header(bool ok) {
  return "{\"schema_version\":" + std::to_string(kSchemaVersion) +
         ",\"tool\":\"verify-roundtrip\",\"tool_version\":" + json_quote(tool_version()) +
         ",\"ok\":" + (ok ? "true" : "false");
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      append_u_escape(out, c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (std::size_t n = utf8_sequence_length(s, i); n > 0) {
      // U+2028 and U+2029 are valid JSON but end lines in JavaScript: escape them too.
      if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
        append_u_escape(out, 0x2000u | (static_cast<unsigned char>(s[i + 2]) & 0x3Fu));
      } else {
        out.append(s.substr(i, n));
      }
      i += n;
      continue;
    } else {
      append_u_escape(out, c);  // not UTF-8: keep the byte visible as its Latin-1 reading
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string rfc3339_utc(std::int64_t unix_ms, bool with_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (with_ms) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(unix_ms % 1000));
    out += buf;
  }
  return out + "Z";
}

std::string render_json(const JsonRun& run, std::string_view discovery) {
  const RunConfig& config = run.config;
  const RunResult& result = run.result;
  const Report& report = result.report;
  std::string j = header(report.ok());
  j += ",\"name\":" + text_or_null(run.name) + ",\"email\":" + json_quote(config.email);
  j += ",\"started_at\":";
  j += report.started_at_ms ? json_quote(rfc3339_utc(report.started_at_ms, true)) : "null";
  j += ",\"settings\":{\"preset\":";
  j += run.preset ? json_quote(run.preset->name) : "null";
  j += ",\"smtp\":";
  // A server without a host (settings discovery found none) is null, as one the run does not use.
  j += config.send && !config.smtp.endpoint.host.empty() ? settings_of(config.smtp.endpoint, "smtp")
                                                         : "null";
  j += ",\"incoming\":";
  j +=
      config.read_back && !config.incoming.endpoint.host.empty()
          ? settings_of(config.incoming.endpoint, config.receive == Receive::imap ? "imap" : "pop3")
          : "null";
  j += "},\"token\":" + text_or_null(result.token);
  j += ",\"message_id\":" + text_or_null(result.message_id);
  j += ",\"body_digest\":" + text_or_null(result.body_digest);
  j += ",\"queue_id\":" + text_or_null(result.queue_id);
  j += ",\"delivery_ms\":";
  j += result.delivery_ms ? number(*result.delivery_ms) : "null";
  j += ",\"total_ms\":" + number(report.total_ms);
  std::vector<std::string> items;
  for (const StepRecord& s : report.steps)
    items.push_back("{\"name\":" + json_quote(s.name) + ",\"ok\":" + (s.ok ? "true" : "false") +
                    ",\"ms\":" + number(s.ms) + ",\"detail\":" + text_or_null(s.detail) + "}");
  j += ",\"steps\":" + array_of(items);
  items.clear();
  for (const PeerFact& p : report.peers)
    items.push_back(peer_of(p));
  j += ",\"peers\":" + array_of(items);
  items.clear();
  for (const TlsFact& t : report.tls)
    items.push_back(
        "{\"session\":" + json_quote(t.session) + ",\"version\":" + text_or_null(t.version) +
        ",\"cipher\":" + text_or_null(t.cipher) + ",\"subject\":" + text_or_null(t.subject) +
        ",\"issuer\":" + text_or_null(t.issuer) +
        ",\"days_to_expiry\":" + std::to_string(t.days_to_expiry) + ",\"not_after\":" +
        (t.not_after ? json_quote(rfc3339_utc(t.not_after * 1000, false)) : "null") +
        ",\"verified\":" + (t.verified ? "true" : "false") +
        ",\"resumed\":" + (t.resumed ? "true" : "false") + "}");
  j += ",\"tls\":" + array_of(items);
  items.clear();
  for (const auto* list : {&report.warnings, &run.tool_warnings})
    for (const std::string& w : *list)
      items.push_back(json_quote(w));
  j += ",\"warnings\":" + array_of(items);
  if (!discovery.empty()) j += ",\"discovery\":" + std::string(discovery);
  j += ",\"error\":" + error_of(report.error);
  j += ",\"exit_code\":" + std::to_string(run.exit_code) + "}";
  return j;
}

std::string render_json_without_run(const Error& error, int exit_code) {
  return header(false) +
         ",\"name\":null,\"email\":null,\"started_at\":null,\"settings\":null,\"token\":null,"
         "\"message_id\":null,\"body_digest\":null,\"queue_id\":null,\"delivery_ms\":null,"
         "\"total_ms\":null,\"steps\":[],\"peers\":[],\"tls\":[],\"warnings\":[],\"error\":" +
         error_of(error) + ",\"exit_code\":" + std::to_string(exit_code) + "}";
}

std::string render_json_usage_error(const std::string& message, int exit_code) {
  Error e = make_error(ErrorKind::usage, Protocol::none, message);
  e.fix = "see verify-roundtrip --help";
  return render_json_without_run(e, exit_code);
}

}  // namespace mv::tool

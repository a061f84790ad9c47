// SPDX-License-Identifier: Apache-2.0
#include "tools/json_output.hpp"

#include <cmath>
#include <cstdio>

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

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string settings_of(const Endpoint& e, std::string_view protocol) {
  return "{\"protocol\":" + json_quote(protocol) + ",\"host\":" + json_quote(e.host) +
         ",\"port\":" + std::to_string(e.port) + ",\"tls\":" + json_quote(tls_mode_name(e.tls)) +
         "}";
}

std::string error_of(const Error& e) {
  if (!e) return "null";
  return "{\"category\":" + json_quote(category_name(e.category)) +
         ",\"code\":" + json_quote(e.code) + ",\"step\":" + json_quote(e.step) +
         ",\"detail\":" + json_quote(e.detail) + ",\"server_says\":" + json_quote(e.server_says) +
         ",\"cause\":" + json_quote(e.cause) + ",\"fix\":" + json_quote(e.fix) + "}";
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

std::string render_json(const JsonRun& run) {
  const RunConfig& config = run.config;
  const Report& report = run.result.report;
  std::string j = "{\"schema_version\":" + std::to_string(kSchemaVersion) +
                  ",\"tool\":\"verify-roundtrip\",\"tool_version\":" + json_quote(tool_version()) +
                  ",\"ok\":" + (report.ok() ? "true" : "false") +
                  ",\"email\":" + json_quote(config.email);
  j += ",\"settings\":{\"preset\":";
  j += run.preset ? json_quote(run.preset->name) : "null";
  j += ",\"smtp\":";
  j += config.send ? settings_of(config.smtp.endpoint, "smtp") : "null";
  j += ",\"incoming\":";
  j += config.read_back ? settings_of(config.incoming.endpoint,
                                      config.receive == Receive::imap ? "imap" : "pop3")
                        : "null";
  j += "},\"token\":";
  j += run.result.token.empty() ? "null" : json_quote(run.result.token);
  j += ",\"delivery_ms\":";
  j += run.result.delivery_ms ? number(*run.result.delivery_ms) : "null";
  j += ",\"total_ms\":" + number(report.total_ms);
  j += ",\"steps\":[";
  for (std::size_t i = 0; i < report.steps.size(); ++i) {
    const StepRecord& s = report.steps[i];
    if (i) j += ',';
    j += "{\"name\":" + json_quote(s.name) + ",\"ok\":" + (s.ok ? "true" : "false") +
         ",\"ms\":" + number(s.ms) + ",\"detail\":" + json_quote(s.detail) + "}";
  }
  j += "],\"tls\":[";
  for (std::size_t i = 0; i < report.tls.size(); ++i) {
    const TlsFact& t = report.tls[i];
    if (i) j += ',';
    j += "{\"session\":" + json_quote(t.session) + ",\"version\":" + json_quote(t.version) +
         ",\"cipher\":" + json_quote(t.cipher) + ",\"subject\":" + json_quote(t.subject) +
         ",\"issuer\":" + json_quote(t.issuer) +
         ",\"days_to_expiry\":" + std::to_string(t.days_to_expiry) +
         ",\"verified\":" + (t.verified ? "true" : "false") +
         ",\"resumed\":" + (t.resumed ? "true" : "false") + "}";
  }
  j += "],\"warnings\":[";
  bool first = true;
  for (const auto* list : {&report.warnings, &run.tool_warnings}) {
    for (const std::string& w : *list) {
      if (!first) j += ',';
      first = false;
      j += json_quote(w);
    }
  }
  j += "],\"error\":" + error_of(report.error);
  j += ",\"exit_code\":" + std::to_string(run.exit_code) + "}";
  return j;
}

std::string render_json_usage_error(const std::string& message, int exit_code) {
  Error e = make_error(Category::usage, "usage", message);
  e.fix = "see verify-roundtrip --help";
  return "{\"schema_version\":" + std::to_string(kSchemaVersion) +
         ",\"tool\":\"verify-roundtrip\",\"tool_version\":" + json_quote(tool_version()) +
         ",\"ok\":false,\"email\":null,\"settings\":null,"
         "\"token\":null,\"delivery_ms\":null,\"total_ms\":0,\"steps\":[],\"tls\":[],\"warnings\":["
         "],"
         "\"error\":" +
         error_of(e) + ",\"exit_code\":" + std::to_string(exit_code) + "}";
}

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
// --json and --nagios renderings of a Report: the JSON is parsed back by a small strict parser
// (RFC 8259 grammar, valid UTF-8) and checked field by field; the Nagios line is checked against
// the monitoring-plugins format and its exit codes.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <regex>
#include <variant>

#include "tools/json_output.hpp"
#include "tools/nagios_output.hpp"
#include "tools/verdict.hpp"
#include "tools/version.hpp"

namespace mv::tool {

namespace {

// ---- a minimal strict JSON parser (for the test only) ----
struct Json;
using JsonObject = std::map<std::string, Json>;
using JsonArray = std::vector<Json>;
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, JsonArray, JsonObject> v;
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
  const Json& operator[](const std::string& key) const {
    const auto& o = std::get<JsonObject>(v);
    auto it = o.find(key);
    REQUIRE_MESSAGE(it != o.end(), "missing key " << key);
    return it->second;
  }
  const Json& operator[](std::size_t i) const { return std::get<JsonArray>(v).at(i); }
  const std::string& str() const { return std::get<std::string>(v); }
  double num() const { return std::get<double>(v); }
  bool boolean() const { return std::get<bool>(v); }
  std::size_t size() const {
    return std::holds_alternative<JsonArray>(v) ? std::get<JsonArray>(v).size()
                                                : std::get<JsonObject>(v).size();
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}
  // nullopt and error_ set when the text is not exactly one valid JSON document.
  std::optional<Json> parse() {
    Json j;
    if (!value(j, 0)) return std::nullopt;
    ws();
    if (i_ != s_.size()) {
      fail("trailing bytes");
      return std::nullopt;
    }
    return j;
  }
  std::string error_;

 private:
  bool fail(std::string why) {
    if (error_.empty()) error_ = why + " at " + std::to_string(i_);
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool value(Json& out, int depth) {
    if (depth > 64) return fail("too deep");
    ws();
    if (i_ >= s_.size()) return fail("end of input");
    char c = s_[i_];
    if (c == '{') {
      ++i_;
      JsonObject o;
      ws();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        out.v = std::move(o);
        return true;
      }
      for (;;) {
        ws();
        std::string key;
        if (i_ >= s_.size() || s_[i_] != '"' || !string(key)) return fail("key expected");
        ws();
        if (!lit(":")) return fail("':' expected");
        Json member;
        if (!value(member, depth + 1)) return false;
        if (!o.emplace(key, std::move(member)).second) return fail("duplicate key " + key);
        ws();
        if (lit(",")) continue;
        if (lit("}")) break;
        return fail("',' or '}' expected");
      }
      out.v = std::move(o);
      return true;
    }
    if (c == '[') {
      ++i_;
      JsonArray a;
      ws();
      if (lit("]")) {
        out.v = std::move(a);
        return true;
      }
      for (;;) {
        Json item;
        if (!value(item, depth + 1)) return false;
        a.push_back(std::move(item));
        ws();
        if (lit(",")) continue;
        if (lit("]")) break;
        return fail("',' or ']' expected");
      }
      out.v = std::move(a);
      return true;
    }
    if (c == '"') {
      std::string str;
      if (!string(str)) return false;
      out.v = std::move(str);
      return true;
    }
    if (lit("true")) return out.v = true, true;
    if (lit("false")) return out.v = false, true;
    if (lit("null")) return out.v = nullptr, true;
    return number(out);
  }
  bool number(Json& out) {
    static const std::regex re(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
    std::cmatch m;
    std::string rest(s_.substr(i_, 64));
    if (!std::regex_search(rest.c_str(), m, re) || m.length(0) == 0) return fail("bad value");
    out.v = std::stod(m.str(0));
    i_ += static_cast<std::size_t>(m.length(0));
    return true;
  }
  bool string(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return fail("raw control character in string");
      if (c == '\\') {
        if (++i_ >= s_.size()) break;
        char e = s_[i_++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            if (i_ + 4 > s_.size()) return fail("short \\u");
            unsigned code =
                static_cast<unsigned>(std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16));
            i_ += 4;
            if (code >= 0xD800 && code <= 0xDFFF) return fail("surrogate");
            if (code < 0x80) {
              out += static_cast<char>(code);
            } else if (code < 0x800) {
              out += static_cast<char>(0xC0 | (code >> 6));
              out += static_cast<char>(0x80 | (code & 0x3F));
            } else {
              out += static_cast<char>(0xE0 | (code >> 12));
              out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (code & 0x3F));
            }
            break;
          }
          default:
            return fail("bad escape");
        }
        continue;
      }
      if (c >= 0x80) {  // must be valid UTF-8
        std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || c > 0xF4 || i_ + n > s_.size()) return fail("bad UTF-8 lead byte");
        for (std::size_t k = 1; k < n; ++k)
          if ((static_cast<unsigned char>(s_[i_ + k]) & 0xC0) != 0x80)
            return fail("bad UTF-8 continuation");
        out.append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      out += static_cast<char>(c);
      ++i_;
    }
    return fail("unterminated string");
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

Json parse_json(const std::string& text) {
  JsonParser p(text);
  auto j = p.parse();
  INFO(text);
  REQUIRE_MESSAGE(j.has_value(), p.error_);
  return *j;
}

RunConfig sample_config() {
  RunConfig c;
  c.email = "alice@example.com";
  c.smtp.endpoint.host = "smtp.example.com";
  c.smtp.endpoint.port = 587;
  c.smtp.endpoint.tls = TlsMode::starttls;
  c.incoming.endpoint.host = "imap.example.com";
  c.incoming.endpoint.port = 993;
  c.incoming.endpoint.tls = TlsMode::implicit;
  return c;
}

RunResult passed_result() {
  RunResult r;
  r.token = "Tok3n";
  r.delivery_ms = 59;
  r.report.add_step("smtp.connect", 1.5, "connected to 192.0.2.1:587");
  r.report.add_step("smtp.tls", 12, "TLSv1.3 X, issuer CN=CA, expires in 40 days");
  r.report.tls.push_back({"smtp", "TLSv1.3", "X", "CN=mx", "CN=CA", 40, true});
  r.report.add_step("smtp.auth", 3, "mechanism PLAIN");
  r.report.add_step("imap.tls", 9.5, "TLSv1.3 X, issuer CN=CA, expires in 12 days");
  r.report.tls.push_back({"imap", "TLSv1.3", "X", "CN=imap", "CN=CA", 12, true});
  r.report.add_step("imap.fetch", 1.25, "uid 92");
  r.report.total_ms = 113.4;
  return r;
}

RunResult failed_result() {
  RunResult r = passed_result();
  r.delivery_ms.reset();
  r.report.steps.back().ok = false;
  r.report.error = make_error(ErrorKind::auth_failed, Protocol::imap, "the server refused LOGIN",
                              "NO [AUTHENTICATIONFAILED] Authentication failed.");
  r.report.error.step = "imap.auth";
  r.report.error.cause = "wrong user name or password";
  r.report.error.fix = "check the password";
  return r;
}

// The monitoring-plugins output: "SERVICE STATUS - text |
// 'label'=value[UOM];[warn];[crit];[min];[max] ..."
const std::regex kPluginLine(
    R"(^MAILVERIFY (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| ([A-Za-z0-9_.]+=-?[0-9.]+(ms|s|%|B|KB|MB|TB|c)?(;[0-9.:~@-]*){0,4})( [A-Za-z0-9_.]+=-?[0-9.]+(ms|s|%|B|KB|MB|TB|c)?(;[0-9.:~@-]*){0,4})*)?$)");

}  // namespace

TEST_CASE("json: a passed run parses back with every field") {
  RunConfig c = sample_config();
  RunResult r = passed_result();
  std::vector<std::string> tool_warnings = {"smtp.live.com is a retired server name"};
  Json j = parse_json(render_json({c, r, preset_by_name("gmail"), tool_warnings, 0, ""}));
  CHECK(j["schema_version"].num() == 1);
  CHECK(j["tool"].str() == "verify-roundtrip");
  CHECK(j["tool_version"].str() == mv::tool::tool_version());
  CHECK_FALSE(j["tool_version"].str().empty());
  CHECK(j["ok"].boolean());
  CHECK(j["email"].str() == "alice@example.com");
  CHECK(j["settings"]["preset"].str() == "gmail");
  CHECK(j["settings"]["smtp"]["host"].str() == "smtp.example.com");
  CHECK(j["settings"]["smtp"]["port"].num() == 587);
  CHECK(j["settings"]["smtp"]["tls"].str() == "starttls");
  CHECK(j["settings"]["incoming"]["protocol"].str() == "imap");
  CHECK(j["settings"]["incoming"]["tls"].str() == "implicit");
  CHECK(j["token"].str() == "Tok3n");
  CHECK(j["delivery_ms"].num() == doctest::Approx(59));
  CHECK(j["total_ms"].num() == doctest::Approx(113.4));
  REQUIRE(j["steps"].size() == 5);
  CHECK(j["steps"][0]["name"].str() == "smtp.connect");
  CHECK(j["steps"][0]["ok"].boolean());
  CHECK(j["steps"][0]["ms"].num() == doctest::Approx(1.5));
  CHECK(j["steps"][0]["detail"].str() == "connected to 192.0.2.1:587");
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0].str() == tool_warnings[0]);
  CHECK(j["error"].is_null());
  CHECK(j["exit_code"].num() == 0);
  CHECK(j["name"].is_null());
  CHECK(j["started_at"].is_null());  // not set by this sample: null, not ""
  CHECK(j["message_id"].is_null());
  CHECK(j["queue_id"].is_null());
  REQUIRE(j["tls"].size() == 2);
  CHECK(j["tls"][0]["not_after"].is_null());
  CHECK(j["tls"][0]["days_to_expiry"].num() == 40);
  CHECK(j["peers"].size() == 0);

  r.report.started_at_ms = 1796000000123;  // 2026-11-30T00:53:20.123Z
  r.report.tls[0].not_after = 1796083200;  // 2026-12-01T00:00:00Z
  r.report.peers.push_back({"smtp", "192.0.2.1:587"});
  r.report.peers.push_back({"imap", "[2001:db8::1]:993"});
  r.report.steps[1].detail.clear();
  r.message_id = "<x@example.com>";
  r.body_digest = "sha256:ab";
  r.queue_id = "4AbC";
  Json k = parse_json(render_json({c, r, nullptr, {}, 0, "alice"}));
  CHECK(k["name"].str() == "alice");
  CHECK(k["started_at"].str() == "2026-11-30T00:53:20.123Z");
  CHECK(k["tls"][0]["not_after"].str() == "2026-12-01T00:00:00Z");
  CHECK(k["peers"][0]["address"].str() == "192.0.2.1");
  CHECK(k["peers"][0]["port"].num() == 587);
  CHECK(k["peers"][1]["address"].str() == "2001:db8::1");
  CHECK(k["peers"][1]["session"].str() == "imap");
  CHECK(k["steps"][1]["detail"].is_null());
  CHECK(k["message_id"].str() == "<x@example.com>");
  CHECK(k["body_digest"].str() == "sha256:ab");
  CHECK(k["queue_id"].str() == "4AbC");
}

TEST_CASE("json: a failed run carries the error with its diagnosis; send-only has no incoming") {
  RunConfig c = sample_config();
  c.read_back = false;
  RunResult r = failed_result();
  r.token.clear();
  Json j = parse_json(render_json({c, r, nullptr, {}, 5, "work"}));
  CHECK_FALSE(j["ok"].boolean());
  CHECK(j["settings"]["preset"].is_null());
  CHECK(j["settings"]["incoming"].is_null());
  CHECK(j["token"].is_null());
  CHECK(j["delivery_ms"].is_null());
  CHECK_FALSE(j["steps"][4]["ok"].boolean());
  const Json& e = j["error"];
  CHECK(e["category"].str() == "auth");
  CHECK(e["code"].str() == "imap.auth_failed");
  CHECK(e["step"].str() == "imap.auth");
  CHECK(e["detail"].str() == "the server refused LOGIN");
  CHECK(e["server_says"].str() == "NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK(e["cause"].str() == "wrong user name or password");
  CHECK(e["fix"].str() == "check the password");
  CHECK(j["exit_code"].num() == 5);

  CHECK(j["name"].str() == "work");
  r.report.error.server_says.clear();
  r.report.error.cause.clear();
  Json n = parse_json(render_json({c, r, nullptr, {}, 5, ""}));
  CHECK(n["error"]["server_says"].is_null());  // absent inside error too: null, never ""
  CHECK(n["error"]["cause"].is_null());

  Json u = parse_json(render_json_usage_error("--email is required", 2));
  CHECK_FALSE(u["ok"].boolean());
  CHECK(u["total_ms"].is_null());
  CHECK(u["error"]["step"].is_null());
  CHECK(u["error"]["category"].str() == "usage");
  CHECK(u["error"]["detail"].str() == "--email is required");
  CHECK(u["tool_version"].str() == mv::tool::tool_version());
  CHECK(u["exit_code"].num() == 2);
}

TEST_CASE("json: strings escape control characters and keep the document valid UTF-8") {
  CHECK(json_quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_quote("line\r\n\tx") == R"("line\r\n\tx")");
  CHECK(json_quote(std::string("nul\0bell\x07"
                               "del\x7f",
                               13)) == R"("nul\u0000bell\u0007del\u007f")");
  CHECK(json_quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7") ==
        "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7\"");
  CHECK(json_quote("\xFF\xC3") == R"("\u00ff\u00c3")");            // not UTF-8: escaped bytes
  CHECK(json_quote("\xC0\xAF") == R"("\u00c0\u00af")");            // overlong
  CHECK(json_quote("\xED\xA0\x80") == R"("\u00ed\u00a0\u0080")");  // a surrogate
  CHECK(json_quote("\xE2\x80\xA8") == R"("\u2028")");

  // A step detail with every byte value still parses back.
  std::string all_bytes;
  for (int b = 0; b < 256; ++b)
    all_bytes += static_cast<char>(b);
  RunConfig c = sample_config();
  RunResult r = passed_result();
  r.report.steps[0].detail = all_bytes;
  r.report.warnings.push_back(
      "server said \"\x1b[31m"
      "red\" \xF0\x9F");
  Json j = parse_json(render_json({c, r, nullptr, {}, 0, ""}));
  const std::string& back = j["steps"][0]["detail"].str();
  CHECK(back.substr(0, 128) == all_bytes.substr(0, 128));  // ASCII round-trips exactly
  CHECK(j["warnings"][0].str().find("red") != std::string::npos);
}

TEST_CASE("nagios: OK line, perfdata in seconds for every step, session and the total") {
  RunConfig c = sample_config();
  RunResult r = passed_result();
  NagiosVerdict v = render_nagios(c, r, {});
  INFO(v.line);
  CHECK(v.exit_code == kNagiosOk);
  CHECK(std::regex_match(v.line, kPluginLine));
  CHECK(v.line.rfind("MAILVERIFY OK - alice@example.com: round trip complete", 0) == 0);
  CHECK(v.line.find(" | smtp.connect=0.0015s;;;0 smtp.tls=0.012s;;;0 smtp.auth=0.003s;;;0 "
                    "imap.tls=0.0095s;;;0 imap.fetch=0.00125s;;;0 ") != std::string::npos);
  CHECK(v.line.find(" smtp=0.0165s;;;0") != std::string::npos);
  CHECK(v.line.find(" imap=0.01075s;;;0") != std::string::npos);
  CHECK(v.line.find(" delivery=0.059s;;;0") != std::string::npos);
  CHECK(v.line.find(" total=0.1134s;;;0") != std::string::npos);
  // The fewest days of all sessions, with the default warning threshold filled in.
  CHECK(v.line.find(" cert_days=12;14:;") != std::string::npos);
  CHECK(v.line.find('\n') == std::string::npos);
}

TEST_CASE("nagios: ranges for the total and the delivery set the status and fill perfdata") {
  RunConfig c = sample_config();  // total 0.1134 s, delivery 0.059 s
  std::string error;
  auto range = [&](const char* text) {
    std::optional<PluginRange> r = parse_range(text, error);
    REQUIRE_MESSAGE(r, error);
    return *r;
  };
  NagiosThresholds t;
  t.warning = range("0.1");  // outside 0..0.1: warning
  t.critical = range("5");
  NagiosVerdict slow = render_nagios(c, passed_result(), t);
  INFO(slow.line);
  CHECK(slow.exit_code == kNagiosWarning);
  CHECK(std::regex_match(slow.line, kPluginLine));
  CHECK(slow.line.find("took 0.113 s (warning range 0.1)") != std::string::npos);
  CHECK(slow.line.find(" total=0.1134s;0.1;5;0") != std::string::npos);

  t.warning = range("@0.1:0.2");  // inside: warning
  CHECK(render_nagios(c, passed_result(), t).exit_code == kNagiosWarning);
  t.warning = range("@0.2:0.3");
  CHECK(render_nagios(c, passed_result(), t).exit_code == kNagiosOk);
  t.warning = range("~:0.05");  // above 0.05: warning
  CHECK(render_nagios(c, passed_result(), t).exit_code == kNagiosWarning);
  t.warning = range("0.05:");  // below 0.05 only
  CHECK(render_nagios(c, passed_result(), t).exit_code == kNagiosOk);
  t.critical = range("0.2:0.5");  // outside: critical wins over warning
  NagiosVerdict crit = render_nagios(c, passed_result(), t);
  CHECK(crit.exit_code == kNagiosCritical);
  CHECK(crit.line.find(" total=0.1134s;0.05:;0.2:0.5;0") != std::string::npos);

  NagiosThresholds d;
  d.delivery_warning = range("~:0.05");
  NagiosVerdict late = render_nagios(c, passed_result(), d);
  INFO(late.line);
  CHECK(late.exit_code == kNagiosWarning);
  CHECK(late.line.find("delivered in 0.059 s (warning range ~:0.05)") != std::string::npos);
  CHECK(late.line.find(" delivery=0.059s;~:0.05;;0") != std::string::npos);
  d.delivery_critical = range("@0:0.06");
  CHECK(render_nagios(c, passed_result(), d).exit_code == kNagiosCritical);
}

TEST_CASE("nagios: warnings, certificates, failures, the deadline and usage errors") {
  RunConfig c = sample_config();
  NagiosThresholds t;
  t.cert_warning_days = 30;
  t.cert_critical_days = 20;
  NagiosVerdict cert = render_nagios(c, passed_result(), t);
  INFO(cert.line);
  CHECK(cert.exit_code == kNagiosCritical);
  CHECK(cert.line.rfind("MAILVERIFY CRITICAL - ", 0) == 0);
  CHECK(cert.line.find("expires in 12 days (critical below 20)") != std::string::npos);
  CHECK(cert.line.find(" cert_days=12;30:;20:") != std::string::npos);

  RunResult warned = passed_result();
  warned.report.warnings.push_back("read state not synced | between devices");
  NagiosVerdict w = render_nagios(c, warned, {});
  INFO(w.line);
  CHECK(w.exit_code == kNagiosWarning);
  CHECK(std::regex_match(w.line, kPluginLine));  // the '|' in the warning was neutralised
  CHECK(w.line.find("read state not synced / between devices") != std::string::npos);

  NagiosVerdict failed = render_nagios(c, failed_result(), {});
  INFO(failed.line);
  CHECK(failed.exit_code == kNagiosCritical);
  CHECK(std::regex_match(failed.line, kPluginLine));
  CHECK(failed.line.find("imap.auth failed: the server refused LOGIN [imap.auth_failed]") !=
        std::string::npos);
  CHECK(failed.line.find("delivery=") == std::string::npos);

  RunResult late = passed_result();
  late.delivery_ms.reset();
  late.report.error =
      make_error(ErrorKind::deadline, Protocol::none, "the overall deadline passed");
  late.report.error.step = "imap.arrival";
  CHECK(render_nagios(c, late, {}).exit_code == kNagiosCritical);
  NagiosThresholds unknown_at_deadline;
  unknown_at_deadline.deadline_state = kNagiosUnknown;
  NagiosVerdict ld = render_nagios(c, late, unknown_at_deadline);
  CHECK(ld.exit_code == kNagiosUnknown);
  CHECK(ld.line.find("imap.arrival failed: the overall deadline passed [run.deadline]") !=
        std::string::npos);

  RunResult usage = passed_result();
  usage.report.error = make_error(ErrorKind::usage, Protocol::none, "bad\nconfig");
  NagiosVerdict u = render_nagios(c, usage, {});
  CHECK(u.exit_code == kNagiosUnknown);
  CHECK(std::regex_match(u.line, kPluginLine));
  NagiosVerdict ue = nagios_usage_error("--email is required");
  CHECK(ue.exit_code == kNagiosUnknown);
  CHECK(std::regex_match(ue.line, kPluginLine));
}

TEST_CASE("nagios: -v adds one line per step and the diagnosis after the first line") {
  RunConfig c = sample_config();
  NagiosVerdict v = render_nagios(c, failed_result(), {}, true);
  INFO(v.line);
  const std::string first = v.line.substr(0, v.line.find('\n'));
  CHECK(std::regex_match(first, kPluginLine));
  CHECK(v.line.find("\nok   smtp.connect 1.5 ms connected to 192.0.2.1:587\n") !=
        std::string::npos);
  CHECK(v.line.find("\nFAIL imap.fetch 1.") != std::string::npos);
  CHECK(v.line.find("\nserver said: NO [AUTHENTICATIONFAILED] Authentication failed.\n") !=
        std::string::npos);
  CHECK(v.line.find("\nfix: check the password") != std::string::npos);
  // No '|' after the first line: the long output carries no perfdata of its own.
  CHECK(v.line.find('|', first.size()) == std::string::npos);
}

TEST_CASE("nagios: certificate days are the smallest of every TLS session's") {
  Report report;
  CHECK_FALSE(min_cert_days(report));
  report.add_step("smtp.ehlo", 1, "expires in 3 days");  // words in a step are not facts
  CHECK_FALSE(min_cert_days(report));
  report.tls.push_back({"smtp", "TLSv1.2", "X", "", "", 45, true});
  report.tls.push_back({"imap.device2", "TLSv1.2", "X", "", "", -2, false});
  report.tls.push_back({"pop3", "TLSv1.2", "X", "", "", 90, true});
  CHECK(min_cert_days(report) == -2);
}

TEST_CASE("verdict: worded by what the run was asked to do") {
  RunConfig c = sample_config();
  RunResult r = passed_result();
  CHECK(verdict_text(c, r) == "round trip complete, delivered in 59 ms, token Tok3n");
  c.read_back = false;
  r.queue_id = "ABC";
  CHECK(verdict_text(c, r) == "message accepted by the server (queued as ABC), token Tok3n");
  c.stop_after = StopAfter::auth;
  CHECK(verdict_text(c, r).rfind("dry run", 0) == 0);
}

}  // namespace mv::tool

#include <sstream>

#include "tools/human_output.hpp"

TEST_CASE("human: the settings line shows international names in both forms, IPv6 in brackets") {
  mv::RunConfig c;
  c.email = "j\u00FCrgen@xn--bcher-kva.example";
  c.smtp.endpoint.host = "mail.xn--bcher-kva.example";
  c.smtp.endpoint.port = 587;
  c.smtp.endpoint.tls = mv::TlsMode::starttls;
  c.incoming.endpoint.host = "::1";
  c.incoming.endpoint.port = 993;
  c.incoming.endpoint.tls = mv::TlsMode::implicit;
  std::ostringstream out;
  mv::tool::print_settings_line(out, c, nullptr);
  CHECK(out.str() ==
        "verify-roundtrip: j\u00FCrgen@b\u00FCcher.example (xn--bcher-kva.example), SMTP "
        "mail.b\u00FCcher.example (mail.xn--bcher-kva.example):587 (starttls), IMAP [::1]:993 "
        "(implicit)\n");
}

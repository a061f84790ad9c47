// SPDX-License-Identifier: Apache-2.0
// The monitoring pieces without a server: the plugins' range syntax and strict numbers, the
// Prometheus text (checked line by line here, by promtool in scripts/check-monitoring.sh) and its
// atomic write, the terminal rules (NO_COLOR, TERM=dumb, --color, the locale's markers) and the
// descriptor limit.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tools/descriptor_limit.hpp"
#include "tools/plugin_range.hpp"
#include "tools/prometheus_output.hpp"
#include "tools/terminal.hpp"

namespace mv::tool {

TEST_CASE("plugin ranges: the guidelines' table, inclusive ends, '@' inverts") {
  std::string error;
  auto r = [&](const char* text) {
    std::optional<PluginRange> range = parse_range(text, error);
    REQUIRE_MESSAGE(range, text << ": " << error);
    return *range;
  };
  // "10": alert below 0 or above 10.
  CHECK(r("10").alerts(-0.5));
  CHECK_FALSE(r("10").alerts(0));
  CHECK_FALSE(r("10").alerts(10));
  CHECK(r("10").alerts(10.01));
  // "10:": below 10.   "~:10": above 10.   "10:20": outside.   "@10:20": inside.
  CHECK(r("10:").alerts(9.99));
  CHECK_FALSE(r("10:").alerts(1e9));
  CHECK(r("~:10").alerts(10.5));
  CHECK_FALSE(r("~:10").alerts(-1e9));
  CHECK(r("10:20").alerts(9));
  CHECK_FALSE(r("10:20").alerts(20));
  CHECK(r("10:20").alerts(21));
  CHECK(r("@10:20").alerts(10));
  CHECK(r("@10:20").alerts(20));
  CHECK_FALSE(r("@10:20").alerts(20.5));
  CHECK(r("-5:-1").alerts(0));
  CHECK(r("2.5:7.25").alerts(7.5));
  // Written back as given, or scaled for another unit.
  CHECK(r("10").text() == "10");
  CHECK(r("10:").text() == "10:");
  CHECK(r("~:10").text() == "~:10");
  CHECK(r("@10:20").text() == "@10:20");
  CHECK(r("0.5:2").text(1000) == "500:2000");

  for (const char* bad : {"", "abc", "5abc", "5 ", " 5", "10:5", "@", ":", "1e3", "0x10", "inf",
                          "nan", "~", "~:", "1:2:3", "@@1", "1..2", "+-1", "10:20x"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_range(bad, error));
    CHECK(!error.empty());
  }
}

TEST_CASE("strict numbers: the whole word or nothing") {
  CHECK(parse_whole("993", 1, 65535) == 993);
  CHECK_FALSE(parse_whole("993x", 1, 65535));
  CHECK_FALSE(parse_whole("", 1, 65535));
  CHECK_FALSE(parse_whole("+1", 1, 65535));
  CHECK_FALSE(parse_whole("-1", 0, 10));
  CHECK(parse_whole("-1", -5, 10) == -1);
  CHECK_FALSE(parse_whole("65536", 1, 65535));
  CHECK_FALSE(parse_whole("99999999999999999999999", 0, 10));
  CHECK(parse_decimal("0.25") == doctest::Approx(0.25));
  CHECK(parse_decimal("-3") == doctest::Approx(-3));
  CHECK_FALSE(parse_decimal("."));
  CHECK_FALSE(parse_decimal("1.2.3"));
  CHECK_FALSE(parse_decimal("1e2"));
  CHECK(plugin_number(0.1134) == "0.1134");
  CHECK(plugin_number(2.0) == "2");
  CHECK(plugin_number(-0.0000001) == "0");
}

TEST_CASE("prometheus: blackbox-style families, one series per account, labels escaped") {
  RunConfig c;
  c.email = "alice@example.com";
  RunResult ok;
  ok.report.add_step("smtp.connect", 1.5, "");
  ok.report.add_step("imap.poll", 2, "");
  ok.report.add_step("imap.poll", 3, "");
  ok.report.tls.push_back({"smtp", "TLSv1.2", "X", "", "", 40, true, false, 1800000000});
  ok.report.tls.push_back({"imap", "TLSv1.2", "X", "", "", 30, true, false, 1790000000});
  ok.report.total_ms = 51.25;
  ok.report.started_at_ms = 1796000000123;
  ok.delivery_ms = 20;
  RunResult failed;
  failed.report.error = make_error(ErrorKind::auth_failed, Protocol::smtp, "refused");
  failed.report.total_ms = 3;
  failed.report.started_at_ms = 1796000000000;
  const std::string text = render_prometheus({{c, ok, "alice"}, {c, failed, "bob \"b\"\\"}});
  INFO(text);
  for (const char* line :
       {"# TYPE mailverify_probe_success gauge\n",
        "mailverify_probe_success{account=\"alice\"} 1\n",
        "mailverify_probe_success{account=\"bob \\\"b\\\"\\\\\"} 0\n",
        "mailverify_probe_duration_seconds{account=\"alice\"} 0.05125\n",
        "mailverify_probe_phase_duration_seconds{account=\"alice\",phase=\"imap.poll\"} 0.005\n",
        "mailverify_probe_delivery_seconds{account=\"alice\"} 0.02\n",
        "mailverify_probe_ssl_earliest_cert_expiry{account=\"alice\"} 1790000000\n",
        "mailverify_probe_exit_code{account=\"alice\"} 0\n",
        "mailverify_probe_exit_code{account=\"bob \\\"b\\\"\\\\\"} 5\n",
        "mailverify_probe_last_run_timestamp_seconds{account=\"alice\"} 1796000000.123\n",
        "mailverify_probe_error{account=\"bob \\\"b\\\"\\\\\",category=\"auth\",code=\"smtp.auth_"
        "failed\"} 1\n"})
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  // Absent facts make no sample: no delivery, no certificate, no error for the passed account.
  CHECK(text.find("mailverify_probe_delivery_seconds{account=\"bob") == std::string::npos);
  CHECK(text.find("mailverify_probe_error{account=\"alice\"") == std::string::npos);
  CHECK(text.find("phase=\"imap.poll\"", text.find("phase=\"imap.poll\"") + 1) ==
        std::string::npos);  // one series per phase

  // Written through a temporary file and rename: the old file is whole until it is replaced.
  char tmpl[] = "/tmp/mv-prom-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string path = (dir / "mailverify.prom").string();
  CHECK(write_file_atomically(path, "old\n").empty());
  CHECK(write_file_atomically(path, text).empty());
  std::ifstream in(path);
  CHECK(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()) ==
        text);
  CHECK(std::distance(std::filesystem::directory_iterator(dir),
                      std::filesystem::directory_iterator()) == 1);
  const std::string err = write_file_atomically((dir / "no/such/dir.prom").string(), text);
  CHECK(err.find("cannot create") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("terminal: NO_COLOR, TERM=dumb and --color decide colour; the locale the markers") {
  const auto a = ColorChoice::automatic;
  CHECK(terminal_style(a, true, true, nullptr, "xterm", true).color);
  CHECK_FALSE(terminal_style(a, false, true, nullptr, "xterm", true).color);  // a pipe
  CHECK_FALSE(terminal_style(a, true, true, "1", "xterm", true).color);
  CHECK(terminal_style(a, true, true, "", "xterm", true).color);  // NO_COLOR empty: not set
  CHECK_FALSE(terminal_style(a, true, true, nullptr, "dumb", true).color);
  CHECK_FALSE(terminal_style(a, true, true, nullptr, nullptr, true).color);
  CHECK(terminal_style(ColorChoice::always, false, false, "1", "dumb", true).color);
  CHECK_FALSE(terminal_style(ColorChoice::never, true, true, nullptr, "xterm", true).color);
  CHECK(terminal_style(a, false, true, nullptr, "xterm", true).progress);
  CHECK_FALSE(terminal_style(a, true, true, nullptr, "dumb", true).progress);
  CHECK_FALSE(terminal_style(ColorChoice::always, true, false, nullptr, "xterm", true).progress);
  const TerminalStyle ascii = terminal_style(a, true, true, nullptr, "xterm", false);
  CHECK(std::string(ascii.ok_mark()) == "+");
  CHECK(std::string(ascii.fail_mark()) == "x");
  CHECK(std::string(ascii.ellipsis()) == "...");
  CHECK(std::string(terminal_style(a, true, true, nullptr, "xterm", true).ok_mark()) == "✓");
}

TEST_CASE("descriptors: the soft limit is raised to the hard one; too few is a clear error") {
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = 64;
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 64) low.rlim_cur = saved.rlim_max;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  CHECK(ensure_descriptors(2).empty());
  rlimit now{};
  ::getrlimit(RLIMIT_NOFILE, &now);
  CHECK(now.rlim_cur == saved.rlim_max);
  if (saved.rlim_max != RLIM_INFINITY) {
    const std::size_t too_many = saved.rlim_max;  // 8 per account: far above any hard limit
    const std::string err = ensure_descriptors(too_many);
    CHECK(err.find("open files, but the limit is " + std::to_string(saved.rlim_max)) !=
          std::string::npos);
    CHECK(err.find("ulimit -n") != std::string::npos);
  }
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/trace.hpp"
#include "tests/support/test_pki.hpp"

namespace mv {

TEST_CASE("trace/redact: only the command verb of a credential line survives") {
  CHECK(Trace::redact("AUTH PLAIN AGFsaWNlAHNlY3JldA==") == "AUTH PLAIN <redacted>");
  CHECK(Trace::redact("auth login") == "auth login <redacted>");
  CHECK(Trace::redact("PASS hunter2") == "PASS <redacted>");
  CHECK(Trace::redact("M1A2B3 LOGIN alice \"hunter2\"") == "M1A2B3 LOGIN <redacted>");
  CHECK(Trace::redact("M1A2B3 AUTHENTICATE PLAIN AGFsaWNl") ==
        "M1A2B3 AUTHENTICATE PLAIN <redacted>");
  // A SASL continuation or a literal part is redacted whole.
  CHECK(Trace::redact("dXNlcgBwYXNz") == "<redacted>");
  CHECK(Trace::redact("hunter2") == "<redacted>");
}

TEST_CASE("trace/escape: control characters are shown, never written raw") {
  CHECK(Trace::escape(std::string_view("a\0b\x1b[31m\x7f", 9)) == "a\\x00b\\x1b[31m\\x7f");
  CHECK(Trace::escape("tab\tok") == "tab\tok");
}

TEST_CASE("trace/escape: a backslash that could read as an escape or a mark is escaped itself") {
  CHECK(Trace::escape("FLAGS (\\Seen \\Deleted)") == "FLAGS (\\Seen \\Deleted)");
  CHECK(Trace::escape("\\x41") == "\\x5cx41");
  CHECK(Trace::escape("last\\") == "last\\x5c");
}

TEST_CASE("trace/file: lines carry session and direction, sensitive bytes are redacted") {
  test::TempDir dir;
  const std::string path = dir.file("trace.txt");
  {
    Error error;
    auto trace = Trace::open(path, error);
    REQUIRE(trace);
    trace->received("smtp", "334 \r\n");
    trace->sent("smtp", "AUTH PLAIN AGFsaWNlAHMzY3IzdA==\r\n", true);
    trace->sent("imap", "M1 LOGIN alice s3cr3t\r\n", true);
    trace->sent("imap", "M2 SELECT INBOX\r\n", false);
    trace->note("imap", "TLS established");
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  CHECK(text.find("smtp         < 334") != std::string::npos);
  CHECK(text.find("smtp         > AUTH PLAIN <redacted>") != std::string::npos);
  CHECK(text.find("imap         > M1 LOGIN <redacted>") != std::string::npos);
  CHECK(text.find("imap         > M2 SELECT INBOX") != std::string::npos);
  CHECK(text.find("imap         * TLS established") != std::string::npos);
  CHECK(text.find("s3cr3t") == std::string::npos);
  CHECK(text.find("AGFsaWNlAHMzY3IzdA") == std::string::npos);
}

TEST_CASE("trace/file: the first line gives the wall-clock instant of time 0, in microseconds") {
  test::TempDir dir;
  const std::string path = dir.file("trace.txt");
  using namespace std::chrono;
  const auto before = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  {
    Error error;
    auto trace = Trace::open(path, error);
    REQUIRE(trace);
  }
  const auto after = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  // "     0.000 trace        * started 2026-11-22T04:18:29.612690Z (wall clock; ...)"
  const std::string marker = "trace        * started ";
  auto at = line.find(marker);
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(line.substr(0, at)) < 1.0);
  const std::string stamp = line.substr(at + marker.size(), 27);
  REQUIRE(stamp.size() == 27);
  CHECK(stamp[10] == 'T');
  CHECK(stamp[19] == '.');
  CHECK(stamp[26] == 'Z');
  std::tm tm{};
  REQUIRE(strptime(stamp.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == stamp.c_str() + 19);
  const long long us =
      static_cast<long long>(timegm(&tm)) * 1'000'000 + std::stoll(stamp.substr(20, 6));
  CHECK(us >= before);
  CHECK(us <= after);
}

TEST_CASE("trace/open: an unwritable path is a usage error") {
  Error error;
  CHECK_FALSE(Trace::open("/nonexistent-dir/trace.txt", error));
  CHECK(error.code == "usage.trace_file");
}

}  // namespace mv

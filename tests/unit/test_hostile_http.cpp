// SPDX-License-Identifier: Apache-2.0
// Hostile token endpoints, scripted over TLS with certificates made by the test, against the
// engine's real HTTPS path (Session + tls/ + HttpExchange in a Pump) and the refresh flow: a
// truncated body, huge headers, endless chunks, a stall, a redirect (never followed), plaintext
// where TLS was due, a 200 that is not JSON. Each asserts the error code, that the refresh token
// (the canary) appears in no error, and that the flow ended in time.
#include <doctest/doctest.h>

#include <chrono>

#include "engine/oauth2_flows.hpp"
#include "tests/support/hostile.hpp"

namespace {

using namespace mv;
using namespace mv::test::hostile;

struct Outcome {
  FlowOutcome flow;
  double ms = 0;
};

Outcome refresh_against(unsigned port, const std::string& ca_file) {
  Outcome out;
  Error error;
  TlsContextOptions options;
  options.ca_file = ca_file;
  auto tls = TlsContext::create(options, error);
  REQUIRE(tls);
  OAuthClient client;
  client.client_id = "client";
  client.token_url = "https://localhost:" + std::to_string(port) + "/token";
  Timeouts timeouts;
  timeouts.connect = 2000;
  timeouts.handshake = 2000;
  timeouts.idle = 1500;
  Report report;
  Pump pump;
  const auto start = std::chrono::steady_clock::now();
  struct Run {
    static Task<void> go(Pump& pump, TlsContext& tls, const OAuthClient& client, Timeouts t,
                         Report& report, FlowOutcome& out) {
      out = co_await refresh_flow(pump, tls, client, std::string(kCanary), t, report);
    }
  };
  pump.spawn(Run::go(pump, *tls, client, timeouts, report, out.flow));
  pump.run();
  out.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

// Reads the request head; the body (the form with the canary) is on the wire record.
void read_head(Peer& p) {
  p.expect("POST /token HTTP/1.1");
  for (auto l = p.line(); l && *l != "\r\n"; l = p.line()) {
  }
}

void check(const Outcome& o, const char* code, double max_ms = 3000) {
  INFO("error: ", o.flow.error.code, " / ", o.flow.error.detail, " / ", o.flow.error.server_says);
  CHECK_FALSE(o.flow.grant);
  CHECK(o.flow.error.code == code);
  CHECK(o.ms < max_ms);
  CHECK(o.flow.error.detail.find(kCanary) == std::string::npos);
  CHECK(o.flow.error.server_says.find(kCanary) == std::string::npos);
}

}  // namespace

TEST_CASE("hostile/http: a body cut short is an error, not a short token") {
  Pki pki;
  HostileServer s(
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"access_token\":\"x");
        p.close();
      },
      pki.pki.cert_file, pki.pki.key_file);
  const Outcome o = refresh_against(s.port(), pki.pki.ca_file);
  check(o, "http.truncated");
  s.finish();
  // The refresh token went only inside TLS to the endpoint, form-encoded, once.
  CHECK(s.wire().all().find("refresh_token=" + std::string(kCanary)) != std::string::npos);
}

TEST_CASE("hostile/http: huge headers and endless chunks hit their bounds") {
  Pki pki;
  HostileServer huge(
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 2000; ++i)
          p.send("X-Filler-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n");
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(huge.port(), pki.pki.ca_file), "http.too_large");
  HostileServer endless(
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        const std::string chunk = "4000\r\n" + std::string(0x4000, 'z') + "\r\n";
        for (int i = 0; i < 80; ++i)
          p.send(chunk);
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(endless.port(), pki.pki.ca_file), "http.too_large");
}

TEST_CASE("hostile/http: a stalled endpoint times out; a redirect is not followed") {
  Pki pki;
  HostileServer stall([](Peer& p) { read_head(p); }, pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(stall.port(), pki.pki.ca_file), "net.timeout");
  HostileServer redirect(
      [](Peer& p) {
        read_head(p);
        p.send(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://evil.test/token\r\n"
            "Content-Length: 0\r\n\r\n");
      },
      pki.pki.cert_file, pki.pki.key_file);
  const Outcome o = refresh_against(redirect.port(), pki.pki.ca_file);
  check(o, "oauth2.redirect");
  CHECK(o.flow.error.detail.find("https://evil.test/token") != std::string::npos);
}

TEST_CASE("hostile/http: plaintext where TLS was due; a 200 that is not JSON") {
  Pki pki;
  HostileServer plain([](Peer& p) { p.send("HTTP/1.1 400 Bad Request\r\n\r\n"); });
  check(refresh_against(plain.port(), pki.pki.ca_file), "tls.plaintext_reply");
  HostileServer html(
      [](Peer& p) {
        read_head(p);
        const std::string body = "<html>" + std::string(kCanary) + "</html>";
        p.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(html.port(), pki.pki.ca_file), "oauth2.response");
}

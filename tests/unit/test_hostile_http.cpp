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

Outcome refresh_against(MemoryNet& net, unsigned port, const std::string& ca_file) {
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
  Pump pump(net, net, net);
  const Millis start = net.now();
  struct Run {
    static Task<void> go(Pump& pump, TlsContext& tls, const OAuthClient& client, Timeouts t,
                         Report& report, FlowOutcome& out) {
      out = co_await refresh_flow(pump, tls, client, std::string(kCanary), t, report);
    }
  };
  pump.spawn(Run::go(pump, *tls, client, timeouts, report, out.flow));
  pump.run();
  out.ms = static_cast<double>(net.now() - start);
  CHECK_FALSE(net.stuck());
  return out;
}

// Reads the request head; the body (the form with the canary) is on the wire record.
void read_head(Peer& p) {
  p.expect("POST /token HTTP/1.1");
  for (auto l = p.line(); l && *l != "\r\n"; l = p.line()) {
  }
}

// at_ms: the exact virtual time the flow ended; 0 (the default) means at once, no timer ran out.
void check(const Outcome& o, const char* code, double at_ms = 0) {
  INFO("error: ", o.flow.error.code, " / ", o.flow.error.detail, " / ", o.flow.error.server_says);
  CHECK_FALSE(o.flow.grant);
  CHECK(o.flow.error.code == code);
  CHECK(o.ms == at_ms);
  CHECK(o.flow.error.detail.find(kCanary) == std::string::npos);
  CHECK(o.flow.error.server_says.find(kCanary) == std::string::npos);
}

}  // namespace

TEST_CASE("hostile/http: a body cut short is an error, not a short token") {
  Pki pki;
  MemoryNet net;
  HostileServer s(
      net,
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"access_token\":\"x");
        p.close();
      },
      pki.pki.cert_file, pki.pki.key_file);
  const Outcome o = refresh_against(net, s.port(), pki.pki.ca_file);
  check(o, "http.truncated");
  s.finish();
  // The refresh token went only inside TLS to the endpoint, form-encoded, once.
  CHECK(s.wire().all().find("refresh_token=" + std::string(kCanary)) != std::string::npos);
}

TEST_CASE("hostile/http: huge headers and endless chunks hit their bounds") {
  Pki pki;
  MemoryNet net;
  HostileServer huge(
      net,
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 2000; ++i)
          p.send("X-Filler-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n");
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(net, huge.port(), pki.pki.ca_file), "http.too_large");
  HostileServer endless(
      net,
      [](Peer& p) {
        read_head(p);
        p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        const std::string chunk = "4000\r\n" + std::string(0x4000, 'z') + "\r\n";
        for (int i = 0; i < 80; ++i)
          p.send(chunk);
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(net, endless.port(), pki.pki.ca_file), "http.too_large");
}

TEST_CASE("hostile/http: a stalled endpoint times out; a redirect is not followed") {
  Pki pki;
  MemoryNet net;
  HostileServer stall(
      net, [](Peer& p) { read_head(p); }, pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(net, stall.port(), pki.pki.ca_file), "net.timeout",
        1500);  // the idle bound
  HostileServer redirect(
      net,
      [](Peer& p) {
        read_head(p);
        p.send(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://evil.test/token\r\n"
            "Content-Length: 0\r\n\r\n");
      },
      pki.pki.cert_file, pki.pki.key_file);
  const Outcome o = refresh_against(net, redirect.port(), pki.pki.ca_file);
  check(o, "oauth2.redirect");
  CHECK(o.flow.error.detail.find("https://evil.test/token") != std::string::npos);
}

TEST_CASE("hostile/http: plaintext where TLS was due; a 200 that is not JSON") {
  Pki pki;
  MemoryNet net;
  HostileServer plain(net, [](Peer& p) { p.send("HTTP/1.1 400 Bad Request\r\n\r\n"); });
  check(refresh_against(net, plain.port(), pki.pki.ca_file), "tls.plaintext_reply");
  HostileServer html(
      net,
      [](Peer& p) {
        read_head(p);
        const std::string body = "<html>" + std::string(kCanary) + "</html>";
        p.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
      },
      pki.pki.cert_file, pki.pki.key_file);
  check(refresh_against(net, html.port(), pki.pki.ca_file), "oauth2.response");
}

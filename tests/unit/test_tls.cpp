// SPDX-License-Identifier: Apache-2.0
// tls/: Connector, TlsContext and Stream against real mbedTLS servers on loopback
// (tests/support/test_pki.hpp). Every wait is a poll() with a deadline, so a failure never hangs.
#include <doctest/doctest.h>
#include <mbedtls/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "tests/support/loopback_listener.hpp"
#include "tests/support/test_pki.hpp"
#include "tls/connector.hpp"
#include "tls/stream.hpp"
#include "tls/tls_context.hpp"

namespace {

using mv::Connector;
using mv::Family;
using mv::IoResult;
using mv::Stream;
using mv::TlsContext;
using mv::TlsContextOptions;
using mv::test::CertSpec;
using mv::test::LoopbackServer;
using mv::test::ServerConn;
using mv::test::ServerOptions;
using mv::test::TempDir;
using mv::test::TestCa;

constexpr int kTimeoutMs = 5000;

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_fd(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, remaining_ms(deadline)) > 0;
}

// Drives a connector the way the engine does: poll for its events, time out per attempt.
Connector::Status drive_connect(Connector& c, int timeout_ms = kTimeoutMs) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (c.status() == Connector::Status::in_progress) {
    if (wait_fd(c.fd(), c.events(), deadline)) {
      c.on_ready();
    } else if (Clock::now() >= deadline) {
      c.on_attempt_timeout();
    }
  }
  return c.status();
}

Stream::Handshake drive_handshake(Stream& s) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kTimeoutMs);
  for (;;) {
    const Stream::Handshake h = s.handshake();
    if (h == Stream::Handshake::done || h == Stream::Handshake::failed) return h;
    if (Clock::now() >= deadline) return Stream::Handshake::failed;
    wait_fd(s.fd(), h == Stream::Handshake::want_write ? POLLOUT : POLLIN, deadline);
  }
}

// Reads until `needle` has arrived (true) or EOF/failure/timeout (false); `got` has everything.
bool read_until(Stream& s, const std::string& needle, std::string& got) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kTimeoutMs);
  char buf[1024];
  while (got.find(needle) == std::string::npos) {
    const IoResult r = s.read(buf, sizeof buf);
    if (r.status == IoResult::Status::ok) {
      got.append(buf, r.bytes);
    } else if (r.status == IoResult::Status::would_block) {
      if (Clock::now() >= deadline) return false;
      if (!s.has_pending()) wait_fd(s.fd(), s.poll_events(false), deadline);
    } else {
      return false;
    }
  }
  return true;
}

IoResult::Status read_to_end(Stream& s) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kTimeoutMs);
  char buf[1024];
  for (;;) {
    const IoResult r = s.read(buf, sizeof buf);
    if (r.status == IoResult::Status::would_block) {
      if (Clock::now() >= deadline) return r.status;
      wait_fd(s.fd(), s.poll_events(false), deadline);
    } else if (r.status != IoResult::Status::ok) {
      return r.status;
    }
  }
}

bool write_all(Stream& s, std::string data) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (!data.empty()) {
    const IoResult r = s.write(data.data(), data.size());
    if (r.status == IoResult::Status::ok) {
      data.erase(0, r.bytes);
    } else if (r.status == IoResult::Status::would_block) {
      if (Clock::now() >= deadline) return false;
      wait_fd(s.fd(), s.poll_events(true), deadline);
    } else {
      return false;
    }
  }
  return true;
}

std::unique_ptr<TlsContext> make_context(const std::string& ca_file, bool verify = true) {
  mv::Error error;
  auto ctx = TlsContext::create(TlsContextOptions{ca_file, verify}, error);
  REQUIRE_MESSAGE(ctx != nullptr, error.detail);
  CHECK_FALSE(error);
  return ctx;
}

// Connects to the server and hands the descriptor to a Stream.
std::unique_ptr<Stream> connect_to(const LoopbackServer& server, Family family = Family::ipv4) {
  REQUIRE(server.listening());
  Connector c(server.host(), server.port(), family);
  REQUIRE_MESSAGE(drive_connect(c) == Connector::Status::connected, c.error().detail);
  return std::make_unique<Stream>(c.release());
}

// Handshake against a server presenting `cert` while the client trusts `ca_file`.
mv::Error handshake_error(const mv::test::CertFiles& cert, const std::string& ca_file,
                          const std::string& host = "localhost") {
  LoopbackServer server(ServerOptions{cert.cert, cert.key}, [](ServerConn&) {});
  auto ctx = make_context(ca_file);
  auto stream = connect_to(server);
  stream->start_tls(*ctx, host);
  CHECK(drive_handshake(*stream) == Stream::Handshake::failed);
  CHECK_FALSE(stream->tls_active());
  // The failure sticks: later calls report it again instead of touching the socket.
  char buf[16];
  CHECK(stream->read(buf, sizeof buf).status == IoResult::Status::failed);
  return stream->error();
}

unsigned closed_port() {
  return mv::test::closed_loopback_port();
}

}  // namespace

TEST_CASE("tls/implicit TLS with a trusted CA: verified session, bytes both ways, clean EOF") {
  TempDir dir;
  TestCa ca(dir.path());
  const auto cert = ca.issue("localhost");
  LoopbackServer server(ServerOptions{cert.cert, cert.key}, [](ServerConn& c) {
    c.send("220 hello over tls\r\n");
    const auto line = c.read_line();
    c.send("echo: " + line.value_or("<none>"));
    c.close();  // close_notify
  });
  auto ctx = make_context(ca.cert_file());
  CHECK(ctx->verify());
  auto stream = connect_to(server);
  CHECK_FALSE(stream->tls_active());
  stream->start_tls(*ctx, "localhost");
  REQUIRE_MESSAGE(drive_handshake(*stream) == Stream::Handshake::done, stream->error().detail);
  CHECK(stream->tls_active());

  const mv::TlsInfo& info = stream->tls_info();
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
  CHECK(info.version == "TLSv1.3");  // both ends prefer it (mbedTLS 3.6, the default build)
  CHECK(info.cipher.rfind("TLS1-3-", 0) == 0);
#else
  CHECK(info.version == "TLSv1.2");  // the system's 2.28
  CHECK(info.cipher.find("ECDHE") != std::string::npos);
#endif
  CHECK(info.subject.find("CN=localhost") != std::string::npos);
  CHECK(info.issuer.find("CN=" + ca.name()) != std::string::npos);
  CHECK(info.days_to_expiry >= 29);
  CHECK(info.days_to_expiry <= 30);
  CHECK(info.verified);

  std::string got;
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "220 hello over tls\r\n");
  CHECK(write_all(*stream, "ping\r\n"));
  got.clear();
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "echo: ping\r\n");
  CHECK(read_to_end(*stream) == IoResult::Status::eof);
  CHECK_FALSE(stream->error());
  CHECK(server.wait_done(kTimeoutMs));
  CHECK(server.failure() == "");
}

TEST_CASE("tls/STARTTLS upgrades the same connection in place") {
  TempDir dir;
  const auto pki = mv::test::TestPki::make(dir.path());
  LoopbackServer server(ServerOptions{}, [&pki](ServerConn& c) {
    c.send("220 plain greeting\r\n");
    if (c.read_line() != "STARTTLS\r\n") return c.fail("expected STARTTLS");
    c.send("220 go ahead\r\n");
    if (!c.start_tls(pki.cert_file, pki.key_file)) return;
    const auto line = c.read_line();
    c.send("secure: " + line.value_or("<none>"));
    c.drain_until_eof();
  });
  auto ctx = make_context(pki.ca_file);
  auto stream = connect_to(server);
  std::string got;
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "220 plain greeting\r\n");
  CHECK(write_all(*stream, "STARTTLS\r\n"));
  got.clear();
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "220 go ahead\r\n");
  stream->start_tls(*ctx, "localhost");
  REQUIRE_MESSAGE(drive_handshake(*stream) == Stream::Handshake::done, stream->error().detail);
  CHECK(stream->tls_info().verified);
  CHECK(write_all(*stream, "EHLO x\r\n"));
  got.clear();
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "secure: EHLO x\r\n");
  stream->close();
  CHECK(stream->fd() == -1);
  CHECK(server.wait_done(kTimeoutMs));
  CHECK(server.failure() == "");
}

TEST_CASE("tls/a certificate for another name is tls.bad_host") {
  TempDir dir;
  TestCa ca(dir.path());
  const auto cert = ca.issue("localhost");
  const mv::Error e = handshake_error(cert, ca.cert_file(), "mail.example.org");
  CHECK(e.category == mv::Category::tls);
  CHECK(e.code == "tls.bad_host");
}

TEST_CASE("tls/a certificate from a CA the client does not trust is tls.unknown_ca") {
  TempDir dir;
  TestCa ca(dir.path());
  TestCa other(dir.path(), "some other CA", "other");
  const auto cert = ca.issue("localhost");
  const mv::Error e = handshake_error(cert, other.cert_file());
  CHECK(e.category == mv::Category::tls);
  CHECK(e.code == "tls.unknown_ca");
}

TEST_CASE("tls/an expired certificate is tls.expired") {
  TempDir dir;
  TestCa ca(dir.path());
  CertSpec spec;
  spec.valid_from_days = -30;
  spec.valid_to_days = -1;
  const mv::Error e = handshake_error(ca.issue("expired", spec), ca.cert_file());
  CHECK(e.code == "tls.expired");
}

TEST_CASE("tls/a certificate valid only from tomorrow is tls.not_yet_valid") {
  TempDir dir;
  TestCa ca(dir.path());
  CertSpec spec;
  spec.valid_from_days = 1;
  spec.valid_to_days = 30;
  const mv::Error e = handshake_error(ca.issue("future", spec), ca.cert_file());
  CHECK(e.code == "tls.not_yet_valid");
}

TEST_CASE("tls/a plaintext answer to the ClientHello is tls.plaintext_reply with its first line") {
  TempDir dir;
  TestCa ca(dir.path());
  LoopbackServer server(ServerOptions{}, [](ServerConn& c) {
    c.send("220 plain smtp\r\n");
    c.drain_until_eof();
  });
  auto ctx = make_context(ca.cert_file());
  auto stream = connect_to(server);
  stream->start_tls(*ctx, "localhost");
  CHECK(drive_handshake(*stream) == Stream::Handshake::failed);
  CHECK(stream->error().category == mv::Category::tls);
  CHECK(stream->error().code == "tls.plaintext_reply");
  CHECK(stream->error().server_says == "220 plain smtp");
}

TEST_CASE("tls/without verification an untrusted server connects but is not verified") {
  TempDir dir;
  TestCa ca(dir.path());
  TestCa other(dir.path(), "some other CA", "other");
  const auto cert = ca.issue("localhost");
  LoopbackServer server(ServerOptions{cert.cert, cert.key}, [](ServerConn& c) {
    c.send("hi\r\n");
    c.drain_until_eof();
  });
  auto ctx = make_context(other.cert_file(), /*verify=*/false);
  CHECK_FALSE(ctx->verify());
  auto stream = connect_to(server);
  stream->start_tls(*ctx, "wrong.example");
  REQUIRE(drive_handshake(*stream) == Stream::Handshake::done);
  CHECK_FALSE(stream->tls_info().verified);
  std::string got;
  CHECK(read_until(*stream, "\r\n", got));
  CHECK(got == "hi\r\n");
}

TEST_CASE("tls/a missing or unparsable CA file is usage.cafile") {
  TempDir dir;
  mv::Error error;
  auto ctx = TlsContext::create(TlsContextOptions{dir.file("missing.pem"), true}, error);
  CHECK(ctx == nullptr);
  CHECK(error.category == mv::Category::usage);
  CHECK(error.code == "usage.cafile");
  CHECK(error.detail.find("missing.pem") != std::string::npos);

  mv::Error error2;
  const std::string junk = dir.write("junk.pem", "this is not a certificate\n");
  CHECK(TlsContext::create(TlsContextOptions{junk, false}, error2) == nullptr);
  CHECK(error2.code == "usage.cafile");
}

TEST_CASE("tls/connecting to a closed loopback port is net.refused") {
  Connector c("127.0.0.1", closed_port(), Family::ipv4);
  CHECK(drive_connect(c) == Connector::Status::failed);
  CHECK(c.error().category == mv::Category::network);
  CHECK(c.error().code == "net.refused");
  CHECK(c.attempts().find("127.0.0.1:") != std::string::npos);
  CHECK(c.attempts().find("refused") != std::string::npos);
  CHECK(c.release() == -1);
}

TEST_CASE("tls/an unresolvable host name is net.dns") {
  Connector c("nonexistent.invalid", 25, Family::any);
  CHECK(drive_connect(c) == Connector::Status::failed);
  CHECK(c.error().category == mv::Category::network);
  CHECK(c.error().code == "net.dns");
  CHECK(c.error().detail.find("nonexistent.invalid") != std::string::npos);
}

TEST_CASE("tls/a host name resolves and connects, recording the attempt") {
  LoopbackServer server(ServerOptions{}, [](ServerConn& c) {
    c.send("+OK plain\r\n");
    c.close();
  });
  REQUIRE(server.listening());
  Connector c("localhost", server.port(), Family::ipv4);
  REQUIRE_MESSAGE(drive_connect(c) == Connector::Status::connected, c.error().detail);
  CHECK(c.peer() == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(c.attempts() == c.peer() + ": ok");
  Stream stream(c.release());
  CHECK(c.fd() == -1);
  std::string got;
  CHECK(read_until(stream, "\r\n", got));
  CHECK(got == "+OK plain\r\n");
  CHECK(read_to_end(stream) == IoResult::Status::eof);
  CHECK_FALSE(stream.error());
}

TEST_CASE("tls/an address literal needs no lookup: the connect starts at once") {
  Connector c("127.0.0.1", closed_port(), Family::ipv4);
  CHECK(c.events() == POLLOUT);  // connecting (or already refused), not looking up
}

// A name server that does not answer, as far as the connector can tell: the lookup blocks until
// the test lets it go (or 3 s pass), then answers for real.
std::mutex g_resolver_mutex;
std::condition_variable g_resolver_changed;
bool g_let_go = false;   // under g_resolver_mutex
int g_lookups_done = 0;  // under g_resolver_mutex
void let_go(bool go) {
  std::lock_guard<std::mutex> lock(g_resolver_mutex);
  g_let_go = go;
  g_resolver_changed.notify_all();
}
int lookups_done() {
  std::lock_guard<std::mutex> lock(g_resolver_mutex);
  return g_lookups_done;
}
int held_resolver(const char* host, const char* service, const addrinfo* hints, addrinfo** out) {
  {
    std::unique_lock<std::mutex> lock(g_resolver_mutex);
    g_resolver_changed.wait_for(lock, std::chrono::seconds(3), [] { return g_let_go; });
  }
  const int rc = ::getaddrinfo(host, service, hints, out);
  std::lock_guard<std::mutex> lock(g_resolver_mutex);
  ++g_lookups_done;
  g_resolver_changed.notify_all();
  return rc;
}

TEST_CASE("tls/a slow name lookup runs beside the caller's loop, then connects") {
  LoopbackServer server(ServerOptions{}, [](ServerConn& c) { c.close(); });
  REQUIRE(server.listening());
  let_go(false);
  const auto before = Clock::now();
  mv::AddressCache held(&held_resolver);
  Connector c("localhost", server.port(), Family::ipv4, held);
  // Had the constructor looked up the name itself, it would have taken the resolver's 3 s.
  CHECK(Clock::now() - before < std::chrono::seconds(1));
  REQUIRE(c.status() == Connector::Status::in_progress);
  CHECK(c.events() == POLLIN);
  CHECK_FALSE(wait_fd(c.fd(), c.events(), Clock::now() + std::chrono::milliseconds(20)));
  CHECK(c.on_ready() == Connector::Status::in_progress);  // a spurious wake-up changes nothing
  let_go(true);
  REQUIRE_MESSAGE(drive_connect(c) == Connector::Status::connected, c.error().detail);
  CHECK(c.attempts() == "127.0.0.1:" + std::to_string(server.port()) + ": ok");
}

TEST_CASE("tls/a name server that does not answer is net.dns at the caller's deadline") {
  let_go(false);
  const int done_before = lookups_done();
  mv::AddressCache held(&held_resolver);
  {
    Connector c("no-answer.invalid", 25, Family::ipv4, held);
    REQUIRE(c.status() == Connector::Status::in_progress);
    CHECK(c.on_attempt_timeout() == Connector::Status::failed);
    CHECK(c.error().code == "net.dns");
    CHECK(c.error().detail ==
          "cannot resolve host name no-answer.invalid: no answer from the name server before the "
          "deadline");
    CHECK(c.fd() == -1);
  }  // gone while its lookup still runs: the lookup finishes and frees itself (LSan checks)
  let_go(true);
  {
    std::unique_lock<std::mutex> lock(g_resolver_mutex);
    g_resolver_changed.wait_for(lock, std::chrono::seconds(5),
                                [&] { return g_lookups_done != done_before; });
  }
  CHECK(lookups_done() == done_before + 1);
}

std::atomic<int> g_counted_lookups{0};
int counting_resolver(const char* host, const char* service, const addrinfo* hints,
                      addrinfo** out) {
  g_counted_lookups.fetch_add(1);
  return ::getaddrinfo(host, service, hints, out);
}

TEST_CASE("tls/connectors share a lookup under way and reuse a name found, each with its port") {
  LoopbackServer one(ServerOptions{}, [](ServerConn& c) { c.close(); });
  LoopbackServer two(ServerOptions{}, [](ServerConn& c) { c.close(); });
  REQUIRE(one.listening());
  REQUIRE(two.listening());
  // Started together (the SMTP and IMAP sessions of a run): one lookup between them.
  mv::AddressCache cache(&counting_resolver);
  Connector a("localhost", one.port(), Family::ipv4, cache);
  Connector b("localhost", two.port(), Family::ipv4, cache);
  REQUIRE_MESSAGE(drive_connect(a) == Connector::Status::connected, a.error().detail);
  REQUIRE_MESSAGE(drive_connect(b) == Connector::Status::connected, b.error().detail);
  CHECK(a.peer() == "127.0.0.1:" + std::to_string(one.port()));
  CHECK(b.peer() == "127.0.0.1:" + std::to_string(two.port()));
  CHECK(g_counted_lookups.load() == 1);
  // Later (the second IMAP session): the answer is known, no lookup and no wait.
  Connector c("localhost", one.port(), Family::ipv4, cache);
  CHECK(c.events() == POLLOUT);
  REQUIRE_MESSAGE(drive_connect(c) == Connector::Status::connected, c.error().detail);
  CHECK(g_counted_lookups.load() == 1);
  // Another family is another question.
  Connector d("localhost", one.port(), Family::any, cache);
  drive_connect(d);
  CHECK(g_counted_lookups.load() == 2);
  // Another cache (another test, another process) knows nothing of this one's answers.
  mv::AddressCache other(&counting_resolver);
  Connector e("localhost", one.port(), Family::ipv4, other);
  REQUIRE_MESSAGE(drive_connect(e) == Connector::Status::connected, e.error().detail);
  CHECK(g_counted_lookups.load() == 3);
}

TEST_CASE("tls/an attempt that gets no answer fails with net.timeout") {
  // A listener whose accept queue is full drops SYNs silently: the same thing a firewall does.
  mv::test::LoopbackListener listener(0);
  sockaddr_in a = listener.address;
  socklen_t len = sizeof a;
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(f, reinterpret_cast<sockaddr*>(&a), len);
    fillers.push_back(f);
  }
  Connector c("127.0.0.1", ntohs(a.sin_port), Family::ipv4);
  // The SYN is dropped, so the connect is under way; whether the kernel would still complete it
  // later does not matter: the attempt's deadline is the engine's, which calls this when it passes.
  REQUIRE(c.status() == Connector::Status::in_progress);
  CHECK(c.on_attempt_timeout() == Connector::Status::failed);
  CHECK(c.error().code == "net.timeout");
  CHECK(c.error().detail.find("firewall") != std::string::npos);
  CHECK(c.attempts().find("timed out") != std::string::npos);
  for (int f : fillers)
    ::close(f);
}

// Whether ::1 can be bound here (containers without IPv6 cannot): otherwise doctest reports the
// IPv6 case as skipped, rather than passing it untested.
namespace {
bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

TEST_CASE("tls/IPv6 loopback with Family::ipv6" * doctest::skip(!ipv6_loopback_available())) {
  TempDir dir;
  TestCa ca(dir.path());
  const auto cert = ca.issue("localhost");
  ServerOptions options{cert.cert, cert.key};
  options.ipv6 = true;
  LoopbackServer server(options, [](ServerConn& c) {
    c.send("* OK v6\r\n");
    c.drain_until_eof();
  });
  REQUIRE_MESSAGE(server.listening(), server.failure());
  Connector c("::1", server.port(), Family::ipv6);
  REQUIRE_MESSAGE(drive_connect(c) == Connector::Status::connected, c.error().detail);
  CHECK(c.peer() == "[::1]:" + std::to_string(server.port()));
  Stream stream(c.release());
  auto ctx = make_context(ca.cert_file());
  stream.start_tls(*ctx, "localhost");
  REQUIRE_MESSAGE(drive_handshake(stream) == Stream::Handshake::done, stream.error().detail);
  std::string got;
  CHECK(read_until(stream, "\r\n", got));
  CHECK(got == "* OK v6\r\n");

  // Family::ipv6 never falls back to IPv4.
  Connector v4only("127.0.0.1", server.port(), Family::ipv6);
  CHECK(v4only.status() == Connector::Status::failed);
  CHECK(v4only.error().code == "net.dns");
}

// ---- reached by IP address: the certificate's iPAddress SANs decide (tls/ip_san.hpp) ----------

namespace {

// Handshake with a server presenting a certificate issued from spec, the client naming `host`.
Stream::Handshake handshake_as(const CertSpec& spec, const std::string& host, mv::Error& error,
                               bool ipv6 = false) {
  TempDir dir;
  TestCa ca(dir.path());
  const auto cert = ca.issue("server", spec);
  ServerOptions options{cert.cert, cert.key};
  options.ipv6 = ipv6;
  LoopbackServer server(options, [](ServerConn& c) { c.drain_until_eof(); });
  if (!server.listening()) return Stream::Handshake::want_read;  // no ::1 here
  auto ctx = make_context(ca.cert_file());
  auto stream = connect_to(server, ipv6 ? Family::ipv6 : Family::ipv4);
  stream->start_tls(*ctx, host);
  const Stream::Handshake h = drive_handshake(*stream);
  error = stream->error();
  if (h == Stream::Handshake::done) CHECK(stream->tls_info().verified);
  return h;
}

CertSpec ip_only() {
  CertSpec spec;
  spec.common_name = "mail server";
  spec.dns_names = {};
  spec.loopback_ips = true;
  return spec;
}

}  // namespace

TEST_CASE("tls/a certificate naming only IP addresses verifies when connecting to that address") {
  mv::Error error;
  CHECK_MESSAGE(handshake_as(ip_only(), "127.0.0.1", error) == Stream::Handshake::done,
                error.detail);
  const Stream::Handshake v6 = handshake_as(ip_only(), "::1", error, true);
  if (v6 == Stream::Handshake::want_read) {
    MESSAGE("::1 is not configured here; IPv6 part skipped");
  } else {
    CHECK_MESSAGE(v6 == Stream::Handshake::done, error.detail);
  }
}

TEST_CASE("tls/an IP-only certificate does not match a host name") {
  mv::Error error;
  CHECK(handshake_as(ip_only(), "localhost", error) == Stream::Handshake::failed);
  CHECK(error.code == "tls.bad_host");
}

TEST_CASE("tls/connecting to an address the certificate does not name is tls.bad_host") {
  mv::Error error;
  SUBCASE("DNS names only") {
    CertSpec spec;
    spec.loopback_ips = false;  // localhost only
    CHECK(handshake_as(spec, "127.0.0.1", error) == Stream::Handshake::failed);
    CHECK(error.code == "tls.bad_host");
    CHECK(error.detail.find("names no address") != std::string::npos);
  }
  SUBCASE("the address only in the CN, no subjectAltName: never a match (RFC 6125)") {
    CertSpec spec;
    spec.common_name = "127.0.0.1";
    spec.dns_names = {};
    spec.loopback_ips = false;
    CHECK(handshake_as(spec, "127.0.0.1", error) == Stream::Handshake::failed);
    CHECK(error.code == "tls.bad_host");
  }
  SUBCASE("other addresses: the message lists them") {
    // The certificate names 127.0.0.1 and ::1; the client asked for 127.0.0.2 (listening on
    // 127.0.0.1, the name is what counts).
    CHECK(handshake_as(ip_only(), "127.0.0.2", error) == Stream::Handshake::failed);
    CHECK(error.code == "tls.bad_host");
    CHECK(error.detail.find("127.0.0.1, ::1") != std::string::npos);
  }
  SUBCASE("a bracketed literal is the same address") {
    CHECK(handshake_as(ip_only(), "[127.0.0.1]", error) == Stream::Handshake::done);
  }
}

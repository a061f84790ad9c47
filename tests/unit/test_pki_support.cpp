// SPDX-License-Identifier: Apache-2.0
// Implementation of tests/support/test_pki.hpp (kept in tests/unit/ because only that directory
// is compiled into unit_tests).
#include "tests/support/test_pki.hpp"

#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace mv::test {

namespace {

std::string mbedtls_message(int ret) {
  char buf[160];
  mbedtls_strerror(ret, buf, sizeof buf);
  return buf;
}

void check(int ret, const char* what) {
  if (ret != 0) throw std::runtime_error(std::string(what) + ": " + mbedtls_message(ret));
}

// Seeded generator, one per owner (mbedTLS contexts are not shared across threads here).
struct Rng {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  Rng() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const char kPers[] = "mailverify-test";
    check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1),
          "ctr_drbg_seed");
  }
  ~Rng() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  Rng(const Rng&) = delete;
  Rng& operator=(const Rng&) = delete;
};

struct Key {
  mbedtls_pk_context pk;
  Key() { mbedtls_pk_init(&pk); }
  ~Key() { mbedtls_pk_free(&pk); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  void generate(Rng& rng) {
    check(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk_setup");
    check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
                              &rng.drbg),
          "ecp_gen_key");
  }
  std::string pem() {
    unsigned char buf[2048];
    check(mbedtls_pk_write_key_pem(&pk, buf, sizeof buf), "pk_write_key_pem");
    return reinterpret_cast<const char*>(buf);
  }
};

void write_file(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// "YYYYMMDDhhmmss" in UTC, days from now, as x509write_crt_set_validity wants it.
std::string x509_time(int days) {
  const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

void der_append_len(std::string& out, std::size_t len) {
  if (len < 0x80) {
    out += static_cast<char>(len);
  } else if (len < 0x100) {
    out += '\x81';
    out += static_cast<char>(len);
  } else {
    out += '\x82';
    out += static_cast<char>(len >> 8);
    out += static_cast<char>(len & 0xff);
  }
}

// subjectAltName as DER by hand: 2.28's writer has no SAN helper (3.5 added one), and the raw
// extension works with both.
std::string san_der(const CertSpec& spec) {
  std::string names;
  for (const auto& dns : spec.dns_names) {
    names += '\x82';  // [2] dNSName
    der_append_len(names, dns.size());
    names += dns;
  }
  if (spec.loopback_ips) {
    static const unsigned char v4[] = {127, 0, 0, 1};
    unsigned char v6[16] = {};
    v6[15] = 1;
    names += '\x87';  // [7] iPAddress
    der_append_len(names, sizeof v4);
    names.append(reinterpret_cast<const char*>(v4), sizeof v4);
    names += '\x87';
    der_append_len(names, sizeof v6);
    names.append(reinterpret_cast<const char*>(v6), sizeof v6);
  }
  std::string seq = "\x30";
  der_append_len(seq, names.size());
  return seq + names;
}

std::string sign(mbedtls_x509write_cert& crt, Rng& rng) {
  unsigned char buf[4096];
  check(mbedtls_x509write_crt_pem(&crt, buf, sizeof buf, mbedtls_ctr_drbg_random, &rng.drbg),
        "x509write_crt_pem");
  return reinterpret_cast<const char*>(buf);
}

void set_serial(mbedtls_x509write_cert& crt, unsigned serial_number) {
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
  unsigned char raw[4] = {static_cast<unsigned char>(serial_number >> 24),
                          static_cast<unsigned char>(serial_number >> 16),
                          static_cast<unsigned char>(serial_number >> 8),
                          static_cast<unsigned char>(serial_number)};
  check(mbedtls_x509write_crt_set_serial_raw(&crt, raw, sizeof raw), "set_serial");
#else
  mbedtls_mpi serial;
  mbedtls_mpi_init(&serial);
  int ret = mbedtls_mpi_lset(&serial, static_cast<mbedtls_mpi_sint>(serial_number));
  if (ret == 0) ret = mbedtls_x509write_crt_set_serial(&crt, &serial);
  mbedtls_mpi_free(&serial);
  check(ret, "set_serial");
#endif
}

unsigned next_serial() {
  static std::atomic<unsigned> counter{1};
  return (static_cast<unsigned>(std::time(nullptr)) & 0x0fffff00u) + counter++;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TempDir::TempDir() {
  char tmpl[] = "/tmp/mv-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(std::string_view name, std::string_view content) const {
  const std::string path = file(name);
  write_file(path, content);
  return path;
}

struct TestCa::Impl {
  std::string dir;
  std::string name;
  std::string subject;
  std::string cert_file;
  Rng rng;
  Key key;
};

TestCa::TestCa(const std::string& dir, std::string name, std::string stem)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  impl_->name = std::move(name);
  impl_->subject = "CN=" + impl_->name + ",O=mailverify tests";
  impl_->cert_file = dir + "/" + stem + "-ca.pem";
  impl_->key.generate(impl_->rng);

  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  struct Free {
    mbedtls_x509write_cert* c;
    ~Free() { mbedtls_x509write_crt_free(c); }
  } free_crt{&crt};
  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&crt, &impl_->key.pk);
  mbedtls_x509write_crt_set_issuer_key(&crt, &impl_->key.pk);
  check(mbedtls_x509write_crt_set_subject_name(&crt, impl_->subject.c_str()), "ca subject");
  check(mbedtls_x509write_crt_set_issuer_name(&crt, impl_->subject.c_str()), "ca issuer");
  set_serial(crt, next_serial());
  check(mbedtls_x509write_crt_set_validity(&crt, x509_time(-2).c_str(), x509_time(365).c_str()),
        "ca validity");
  check(mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0), "ca basic constraints");
  check(mbedtls_x509write_crt_set_key_usage(
            &crt, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN),
        "ca key usage");
  write_file(impl_->cert_file, sign(crt, impl_->rng));
}

TestCa::~TestCa() = default;

const std::string& TestCa::cert_file() const {
  return impl_->cert_file;
}
const std::string& TestCa::name() const {
  return impl_->name;
}

CertFiles TestCa::issue(const std::string& stem, const CertSpec& spec) {
  Key key;
  key.generate(impl_->rng);
  CertFiles files{impl_->dir + "/" + stem + ".crt", impl_->dir + "/" + stem + ".key"};
  write_file(files.key, key.pem());

  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  struct Free {
    mbedtls_x509write_cert* c;
    ~Free() { mbedtls_x509write_crt_free(c); }
  } free_crt{&crt};
  const std::string subject = "CN=" + spec.common_name + ",O=mailverify tests";
  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&crt, &key.pk);
  mbedtls_x509write_crt_set_issuer_key(&crt, &impl_->key.pk);
  check(mbedtls_x509write_crt_set_subject_name(&crt, subject.c_str()), "subject");
  check(mbedtls_x509write_crt_set_issuer_name(&crt, impl_->subject.c_str()), "issuer");
  set_serial(crt, next_serial());
  check(mbedtls_x509write_crt_set_validity(&crt, x509_time(spec.valid_from_days).c_str(),
                                           x509_time(spec.valid_to_days).c_str()),
        "validity");
  check(mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1), "basic constraints");
  check(mbedtls_x509write_crt_set_key_usage(
            &crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT),
        "key usage");
  if (!spec.dns_names.empty() || spec.loopback_ips) {
    const std::string san = san_der(spec);
    check(mbedtls_x509write_crt_set_extension(
              &crt, MBEDTLS_OID_SUBJECT_ALT_NAME, MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
              reinterpret_cast<const unsigned char*>(san.data()), san.size()),
          "subjectAltName");
  }
  write_file(files.cert, sign(crt, impl_->rng));
  return files;
}

TestPki TestPki::make(const std::string& dir) {
  TestCa ca(dir);
  CertFiles server = ca.issue("localhost");
  return TestPki{ca.cert_file(), server.cert, server.key};
}

// ---------------------------------------------------------------------------------------------

struct ServerConn::Tls {
  Rng rng;
  mbedtls_x509_crt cert;
  Key key;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  ServerConn* conn = nullptr;

  Tls() {
    mbedtls_x509_crt_init(&cert);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
  }
  ~Tls() {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&cert);
  }
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;

  static int send_cb(void* ctx, const unsigned char* buf, size_t len) {
    auto* c = static_cast<ServerConn*>(ctx);
    if (!c->wait(POLLOUT)) return MBEDTLS_ERR_SSL_TIMEOUT;
    const ssize_t n = ::send(c->fd_, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EAGAIN || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
    return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
  }
  static int recv_cb(void* ctx, unsigned char* buf, size_t len) {
    auto* c = static_cast<ServerConn*>(ctx);
    if (!c->wait(POLLIN)) return MBEDTLS_ERR_SSL_TIMEOUT;
    const ssize_t n = ::recv(c->fd_, buf, len, 0);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EAGAIN || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
    return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
  }
};

ServerConn::ServerConn(int fd, int timeout_ms, const std::atomic<bool>& stop, std::size_t index)
    : fd_(fd), index_(index), timeout_ms_(timeout_ms), stop_(stop) {}

ServerConn::~ServerConn() {
  close();
}

bool ServerConn::wait(short events) {
  if (activity_) activity_->blocked(fd_, events);
  const bool ready = wait_ready(events);
  if (activity_) activity_->running();
  return ready;
}

void ServerConn::pause(int ms) {
  if (activity_)
    activity_->pause(ms);
  else
    fail("pause() needs a virtual clock (a memory_net.hpp peer)");
}

bool ServerConn::wait_ready(short events) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  while (!stop_.load()) {
    pollfd p{fd_, events, 0};
    const int rc = ::poll(&p, 1, 50);
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
  return false;
}

bool ServerConn::send(std::string_view data) {
  if (fd_ < 0) return false;
  while (!data.empty()) {
    ssize_t n;
    if (tls_) {
      const int ret = mbedtls_ssl_write(
          &tls_->ssl, reinterpret_cast<const unsigned char*>(data.data()), data.size());
      if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (ret < 0) {
        fail("server TLS write: " + mbedtls_message(ret));
        return false;
      }
      n = ret;
    } else {
      if (!wait(POLLOUT)) {
        fail("server send timed out");
        return false;
      }
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) {
        fail(std::string("server send: ") + std::strerror(errno));
        return false;
      }
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string ServerConn::read_some() {
  if (!buffered_.empty()) return std::exchange(buffered_, {});
  if (fd_ < 0) return {};
  char buf[4096];
  for (;;) {
    if (tls_) {
      const int ret =
          mbedtls_ssl_read(&tls_->ssl, reinterpret_cast<unsigned char*>(buf), sizeof buf);
      if (ret > 0) return std::string(buf, static_cast<std::size_t>(ret));
      if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      return {};  // EOF, close_notify, timeout or error
    }
    if (!wait(POLLIN)) return {};
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return {};
  }
}

std::optional<std::string> ServerConn::read_line() {
  std::string line = std::exchange(buffered_, {});
  for (;;) {
    const std::size_t nl = line.find('\n');
    if (nl != std::string::npos) {
      buffered_ = line.substr(nl + 1);
      line.resize(nl + 1);
      return line;
    }
    std::string more = read_some();
    if (more.empty()) {
      if (line.empty()) return std::nullopt;
      return line;
    }
    line += more;
  }
}

void ServerConn::drain_until_eof() {
  while (!read_some().empty()) {
  }
}

bool ServerConn::start_tls(const std::string& cert_file, const std::string& key_file) {
  if (fd_ < 0) return false;
  auto tls = std::make_unique<Tls>();
  int ret = mbedtls_x509_crt_parse_file(&tls->cert, cert_file.c_str());
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
  if (ret == 0)
    ret = mbedtls_pk_parse_keyfile(&tls->key.pk, key_file.c_str(), nullptr, mbedtls_ctr_drbg_random,
                                   &tls->rng.drbg);
#else
  if (ret == 0) ret = mbedtls_pk_parse_keyfile(&tls->key.pk, key_file.c_str(), nullptr);
#endif
  if (ret == 0)
    ret = mbedtls_ssl_config_defaults(&tls->conf, MBEDTLS_SSL_IS_SERVER,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (ret == 0) {
    mbedtls_ssl_conf_rng(&tls->conf, mbedtls_ctr_drbg_random, &tls->rng.drbg);
    ret = mbedtls_ssl_conf_own_cert(&tls->conf, &tls->cert, &tls->key.pk);
  }
  if (ret == 0) ret = mbedtls_ssl_setup(&tls->ssl, &tls->conf);
  if (ret != 0) {
    fail("server TLS setup: " + mbedtls_message(ret));
    return false;
  }
  mbedtls_ssl_set_bio(&tls->ssl, this, &Tls::send_cb, &Tls::recv_cb, nullptr);
  // Bytes the script read ahead belong to the plaintext phase; a real server drops them too.
  buffered_.clear();
  for (;;) {
    ret = mbedtls_ssl_handshake(&tls->ssl);
    if (ret == 0) break;
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    fail("server TLS handshake: " + mbedtls_message(ret));
    return false;
  }
  tls_ = std::move(tls);
  return true;
}

void ServerConn::close() {
  if (fd_ < 0) return;
  if (tls_) mbedtls_ssl_close_notify(&tls_->ssl);
  ::close(fd_);
  fd_ = -1;
}

// ---------------------------------------------------------------------------------------------

LoopbackServer::LoopbackServer(ServerOptions options, ServerScript script)
    : options_(std::move(options)), script_(std::move(script)) {
  if (!options_.cert_file.empty()) options_.implicit_tls = true;
  host_ = options_.ipv6 ? "::1" : "127.0.0.1";
  const int family = options_.ipv6 ? AF_INET6 : AF_INET;
  listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (options_.ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      ::listen(listen_fd_, 4) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    failure_ = std::string("cannot listen on ") + host_ + ": " + std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    done_ = true;  // no thread yet: nothing to lock against
    return;
  }
  port_ = options_.ipv6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                        : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  thread_ = std::thread([this] { run(); });
}

LoopbackServer::~LoopbackServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void LoopbackServer::run() {
  auto fail = [this](const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_.empty()) failure_ = what;
  };
  auto serve = [this, fail](int fd, std::size_t index) {
    ServerConn conn(fd, options_.io_timeout_ms, stop_, index);
    if (!options_.implicit_tls || conn.start_tls(options_.cert_file, options_.key_file)) {
      if (script_) script_(conn);
    }
    if (!conn.failure().empty()) fail(conn.failure());
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.io_timeout_ms);
  std::vector<std::thread> served;  // one per connection, so a client's sessions may overlap
  while (served.size() < options_.connections && !stop_.load() &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) served.emplace_back(serve, fd, served.size());
  }
  if (served.empty()) fail("no connection accepted");
  for (std::thread& t : served)
    t.join();
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = true;
  done_changed_.notify_all();
}

bool LoopbackServer::wait_done(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  return done_changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done_; });
}

std::string LoopbackServer::failure() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

}  // namespace mv::test

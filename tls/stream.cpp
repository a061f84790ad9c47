// SPDX-License-Identifier: Apache-2.0
#include "tls/stream.hpp"

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#if MBEDTLS_VERSION_NUMBER < 0x03000000
#include <mbedtls/ssl_internal.h>  // mbedtls_ssl_handshake_params::resume (see handshake_steps)
#endif
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace mv {

namespace {

// How many of the first bytes received during the handshake are kept, to recognise (and quote)
// a plaintext answer: mbedTLS consumes the record header before it fails, so a later MSG_PEEK
// alone would miss the start of the line.
constexpr std::size_t kFirstBytesKept = 512;

bool looks_like_plaintext(const std::string& first) {
  if (first.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(first[0]);
  // TLS records start with a content type 20..23 (control characters); "220 ", "* OK", "+OK",
  // "-ERR" and any banner start with a printable character.
  return std::isalnum(c) || c == '*' || c == '+' || c == '-';
}

long days_until(const mbedtls_x509_time& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.mon - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.min;
  tm.tm_sec = t.sec;
  const std::time_t to = timegm(&tm);
  const double secs = std::difftime(to, std::time(nullptr));
  // Floor, so a certificate that expired an hour ago is already at -1.
  long days = static_cast<long>(secs / 86400.0);
  if (secs < 0 && static_cast<double>(days) * 86400.0 != secs) --days;
  return days;
}

}  // namespace

struct Stream::Tls {
  mbedtls_ssl_context ssl;
  int fd = -1;
  int last_errno = 0;       // errno of the last failed socket call, for mapping
  bool want_write = false;  // the last TLS call is blocked on sending
  bool handshake_done = false;
  bool resumed = false;  // the server took the offered session (seen while the handshake runs)
  bool verify = true;
  std::string first_bytes;  // see kFirstBytesKept

  Tls() { mbedtls_ssl_init(&ssl); }
  ~Tls() { mbedtls_ssl_free(&ssl); }
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;

  static int send_cb(void* ctx, const unsigned char* buf, size_t len) {
    auto* self = static_cast<Tls*>(ctx);
    for (;;) {
      const ssize_t n = ::send(self->fd, buf, len, MSG_NOSIGNAL);
      if (n >= 0) return static_cast<int>(n);
      if (errno == EINTR) continue;
      self->last_errno = errno;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_WRITE;
      if (errno == EPIPE || errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
      return MBEDTLS_ERR_NET_SEND_FAILED;
    }
  }

  static int recv_cb(void* ctx, unsigned char* buf, size_t len) {
    auto* self = static_cast<Tls*>(ctx);
    for (;;) {
      const ssize_t n = ::recv(self->fd, buf, len, 0);
      if (n >= 0) {
        if (!self->handshake_done && self->first_bytes.size() < kFirstBytesKept) {
          const std::size_t keep =
              std::min(static_cast<std::size_t>(n), kFirstBytesKept - self->first_bytes.size());
          self->first_bytes.append(reinterpret_cast<const char*>(buf), keep);
        }
        return static_cast<int>(n);
      }
      if (errno == EINTR) continue;
      self->last_errno = errno;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_READ;
      if (errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
      return MBEDTLS_ERR_NET_RECV_FAILED;
    }
  }
};

Stream::Stream(int fd) : fd_(fd) {}

Stream::~Stream() {
  close();
}

bool Stream::tls_active() const {
  return tls_active_;
}

IoResult Stream::fail_io(Error error) {
  if (!error_) error_ = std::move(error);
  return {IoResult::Status::failed, 0};
}

IoResult Stream::read(char* buf, std::size_t cap) {
  if (error_) return {IoResult::Status::failed, 0};
  if (fd_ < 0) return fail_io(make_error(Category::network, "net.read", "stream is closed"));
  if (tls_ && !tls_active_) {
    return fail_io(make_error(Category::tls, "tls.read", "read before the TLS handshake finished"));
  }
  if (tls_active_) {
    for (;;) {
      const int ret = mbedtls_ssl_read(&tls_->ssl, reinterpret_cast<unsigned char*>(buf), cap);
      tls_->want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
      if (ret > 0) return {IoResult::Status::ok, static_cast<std::size_t>(ret)};
      if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return {IoResult::Status::would_block, 0};
      }
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      // TLS 1.3 in 3.x reports tickets through read(); nothing to hand the caller yet.
      if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) continue;
#endif
      // Mail servers often close after QUIT without close_notify; the protocol layer already
      // knows whether the conversation was finished, so a bare TCP close counts as EOF too.
      if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return {IoResult::Status::eof, 0};
      }
      if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
        return fail_io(make_error(Category::network, "net.reset",
                                  "the server reset the connection (TLS read)"));
      }
      if (ret == MBEDTLS_ERR_NET_RECV_FAILED) {
        return fail_io(
            make_error(Category::network, "net.read",
                       std::string("receive failed: ") + std::strerror(tls_->last_errno)));
      }
      return fail_io(
          make_error(Category::tls, "tls.read", "TLS read failed: " + mbedtls_message(ret)));
    }
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, cap, 0);
    if (n > 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    if (n == 0) return {IoResult::Status::eof, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0};
    if (errno == ECONNRESET) {
      return fail_io(make_error(Category::network, "net.reset", "the server reset the connection"));
    }
    return fail_io(make_error(Category::network, "net.read",
                              std::string("receive failed: ") + std::strerror(errno)));
  }
}

IoResult Stream::write(const char* data, std::size_t len) {
  if (error_) return {IoResult::Status::failed, 0};
  if (fd_ < 0) return fail_io(make_error(Category::network, "net.write", "stream is closed"));
  if (len == 0) return {IoResult::Status::ok, 0};
  if (tls_ && !tls_active_) {
    return fail_io(
        make_error(Category::tls, "tls.write", "write before the TLS handshake finished"));
  }
  if (tls_active_) {
    const int ret =
        mbedtls_ssl_write(&tls_->ssl, reinterpret_cast<const unsigned char*>(data), len);
    tls_->want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
    if (ret >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(ret)};
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
      return {IoResult::Status::would_block, 0};
    }
    if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
      return fail_io(make_error(Category::network, "net.reset",
                                "the server reset the connection (TLS write)"));
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED) {
      return fail_io(make_error(Category::network, "net.write",
                                std::string("send failed: ") + std::strerror(tls_->last_errno)));
    }
    return fail_io(
        make_error(Category::tls, "tls.write", "TLS write failed: " + mbedtls_message(ret)));
  }
  for (;;) {
    const ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
    if (n >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0};
    if (errno == EPIPE || errno == ECONNRESET) {
      return fail_io(
          make_error(Category::network, "net.reset", "the server closed or reset the connection"));
    }
    return fail_io(make_error(Category::network, "net.write",
                              std::string("send failed: ") + std::strerror(errno)));
  }
}

void Stream::start_tls(TlsContext& context, const std::string& host_name,
                       const std::string& session_key) {
  if (error_) return;
  if (tls_) {
    error_ = make_error(Category::tls, "tls.handshake", "TLS was already started on this stream");
    return;
  }
  tls_ = std::make_unique<Tls>();
  tls_->fd = fd_;
  tls_->verify = context.verify();
  int ret = mbedtls_ssl_setup(&tls_->ssl, context.config());
  if (ret == 0) ret = mbedtls_ssl_set_hostname(&tls_->ssl, host_name.c_str());
  if (ret != 0) {
    error_ =
        make_error(Category::tls, "tls.handshake", "TLS setup failed: " + mbedtls_message(ret));
    return;
  }
  mbedtls_ssl_set_bio(&tls_->ssl, tls_.get(), &Tls::send_cb, &Tls::recv_cb, nullptr);
  if (!session_key.empty()) {
    context_ = &context;
    session_key_ = session_key;
    context.offer_session(session_key, tls_->ssl);
  }
}

Stream::Handshake Stream::handshake() {
  if (error_) return Handshake::failed;
  if (!tls_) {
    error_ = make_error(Category::tls, "tls.handshake", "handshake() called before start_tls()");
    return Handshake::failed;
  }
  if (tls_active_) return Handshake::done;
  const int ret = handshake_steps();
  tls_->want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
  if (ret == MBEDTLS_ERR_SSL_WANT_READ) return Handshake::want_read;
  if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) return Handshake::want_write;
  if (ret != 0) {
    fail_handshake(ret);
    return Handshake::failed;
  }
  tls_->handshake_done = true;
  tls_->first_bytes.clear();
  tls_->first_bytes.shrink_to_fit();
  tls_active_ = true;
  fill_info();
  if (context_) context_->save_session(session_key_, tls_->ssl);
#ifdef TCP_QUICKACK
  // The server's first application bytes (a greeting) follow at once; answering them without a
  // delayed ACK saves ~40 ms (notes: mailstack-facts). Linux resets it over time; best effort.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
  return Handshake::done;
}

// mbedtls_ssl_handshake(), one step at a time: whether the server accepted the offered session
// is known only inside the handshake state, which is freed when the handshake ends.
int Stream::handshake_steps() {
#if MBEDTLS_VERSION_NUMBER < 0x03000000
  mbedtls_ssl_context& ssl = tls_->ssl;
  while (ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    const int ret = mbedtls_ssl_handshake_step(&ssl);
    if (ssl.handshake != nullptr && ssl.handshake->resume) tls_->resumed = true;
    if (ret != 0) return ret;
  }
  return 0;
#else
  // 3.x keeps the handshake state private: resumption works, it is just not reported.
  return mbedtls_ssl_handshake(&tls_->ssl);
#endif
}

void Stream::fail_handshake(int ret) {
  const uint32_t flags = mbedtls_ssl_get_verify_result(&tls_->ssl);
  if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || (flags != 0 && flags != uint32_t(-1))) {
    char info[512];
    const int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
    std::string why = n > 0 ? std::string(info, static_cast<std::size_t>(n)) : "";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    for (char& c : why) {
      if (c == '\n') c = ';';
    }
    // A broken chain first: the other checks mean little for a certificate nobody vouches for.
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
      error_ = make_error(Category::tls, "tls.unknown_ca",
                          "the server's certificate is not signed by a trusted CA: " + why);
    } else if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
      error_ =
          make_error(Category::tls, "tls.expired", "the server's certificate has expired: " + why);
    } else if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
      error_ = make_error(Category::tls, "tls.not_yet_valid",
                          "the server's certificate is not valid yet: " + why);
    } else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
      error_ = make_error(Category::tls, "tls.bad_host",
                          "the server's certificate is for another host name: " + why);
    } else {
      error_ =
          make_error(Category::tls, "tls.handshake",
                     "certificate verification failed: " + why + " (" + mbedtls_message(ret) + ")");
    }
    return;
  }
  // Plaintext answer to the ClientHello (wrong port, or implicit TLS vs STARTTLS mix-up). The
  // kept bytes hold the start; peek for the rest of the first line without consuming it.
  std::string first = tls_->first_bytes;
  if (looks_like_plaintext(first) && first.find('\n') == std::string::npos &&
      first.size() < kFirstBytesKept) {
    char more[kFirstBytesKept];
    const ssize_t n = ::recv(fd_, more, kFirstBytesKept - first.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) first.append(more, static_cast<std::size_t>(n));
  }
  if (looks_like_plaintext(first)) {
    const std::size_t eol = first.find_first_of("\r\n");
    const std::string line = first.substr(0, eol);
    error_ = make_error(Category::tls, "tls.plaintext_reply",
                        "the server answered the TLS ClientHello in plaintext: this port does not "
                        "speak implicit TLS (" +
                            mbedtls_message(ret) + ")",
                        line);
    return;
  }
  if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
    error_ = make_error(Category::network, "net.reset",
                        "the server reset the connection during the TLS handshake");
    return;
  }
  if (ret == MBEDTLS_ERR_SSL_CONN_EOF) {
    error_ = make_error(Category::tls, "tls.handshake",
                        "the server closed the connection during the TLS handshake");
    return;
  }
  error_ =
      make_error(Category::tls, "tls.handshake", "TLS handshake failed: " + mbedtls_message(ret));
}

void Stream::fill_info() {
  info_.version = mbedtls_ssl_get_version(&tls_->ssl);
  info_.cipher = mbedtls_ssl_get_ciphersuite(&tls_->ssl);
  const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&tls_->ssl);
  if (peer != nullptr) {
    char dn[512];
    if (mbedtls_x509_dn_gets(dn, sizeof dn, &peer->subject) > 0) info_.subject = dn;
    if (mbedtls_x509_dn_gets(dn, sizeof dn, &peer->issuer) > 0) info_.issuer = dn;
    info_.days_to_expiry = days_until(peer->valid_to);
  }
  info_.verified = tls_->verify && mbedtls_ssl_get_verify_result(&tls_->ssl) == 0;
  info_.resumed = tls_->resumed;
}

short Stream::poll_events(bool want_write) const {
  if (tls_ && tls_->want_write) return POLLOUT;
  return static_cast<short>(POLLIN | (want_write ? POLLOUT : 0));
}

bool Stream::has_pending() const {
  if (!tls_active_) return false;
  return mbedtls_ssl_get_bytes_avail(&tls_->ssl) > 0 || mbedtls_ssl_check_pending(&tls_->ssl) != 0;
}

void Stream::close() {
  if (fd_ < 0) return;
  // One non-blocking attempt: a server that cannot take 31 bytes now does not need them.
  if (tls_active_) mbedtls_ssl_close_notify(&tls_->ssl);
  ::close(fd_);
  fd_ = -1;
  if (tls_) tls_->fd = -1;
  tls_active_ = false;
}

}  // namespace mv

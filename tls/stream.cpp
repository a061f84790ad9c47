// SPDX-License-Identifier: Apache-2.0
#include "tls/stream.hpp"

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
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

#include "core/limits.hpp"
#include "tls/host_address.hpp"
#include "tls/ip_san.hpp"

namespace mv {

namespace {

bool looks_like_plaintext(const std::string& first) {
  if (first.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(first[0]);
  // TLS records start with a content type 20..23 (control characters); "220 ", "* OK", "+OK",
  // "-ERR" and any banner start with a printable character.
  return std::isalnum(c) || c == '*' || c == '+' || c == '-';
}

std::int64_t unix_time(const mbedtls_x509_time& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.mon - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.min;
  tm.tm_sec = t.sec;
  return static_cast<std::int64_t>(timegm(&tm));
}

long days_until(const mbedtls_x509_time& t) {
  const std::time_t to = static_cast<std::time_t>(unix_time(t));
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
  bool offered = false;         // a saved session was offered for resumption
  bool full_handshake = false;  // the server sent its certificate (see handshake_steps)
  bool verify = true;
  std::string first_bytes;  // see kFirstBytesKept
  // Reached by an IP address: its bytes, checked against the iPAddress SANs (tls/ip_san.hpp),
  // and the addresses the certificate names, for the error.
  std::string ip_address;
  std::string ip_names;

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

  // Runs for each certificate of the chain after mbedTLS's own checks. For the server's own
  // certificate (depth 0) the name verdict becomes ours: 2.28 compares an address only with DNS
  // names and the CN, which must not match it.
  static int verify_ip_cb(void* ctx, mbedtls_x509_crt* cert, int depth, uint32_t* flags) {
    auto* self = static_cast<Tls*>(ctx);
    if (depth != 0) return 0;
    self->ip_names = certificate_ip_names(*cert);
    *flags &= ~static_cast<uint32_t>(MBEDTLS_X509_BADCERT_CN_MISMATCH);
    if (!certificate_names_ip(*cert, self->ip_address)) *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
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
  if (fd_ < 0) return fail_io(make_error(ErrorKind::read, Protocol::none, "stream is closed"));
  if (tls_ && !tls_active_) {
    return fail_io(
        make_error(ErrorKind::tls_read, Protocol::none, "read before the TLS handshake finished"));
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
      if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
        took_ticket();
        continue;
      }
#endif
      // Mail servers often close after QUIT without close_notify; the protocol layer already
      // knows whether the conversation was finished, so a bare TCP close counts as EOF too.
      if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return {IoResult::Status::eof, 0};
      }
      if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
        return fail_io(make_error(ErrorKind::reset, Protocol::none,
                                  "the server reset the connection (TLS read)"));
      }
      if (ret == MBEDTLS_ERR_NET_RECV_FAILED) {
        return fail_io(
            make_error(ErrorKind::read, Protocol::none,
                       std::string("receive failed: ") + std::strerror(tls_->last_errno)));
      }
      return fail_io(make_error(ErrorKind::tls_read, Protocol::none,
                                "TLS read failed: " + mbedtls_message(ret)));
    }
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, cap, 0);
    if (n > 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    if (n == 0) return {IoResult::Status::eof, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0};
    if (errno == ECONNRESET) {
      return fail_io(
          make_error(ErrorKind::reset, Protocol::none, "the server reset the connection"));
    }
    return fail_io(make_error(ErrorKind::read, Protocol::none,
                              std::string("receive failed: ") + std::strerror(errno)));
  }
}

IoResult Stream::write(const char* data, std::size_t len) {
  if (error_) return {IoResult::Status::failed, 0};
  if (fd_ < 0) return fail_io(make_error(ErrorKind::write, Protocol::none, "stream is closed"));
  if (len == 0) return {IoResult::Status::ok, 0};
  if (tls_ && !tls_active_) {
    return fail_io(make_error(ErrorKind::tls_write, Protocol::none,
                              "write before the TLS handshake finished"));
  }
  if (tls_active_) {
    int ret = mbedtls_ssl_write(&tls_->ssl, reinterpret_cast<const unsigned char*>(data), len);
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    while (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
      took_ticket();
      ret = mbedtls_ssl_write(&tls_->ssl, reinterpret_cast<const unsigned char*>(data), len);
    }
#endif
    tls_->want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
    if (ret >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(ret)};
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
      return {IoResult::Status::would_block, 0};
    }
    if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
      return fail_io(make_error(ErrorKind::reset, Protocol::none,
                                "the server reset the connection (TLS write)"));
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED) {
      return fail_io(make_error(ErrorKind::write, Protocol::none,
                                std::string("send failed: ") + std::strerror(tls_->last_errno)));
    }
    return fail_io(make_error(ErrorKind::tls_write, Protocol::none,
                              "TLS write failed: " + mbedtls_message(ret)));
  }
  for (;;) {
    const ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
    if (n >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0};
    if (errno == EPIPE || errno == ECONNRESET) {
      return fail_io(make_error(ErrorKind::reset, Protocol::none,
                                "the server closed or reset the connection"));
    }
    return fail_io(make_error(ErrorKind::write, Protocol::none,
                              std::string("send failed: ") + std::strerror(errno)));
  }
}

void Stream::start_tls(TlsContext& context, const std::string& host_name,
                       const std::string& session_key) {
  if (error_) return;
  if (tls_) {
    error_ =
        make_error(ErrorKind::handshake, Protocol::none, "TLS was already started on this stream");
    return;
  }
  tls_ = std::make_unique<Tls>();
  tls_->fd = fd_;
  tls_->verify = context.verify();
  const std::optional<HostAddress> address = parse_host_address(host_name);
  const bool by_ip = address && address->literal();
  int ret = mbedtls_ssl_setup(&tls_->ssl, context.config());
  // An address is checked by verify_ip_cb alone, and never sent as SNI (RFC 6066 3 allows only
  // names there); NULL is also how 3.6 is told that skipping its own name check is deliberate.
  if (ret == 0) ret = mbedtls_ssl_set_hostname(&tls_->ssl, by_ip ? nullptr : host_name.c_str());
  if (ret != 0) {
    error_ = make_error(ErrorKind::handshake, Protocol::none,
                        "TLS setup failed: " + mbedtls_message(ret));
    return;
  }
  mbedtls_ssl_set_bio(&tls_->ssl, tls_.get(), &Tls::send_cb, &Tls::recv_cb, nullptr);
  if (by_ip) {
    tls_->ip_address = address->bytes;
    mbedtls_ssl_set_verify(&tls_->ssl, &Tls::verify_ip_cb, tls_.get());
  }
  if (!session_key.empty()) {
    context_ = &context;
    session_key_ = session_key;
    tls_->offered = context.offer_session(session_key, tls_->ssl);
  }
}

Stream::Handshake Stream::handshake() {
  if (error_) return Handshake::failed;
  if (!tls_) {
    error_ =
        make_error(ErrorKind::handshake, Protocol::none, "handshake() called before start_tls()");
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
  // The server's first application bytes (a greeting) follow at once; answering them without a
  // delayed ACK saves ~40 ms (notes: mailstack-facts).
  quick_ack();
  return Handshake::done;
}

// A TLS 1.3 NewSessionTicket, after the handshake: saved for the next session to this server
// (the session a TLS 1.3 handshake ends with holds no ticket yet). Postfix writes its two tickets
// as two segments without TCP_NODELAY, so its second one (and the reply behind it) waits for the
// ACK of the first: acknowledge at once instead of after the ~40 ms delayed-ACK timer.
void Stream::took_ticket() {
  if (context_) context_->save_session(session_key_, tls_->ssl);
  quick_ack();
}

// Linux only, best effort: acknowledges what has arrived now and leaves delayed-ACK mode for a
// while (the kernel returns to it by itself).
void Stream::quick_ack() {
#ifdef TCP_QUICKACK
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
}

// mbedtls_ssl_handshake(), one step at a time, to learn whether the server accepted the offered
// session: a full handshake passes through the server's Certificate message, an abbreviated one
// (TLS 1.2 session ticket or ID, TLS 1.3 PSK from a ticket) does not. The state is a public field
// in 2.28 and a private one in 3.x, with the same states in both.
int Stream::handshake_steps() {
  mbedtls_ssl_context& ssl = tls_->ssl;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
  auto& state = ssl.MBEDTLS_PRIVATE(state);
#else
  auto& state = ssl.state;
#endif
  while (state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    if (state == MBEDTLS_SSL_SERVER_CERTIFICATE) tls_->full_handshake = true;
    const int ret = mbedtls_ssl_handshake_step(&ssl);
    if (ret != 0) return ret;
  }
  return 0;
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
      error_ = make_error(ErrorKind::unknown_ca, Protocol::none,
                          "the server's certificate is not signed by a trusted CA: " + why);
    } else if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
      error_ = make_error(ErrorKind::expired, Protocol::none,
                          "the server's certificate has expired: " + why);
    } else if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
      error_ = make_error(ErrorKind::not_yet_valid, Protocol::none,
                          "the server's certificate is not valid yet: " + why);
    } else if ((flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) && !tls_->ip_address.empty()) {
      error_ = make_error(
          ErrorKind::bad_host, Protocol::none,
          "the server's certificate does not name the IP address connected to "
          "in an iPAddress subjectAltName (it names " +
              (tls_->ip_names.empty() ? std::string("no address") : tls_->ip_names) + ")");
    } else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
      error_ = make_error(ErrorKind::bad_host, Protocol::none,
                          "the server's certificate is for another host name: " + why);
    } else {
      error_ =
          make_error(ErrorKind::handshake, Protocol::none,
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
    error_ = make_error(ErrorKind::plaintext_reply, Protocol::none,
                        "the server answered the TLS ClientHello in plaintext: this port does not "
                        "speak implicit TLS (" +
                            mbedtls_message(ret) + ")",
                        line);
    return;
  }
  if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
    error_ = make_error(ErrorKind::reset, Protocol::none,
                        "the server reset the connection during the TLS handshake");
    return;
  }
  if (ret == MBEDTLS_ERR_SSL_CONN_EOF) {
    error_ = make_error(ErrorKind::handshake, Protocol::none,
                        "the server closed the connection during the TLS handshake");
    return;
  }
  error_ = make_error(ErrorKind::handshake, Protocol::none,
                      "TLS handshake failed: " + mbedtls_message(ret));
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
    info_.not_after = unix_time(peer->valid_to);
  }
  info_.verified = tls_->verify && mbedtls_ssl_get_verify_result(&tls_->ssl) == 0;
  info_.resumed = tls_->offered && !tls_->full_handshake;
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

// SPDX-License-Identifier: Apache-2.0
// A connected, non-blocking byte stream over a TCP descriptor, plaintext at first and upgraded in
// place to TLS (implicit TLS: right after connect; STARTTLS: when the protocol says so). The
// handshake verifies the certificate chain and the host name (always set) and, when it fails,
// says why in an Error the engine can diagnose: "tls.unknown_ca", "tls.bad_host", "tls.expired",
// "tls.not_yet_valid", "tls.plaintext_reply" (the server answered our ClientHello in plaintext;
// its first line is in server_says), else "tls.handshake" with mbedTLS's words. I/O errors are
// "net.reset", "net.read", "net.write", "tls.read", "tls.write". Knows nothing of mail.
// Never blocks; the caller polls fd() for poll_events() and keeps the clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "tls/tls_context.hpp"

namespace mv {

struct IoResult {
  enum class Status { ok, would_block, eof, failed };
  Status status = Status::ok;
  std::size_t bytes = 0;
};

// Facts about an established TLS session, for the report.
struct TlsInfo {
  std::string version;         // "TLSv1.3", "TLSv1.2"
  std::string cipher;          // "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"
  std::string subject;         // peer certificate subject
  std::string issuer;          // peer certificate issuer
  long days_to_expiry = 0;     // negative once expired
  std::int64_t not_after = 0;  // the certificate's expiry, Unix seconds (0: no certificate)
  bool verified = false;       // chain and host name checked and good
  bool resumed = false;        // the server accepted the session we offered (abbreviated handshake)
};

class Stream {
 public:
  explicit Stream(int fd);  // takes ownership of a connected non-blocking descriptor
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int fd() const { return fd_; }

  // Reads or writes through TLS once it is active, else plaintext. On failed, error() says why.
  // A TLS write that returned would_block must be retried with the same bytes.
  IoResult read(char* buf, std::size_t cap);
  IoResult write(const char* data, std::size_t len);

  // Starts a client handshake on this descriptor; call handshake() until it is done. The host
  // name is always handed to mbedTLS (SNI and the name check; 2.28 skips the check without it),
  // except an IP address: no SNI then, and the certificate's iPAddress SANs are checked by
  // tls/ip_san instead (a certificate naming the address only in its CN never matches).
  // The context must outlive this stream.
  // With a session_key, a session saved under that key is offered for resumption, and the new
  // session is saved under it once established.
  void start_tls(TlsContext& context, const std::string& host_name,
                 const std::string& session_key = {});
  enum class Handshake { done, want_read, want_write, failed };
  Handshake handshake();

  bool tls_active() const;
  // The poll events to wait for next (POLLIN, or POLLOUT while TLS has output pending).
  short poll_events(bool want_write) const;
  // Decrypted bytes already inside the TLS layer: read them before waiting on the descriptor.
  bool has_pending() const;
  const TlsInfo& tls_info() const { return info_; }
  const Error& error() const { return error_; }

  // Sends close_notify when TLS is active (best effort), then shuts the descriptor.
  void close();

 private:
  struct Tls;
  void fill_info();
  int handshake_steps();
  void fail_handshake(int ret);
  void took_ticket();
  void quick_ack();
  IoResult fail_io(Error error);

  int fd_;
  std::unique_ptr<Tls> tls_;
  TlsInfo info_;
  Error error_;
  bool tls_active_ = false;
  TlsContext* context_ = nullptr;  // where to save the session, when resumption was asked for
  std::string session_key_;
};

}  // namespace mv

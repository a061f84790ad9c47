// A connected, non-blocking byte stream over a TCP descriptor, plaintext at first and upgraded in
// place to TLS (implicit TLS: right after connect; STARTTLS: when the protocol says so). The
// handshake verifies the certificate chain and the host name (always set) and, when it fails,
// says why in an Error the engine can diagnose (unknown CA, wrong host, expired, not yet valid,
// a plaintext answer to our ClientHello). Knows nothing of mail.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "protocols/common/error.hpp"
#include "tls/tls_context.hpp"

namespace mv {

struct IoResult {
  enum class Status { ok, would_block, eof, failed };
  Status status = Status::ok;
  std::size_t bytes = 0;
};

// Facts about an established TLS session, for the report.
struct TlsInfo {
  std::string version;       // "TLSv1.2"
  std::string cipher;        // "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"
  std::string subject;       // peer certificate subject
  std::string issuer;        // peer certificate issuer
  long days_to_expiry = 0;   // negative once expired
  bool verified = false;     // chain and host name checked and good
};

class Stream {
 public:
  explicit Stream(int fd);  // takes ownership of a connected non-blocking descriptor
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int fd() const { return fd_; }

  // Reads or writes through TLS once it is active, else plaintext. On failed, error() says why.
  IoResult read(char* buf, std::size_t cap);
  IoResult write(const char* data, std::size_t len);

  // Starts a client handshake on this descriptor; call handshake() until it is done.
  void start_tls(TlsContext& context, const std::string& host_name);
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
  int fd_;
  std::unique_ptr<Tls> tls_;
  TlsInfo info_;
  Error error_;
  bool tls_active_ = false;
};

}  // namespace mv

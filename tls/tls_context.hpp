// SPDX-License-Identifier: Apache-2.0
// Process-wide TLS client settings shared by every connection: the random generator, the trust
// store (the system CA bundle, or only --cafile when given, loaded once), verification on by
// default, TLS 1.2 as the minimum (TLS 1.3 offered where the library has it: 3.6, the default
// build), X25519 and P-256 offered first (the defaults leave a client waiting on slow curves),
// TLS 1.3 session tickets handed over (Stream saves them). PSA crypto, which 3.x's TLS 1.3 runs
// on, is initialised once per process. Compiles against mbedTLS 2.28 and 3.x.
// Promises: a context that create() returned is ready to use; it must outlive every Stream that
// started TLS with it. Not thread-safe: one engine loop owns it.
#pragma once

#include <memory>
#include <string>

#include "core/error.hpp"

// Same tag in mbedTLS 2.28 and 3.x (`typedef struct mbedtls_ssl_config mbedtls_ssl_config`), so
// users of this header need not include mbedTLS.
struct mbedtls_ssl_config;
struct mbedtls_ssl_context;

namespace mv {

struct TlsContextOptions {
  std::string ca_file;  // empty: the system bundle (/etc/ssl/certs/ca-certificates.crt)
  bool verify = true;   // false only on the user's explicit --insecure
};

// mbedTLS's own words for an error code, for error details.
std::string mbedtls_message(int ret);

// The TLS library and its version as built in, e.g. "mbed TLS 2.28.3".
std::string tls_library_version();

class TlsContext {
 public:
  // The bundle used when TlsContextOptions::ca_file is empty.
  static constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

  // nullptr with error set (usage, "usage.cafile") when the CA file cannot be read or parsed, or
  // (tls, "tls.init") when the random generator cannot be seeded.
  static std::unique_ptr<TlsContext> create(const TlsContextOptions& options, Error& error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }
  bool verify() const;
  // The client configuration every Stream::start_tls() uses.
  const mbedtls_ssl_config* config() const;

  // Session resumption: the last established session per key (e.g. "imap:host:993"), so a second
  // connection to the same server (the devices check) can skip the full handshake.
  void save_session(const std::string& key, const mbedtls_ssl_context& ssl);
  // Offers the saved session for key to a context before its handshake; false when none.
  bool offer_session(const std::string& key, mbedtls_ssl_context& ssl) const;

 private:
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mv

// Process-wide TLS client settings shared by every connection: the random generator, the trust
// store (the system CA bundle, or only --cafile when given, loaded once), verification on by
// default, TLS 1.2 as the minimum. Compiles against mbedTLS 2.28 and 3.x.
#pragma once

#include <memory>
#include <string>

#include "protocols/common/error.hpp"

namespace mv {

struct TlsContextOptions {
  std::string ca_file;       // empty: the system bundle (/etc/ssl/certs/ca-certificates.crt)
  bool verify = true;        // false only on the user's explicit --insecure
};

class TlsContext {
 public:
  // nullptr with error set when the CA file cannot be read or parsed.
  static std::unique_ptr<TlsContext> create(const TlsContextOptions& options, Error& error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }
  bool verify() const;

 private:
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include "tls/tls_context.hpp"

#include <map>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif

namespace mv {

std::string mbedtls_message(int ret) {
  char buf[160];
  mbedtls_strerror(ret, buf, sizeof buf);
  return buf;
}

std::string tls_library_version() {
  return MBEDTLS_VERSION_STRING_FULL;
}

namespace {

// Fast key exchange first (see notes: the default order cost ~50 ms per handshake), then the
// curves real servers' certificates use, because 2.28 also checks the peer key against this list.
// Each only where the mbedTLS build has it (the minimal profile's configuration drops P-521).
#if MBEDTLS_VERSION_NUMBER >= 0x03010000
#define MV_CURVE(iana, legacy) iana
const uint16_t kGroups[] = {
#else
#define MV_CURVE(iana, legacy) legacy
const mbedtls_ecp_group_id kCurves[] = {
#endif
#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
    MV_CURVE(MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_ECP_DP_CURVE25519),
#endif
#if defined(MBEDTLS_ECP_DP_SECP256R1_ENABLED)
    MV_CURVE(MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_ECP_DP_SECP256R1),
#endif
#if defined(MBEDTLS_ECP_DP_SECP384R1_ENABLED)
    MV_CURVE(MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, MBEDTLS_ECP_DP_SECP384R1),
#endif
#if defined(MBEDTLS_ECP_DP_SECP521R1_ENABLED)
    MV_CURVE(MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1, MBEDTLS_ECP_DP_SECP521R1),
#endif
    MV_CURVE(MBEDTLS_SSL_IANA_TLS_GROUP_NONE, MBEDTLS_ECP_DP_NONE)};
#undef MV_CURVE

}  // namespace

struct TlsContext::Impl {
  // One saved session per key; owned here, freed with the context.
  struct SavedSession {
    mbedtls_ssl_session session;
    SavedSession() { mbedtls_ssl_session_init(&session); }
    ~SavedSession() { mbedtls_ssl_session_free(&session); }
    SavedSession(const SavedSession&) = delete;
    SavedSession& operator=(const SavedSession&) = delete;
  };
  std::map<std::string, std::unique_ptr<SavedSession>> sessions;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt ca;
  mbedtls_ssl_config conf;
  bool verify = true;

  Impl() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca);
    mbedtls_ssl_config_init(&conf);
  }
  ~Impl() {
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

bool TlsContext::verify() const {
  return impl_->verify;
}
const mbedtls_ssl_config* TlsContext::config() const {
  return &impl_->conf;
}

void TlsContext::save_session(const std::string& key, const mbedtls_ssl_context& ssl) {
  auto saved = std::make_unique<Impl::SavedSession>();
  if (mbedtls_ssl_get_session(&ssl, &saved->session) == 0) impl_->sessions[key] = std::move(saved);
}

bool TlsContext::offer_session(const std::string& key, mbedtls_ssl_context& ssl) const {
  auto it = impl_->sessions.find(key);
  return it != impl_->sessions.end() && mbedtls_ssl_set_session(&ssl, &it->second->session) == 0;
}

std::unique_ptr<TlsContext> TlsContext::create(const TlsContextOptions& options, Error& error) {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
  // 3.x routes TLS 1.3 and many primitives through PSA: initialised once per process.
  static const bool psa_ready = psa_crypto_init() == PSA_SUCCESS;
  if (!psa_ready) {
    error = make_error(ErrorKind::tls_init, Protocol::none, "PSA crypto could not be initialised");
    return nullptr;
  }
#endif
  auto impl = std::make_unique<Impl>();
  impl->verify = options.verify;

  static const char kPersonal[] = "mailverify-client";
  int ret = mbedtls_ctr_drbg_seed(&impl->drbg, mbedtls_entropy_func, &impl->entropy,
                                  reinterpret_cast<const unsigned char*>(kPersonal),
                                  sizeof kPersonal - 1);
  if (ret != 0) {
    error = make_error(ErrorKind::tls_init, Protocol::none,
                       "cannot seed the random generator: " + mbedtls_message(ret));
    return nullptr;
  }

  // Load the trust store once. Without verification the system bundle is not needed, but a
  // --cafile the user named is still checked so a typo is not silently ignored.
  const bool explicit_ca = !options.ca_file.empty();
  if (options.verify || explicit_ca) {
    const std::string path = explicit_ca ? options.ca_file : kSystemBundle;
    ret = mbedtls_x509_crt_parse_file(&impl->ca, path.c_str());
    // A positive value counts certificates that failed to parse: a distro bundle may hold a few
    // 2.28 cannot read, which is fine as long as some loaded.
    if (ret < 0 || impl->ca.version == 0) {
      std::string what = explicit_ca ? "CA file " : "system CA bundle ";
      error = make_error(ErrorKind::cafile, Protocol::none,
                         what + path + " cannot be loaded: " +
                             (ret < 0 ? mbedtls_message(ret) : "no certificate parsed"));
      return nullptr;
    }
  }

  ret = mbedtls_ssl_config_defaults(&impl->conf, MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (ret != 0) {
    error = make_error(ErrorKind::tls_init, Protocol::none,
                       "TLS configuration: " + mbedtls_message(ret));
    return nullptr;
  }
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
  mbedtls_ssl_conf_min_tls_version(&impl->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
  mbedtls_ssl_conf_min_version(&impl->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
#endif
#if MBEDTLS_VERSION_NUMBER >= 0x03010000
  mbedtls_ssl_conf_groups(&impl->conf, kGroups);
#else
  mbedtls_ssl_conf_curves(&impl->conf, kCurves);
#endif
  mbedtls_ssl_conf_authmode(&impl->conf,
                            options.verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
  mbedtls_ssl_conf_ca_chain(&impl->conf, &impl->ca, nullptr);
  mbedtls_ssl_conf_rng(&impl->conf, mbedtls_ctr_drbg_random, &impl->drbg);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_SESSION_TICKETS)
  // TLS 1.3 tickets arrive after the handshake; 3.6 drops them unless asked to hand them over
  // (Stream::read saves each one, so the next session to the server resumes).
  mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
      &impl->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif

  return std::unique_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

}  // namespace mv

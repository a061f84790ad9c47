// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/sasl.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/common/wipe.hpp"

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include <array>
#include <utility>

namespace mv {

namespace {

constexpr std::array<Mechanism, 5> kAll{Mechanism::plain, Mechanism::login, Mechanism::cram_md5,
                                        Mechanism::xoauth2, Mechanism::oauthbearer};

bool offers(std::span<const Mechanism> offered, Mechanism m) {
  for (Mechanism o : offered) {
    if (o == m) return true;
  }
  return false;
}

// RFC 7628 3.1 / RFC 5801: the authzid in the GS2 header escapes ',' and '='.
std::string gs2_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string cram_md5_response(const Credentials& cred, std::string_view challenge) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char mac[16] = {};
  const int rc = mbedtls_md_hmac(
      mbedtls_md_info_from_type(MBEDTLS_MD_MD5),
      reinterpret_cast<const unsigned char*>(cred.secret.data()), cred.secret.size(),
      reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac);
  if (rc != 0) return {};
  std::string out = cred.user;
  out += ' ';
  for (unsigned char b : mac) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  mbedtls_platform_zeroize(mac, sizeof mac);
  return out;
}

}  // namespace

std::string_view mechanism_name(Mechanism m) {
  switch (m) {
    case Mechanism::plain:
      return "PLAIN";
    case Mechanism::login:
      return "LOGIN";
    case Mechanism::cram_md5:
      return "CRAM-MD5";
    case Mechanism::xoauth2:
      return "XOAUTH2";
    case Mechanism::oauthbearer:
      return "OAUTHBEARER";
  }
  return "UNKNOWN";
}

std::optional<Mechanism> mechanism_from_name(std::string_view name) {
  for (Mechanism m : kAll) {
    if (iequals(name, mechanism_name(m))) return m;
  }
  return std::nullopt;
}

std::optional<Mechanism> choose_mechanism(std::span<const Mechanism> offered, bool is_token,
                                          bool over_tls) {
  static constexpr Mechanism kToken[] = {Mechanism::oauthbearer, Mechanism::xoauth2};
  // PLAIN and LOGIN send the password as is; over TLS they are preferred because they work with
  // any server-side password storage, while CRAM-MD5 needs the cleartext password on the server.
  static constexpr Mechanism kTls[] = {Mechanism::plain, Mechanism::login, Mechanism::cram_md5};
  static constexpr Mechanism kClear[] = {Mechanism::cram_md5, Mechanism::plain, Mechanism::login};
  std::span<const Mechanism> order = is_token   ? std::span<const Mechanism>(kToken)
                                     : over_tls ? std::span<const Mechanism>(kTls)
                                                : std::span<const Mechanism>(kClear);
  for (Mechanism m : order) {
    if (offers(offered, m)) return m;
  }
  return std::nullopt;
}

SaslClient::SaslClient(Mechanism m, Credentials c, std::size_t max_rounds)
    : mech_(m), cred_(std::move(c)), max_rounds_(max_rounds) {}

SaslClient::~SaslClient() {
  wipe(cred_.secret);
}

std::optional<std::string> SaslClient::initial_response() const {
  switch (mech_) {
    case Mechanism::plain: {
      // RFC 4616: authzid (empty: act as the authenticated user) NUL authcid NUL passwd.
      std::string out;
      out += '\0';
      out += cred_.user;
      out += '\0';
      out += cred_.secret;
      return out;
    }
    case Mechanism::xoauth2:
      return "user=" + cred_.user +
             "\x01"
             "auth=Bearer " +
             cred_.secret + "\x01\x01";
    case Mechanism::oauthbearer: {
      std::string out = "n,";
      if (!cred_.user.empty()) out += "a=" + gs2_escape(cred_.user);
      out += ",";
      if (!cred_.host.empty()) out += "\x01host=" + cred_.host;
      if (cred_.port != 0) out += "\x01port=" + std::to_string(cred_.port);
      out +=
          "\x01"
          "auth=Bearer " +
          cred_.secret + "\x01\x01";
      return out;
    }
    case Mechanism::login:
    case Mechanism::cram_md5:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> SaslClient::respond(std::string_view challenge) {
  if (round_ >= max_rounds_) return std::nullopt;
  const std::size_t round = round_++;
  switch (mech_) {
    case Mechanism::plain:
      // Without SASL-IR the server asks with an empty challenge; nothing else is expected.
      if (round == 0 && challenge.empty()) return initial_response();
      return std::nullopt;
    case Mechanism::login:
      // The prompts ("Username:", "Password:") vary between servers; only their order counts.
      if (round == 0) return cred_.user;
      if (round == 1) return cred_.secret;
      return std::nullopt;
    case Mechanism::cram_md5:
      if (round == 0 && !challenge.empty()) return cram_md5_response(cred_, challenge);
      return std::nullopt;
    case Mechanism::xoauth2:
    case Mechanism::oauthbearer:
      if (challenge.empty()) {
        if (round == 0) return initial_response();
        return std::nullopt;
      }
      // The JSON error status: answer so the server finishes with its final failure reply.
      if (!server_error_.empty()) return std::nullopt;
      server_error_.assign(challenge);
      if (mech_ == Mechanism::xoauth2) return std::string{};
      return std::string("\x01");
  }
  return std::nullopt;
}

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include "tls/ip_san.hpp"

#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/x509_crt.h>

#include <cstring>

namespace mv {

namespace {

// GeneralName ::= CHOICE { ... iPAddress [7] IMPLICIT OCTET STRING ... }: the parser keeps each
// entry's raw tag byte and content.
constexpr int kIpAddressTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;

template <typename Visit>
void for_each_ip_entry(const mbedtls_x509_crt& cert, Visit visit) {
  for (const mbedtls_x509_sequence* s = &cert.subject_alt_names; s != nullptr; s = s->next) {
    if (s->buf.p == nullptr || s->buf.tag != kIpAddressTag) continue;
    if (s->buf.len != 4 && s->buf.len != 16) continue;  // malformed: names no address
    visit(s->buf.p, s->buf.len);
  }
}

}  // namespace

bool certificate_names_ip(const mbedtls_x509_crt& cert, const std::string& address) {
  if (address.size() != 4 && address.size() != 16) return false;
  bool found = false;
  for_each_ip_entry(cert, [&](const unsigned char* p, std::size_t len) {
    if (len == address.size() && std::memcmp(p, address.data(), len) == 0) found = true;
  });
  return found;
}

std::string certificate_ip_names(const mbedtls_x509_crt& cert) {
  std::string names;
  for_each_ip_entry(cert, [&](const unsigned char* p, std::size_t len) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(len == 4 ? AF_INET : AF_INET6, p, text, sizeof text);
    if (!names.empty()) names += ", ";
    names += text;
  });
  return names;
}

}  // namespace mv

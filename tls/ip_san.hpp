// SPDX-License-Identifier: Apache-2.0
// The reference-identity check for a server reached by its IP address: the certificate must list
// that address among its subjectAltName iPAddress entries (RFC 5280 4.2.1.6; RFC 6125 and the CA/B
// rules never match an address against the subject CN or a dNSName). mbedTLS 2.28 checks only
// DNS names; 3.6 checks addresses too. This check is ours, so both generations behave alike: it
// reads the raw SAN entries the parser keeps in mbedtls_x509_crt::subject_alt_names, and never
// falls back to accepting a certificate that does not name the address.
#pragma once

#include <string>

// Same tag in mbedTLS 2.28 and 3.x, so users of this header need not include mbedTLS.
struct mbedtls_x509_crt;

namespace mv {

// address: 4 or 16 bytes in network order (HostAddress::bytes).
bool certificate_names_ip(const mbedtls_x509_crt& cert, const std::string& address);

// The iPAddress entries of the certificate as text ("127.0.0.1, ::1"), for the error message.
std::string certificate_ip_names(const mbedtls_x509_crt& cert);

}  // namespace mv

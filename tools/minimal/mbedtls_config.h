// SPDX-License-Identifier: Apache-2.0
/* mbedTLS 3.6 configuration of the minimal profile (the build compiles mbedTLS from Debian 13's
 * source package with this file as MBEDTLS_CONFIG_FILE; see scripts/check-minimal-size.sh).
 *
 * A TLS 1.3 and 1.2 client that verifies certificates against the system CA bundle, and nothing
 * else: ECDHE key exchange only (forward secrecy; what Postfix, Dovecot, Microsoft and Google
 * offer), signed with RSA (PKCS#1 v1.5, and PSS, which TLS 1.3 requires for RSA keys) or ECDSA,
 * AES-GCM or ChaCha20-Poly1305, groups X25519, P-256, P-384. TLS 1.3 resumes from the server's
 * tickets (PSK with ECDHE), so the devices check's second session skips the certificate. SHA-1
 * stays because many trusted roots are SHA-1 self-signed (a root the parser rejects is a root
 * lost), MD5 for CRAM-MD5, SHA-256 for the body digest. PSA crypto is on because TLS 1.3 in 3.6
 * runs on it. Left out: TLS 1.0/1.1, CBC suites, static RSA and DHE key exchange, PSK-only
 * modes, early data, renegotiation, the server side, debug output.
 * Incoming records stay 16 KiB (servers may send full-size records); outgoing ones are 4 KiB:
 * we only ever send commands and a message body, which fragments happily. */
#ifndef MV_MINIMAL_MBEDTLS_CONFIG_H
#define MV_MINIMAL_MBEDTLS_CONFIG_H

/* System support */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE /* certificate validity dates */
#define MBEDTLS_FS_IO          /* --cafile and the system bundle */
#define MBEDTLS_AESNI_C
#define MBEDTLS_AES_FEWER_TABLES

/* TLS: 1.3 and 1.2 client, ECDHE only */
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption from tickets */
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE /* middleboxes that drop unknown-looking TLS */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SESSION_TICKETS       /* resumption for the devices check's second session */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* the report names the server's certificate */
#define MBEDTLS_SSL_CIPHERSUITES                                                                \
  MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_AES_256_GCM_SHA384,                         \
      MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,                                            \
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,                                          \
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,                                            \
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,                                    \
      MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* Certificates */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_MPI_MAX_SIZE 512 /* RSA keys up to 4096 bits */

/* Public-key arithmetic */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM

/* Symmetric ciphers, hashes, key derivation */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C /* 3.6 builds SHA-256 and SHA-224 together */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C /* TLS 1.3 key schedule (PSA HKDF) */

/* PSA crypto (TLS 1.3) and randomness */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* Error texts for the report ("X509 - Certificate verification failed", ...) */
#define MBEDTLS_ERROR_C

#endif /* MV_MINIMAL_MBEDTLS_CONFIG_H */

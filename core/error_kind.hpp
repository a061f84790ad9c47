// SPDX-License-Identifier: Apache-2.0
// What went wrong, as one protocol-neutral list of kinds: every failure any layer reports is one
// of them, with the protocol of the session beside it. The diagnosis switches over the kinds (the
// compiler then names any kind left without a cause and fix), and the stable string codes shown
// in JSON ("smtp.auth_failed", "net.dns", "pop3.stls_refused") are derived from kind and
// protocol in one function, so they never drift. docs/error-codes.md lists them all; a unit test
// regenerates it and fails when it is stale.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mv {

enum class Category {
  none,
  usage,
  network,
  tls,
  protocol,
  auth,
  policy,
  temporary,  // the server refused for now ("try again later"): never the credentials' fault
  delivery,
  interrupted
};

std::string_view category_name(Category c);

// The session's protocol; none for what happens outside a session (usage, the run itself).
enum class Protocol : std::uint8_t { none, smtp, imap, pop3 };

std::string_view protocol_name(Protocol p);  // "smtp", "imap", "pop3", "" for none

// Families decide a code's prefix: net./tls./usage./roundtrip./run./http./json./oauth2./xml./
// discover. are the
// same whatever the session; session kinds take the protocol's name ("imap.auth_failed").
enum class KindFamily : std::uint8_t {
  net,
  tls,
  session,
  usage,
  roundtrip,
  run,
  http,
  json,
  oauth2,
  xml,
  discover
};

// X(kind, family, default category). The kind's name is the code's suffix unless
// error_code() says otherwise for a protocol (POP3 says "stls", SMTP "auth_mechanism_...").
#define MV_ERROR_KINDS(X)                        \
  /* network */                                  \
  X(dns, net, network)                           \
  X(refused, net, network)                       \
  X(timeout, net, network)                       \
  X(unreachable, net, network)                   \
  X(connect, net, network)                       \
  X(read, net, network)                          \
  X(write, net, network)                         \
  X(reset, net, network)                         \
  X(too_slow, net, network)                      \
  X(no_greeting, net, network)                   \
  /* TLS */                                      \
  X(tls_init, tls, tls)                          \
  X(tls_read, tls, tls)                          \
  X(tls_write, tls, tls)                         \
  X(handshake, tls, tls)                         \
  X(unknown_ca, tls, tls)                        \
  X(expired, tls, tls)                           \
  X(not_yet_valid, tls, tls)                     \
  X(bad_host, tls, tls)                          \
  X(plaintext_reply, tls, tls)                   \
  /* a session: connection and TLS upgrade */    \
  X(connection_closed, session, network)         \
  X(truncated, session, network)                 \
  X(greeting_refused, session, protocol)         \
  X(starttls_unavailable, session, tls)          \
  X(starttls_refused, session, tls)              \
  X(starttls_injection, session, tls)            \
  X(preauth_before_tls, session, tls)            \
  X(unexpected_tls, session, usage)              \
  /* a session: authentication */                \
  X(plaintext_auth_refused, session, policy)     \
  X(auth_unavailable, session, auth)             \
  X(mechanism_unavailable, session, auth)        \
  X(no_mechanism, session, auth)                 \
  X(login_disabled, session, auth)               \
  X(auth_failed, session, auth)                  \
  X(bad_credentials, session, usage)             \
  X(bad_challenge, session, protocol)            \
  /* a session: sending */                       \
  X(smtputf8_unsupported, session, delivery)     \
  X(message_too_large, session, delivery)        \
  X(mail_rejected, session, delivery)            \
  X(rcpt_rejected, session, delivery)            \
  X(data_rejected, session, delivery)            \
  /* a session: the mailbox */                   \
  X(select_failed, session, protocol)            \
  X(search_refused, session, protocol)           \
  X(fetch_refused, session, protocol)            \
  X(store_refused, session, protocol)            \
  X(list_refused, session, protocol)             \
  X(stat_failed, session, protocol)              \
  X(list_failed, session, protocol)              \
  X(top_failed, session, protocol)               \
  X(retr_failed, session, protocol)              \
  X(dele_failed, session, protocol)              \
  X(rset_failed, session, protocol)              \
  X(quit_failed, session, protocol)              \
  /* a session: the server broke the protocol */ \
  X(line_too_long, session, protocol)            \
  X(reply_too_large, session, protocol)          \
  X(literal_too_large, session, protocol)        \
  X(malformed_reply, session, protocol)          \
  X(bad_response, session, protocol)             \
  X(bad_greeting, session, protocol)             \
  X(bad_status, session, protocol)               \
  X(bad_stat, session, protocol)                 \
  X(bad_uidl, session, protocol)                 \
  X(bad_list, session, protocol)                 \
  X(listing_too_long, session, protocol)         \
  X(bye, session, protocol)                      \
  X(unexpected_reply, session, protocol)         \
  X(unexpected_response, session, protocol)      \
  X(unexpected_continuation, session, protocol)  \
  X(unexpected_data, session, protocol)          \
  X(unknown_tag, session, protocol)              \
  X(too_many_capabilities, session, protocol)    \
  X(capability_failed, session, protocol)        \
  X(ehlo_refused, session, protocol)             \
  X(helo_refused, session, protocol)             \
  X(closed, session, protocol)                   \
  X(not_ready, session, protocol)                \
  X(internal, session, protocol)                 \
  /* a session: the caller misused the client */ \
  X(bad_argument, session, usage)                \
  X(bad_task, session, usage)                    \
  /* the command line and configuration */       \
  X(usage, usage, usage)                         \
  X(bad_header_value, usage, usage)              \
  X(bad_token, usage, usage)                     \
  X(bad_address, usage, usage)                   \
  X(bad_date, usage, usage)                      \
  X(body_too_large, usage, usage)                \
  X(cafile, usage, usage)                        \
  X(protocol_not_built, usage, usage)            \
  X(trace_file, usage, usage)                    \
  X(no_randomness, usage, usage)                 \
  X(url, usage, usage)                           \
  X(oauth2, usage, usage)                        \
  /* HTTPS for the OAuth2 sign-in */             \
  X(http_status_line, http, protocol)            \
  X(http_header, http, protocol)                 \
  X(http_length, http, protocol)                 \
  X(http_chunk, http, protocol)                  \
  X(http_not_http, http, protocol)               \
  X(http_response, http, protocol)               \
  X(http_too_large, http, protocol)              \
  X(http_truncated, http, protocol)              \
  X(json_syntax, json, protocol)                 \
  X(json_utf8, json, protocol)                   \
  X(json_depth, json, protocol)                  \
  X(json_duplicate_key, json, protocol)          \
  X(json_too_large, json, protocol)              \
  /* the OAuth2 sign-in */                       \
  X(oauth2_listen, oauth2, network)              \
  X(oauth2_redirect, oauth2, protocol)           \
  X(oauth2_no_redirect, oauth2, auth)            \
  X(oauth2_state, oauth2, auth)                  \
  X(oauth2_response, oauth2, protocol)           \
  X(oauth2_refused, oauth2, auth)                \
  /* XML documents of settings discovery */      \
  X(xml_syntax, xml, protocol)                   \
  X(xml_forbidden, xml, protocol)                \
  X(xml_limit, xml, protocol)                    \
  /* one settings-discovery source */            \
  X(discover_not_found, discover, protocol)      \
  X(discover_status, discover, protocol)         \
  X(discover_redirect, discover, protocol)       \
  X(discover_wrong_domain, discover, protocol)   \
  X(discover_document, discover, protocol)       \
  X(discover_needs_auth, discover, auth)         \
  X(discover_refused, discover, protocol)        \
  X(discover_file, discover, usage)              \
  /* the round trip */                           \
  X(not_delivered, roundtrip, delivery)          \
  X(modified, roundtrip, delivery)               \
  X(junk, roundtrip, delivery)                   \
  X(fetch_empty, roundtrip, delivery)            \
  X(interrupted, run, interrupted)               \
  X(no_settings, run, usage)                     \
  X(no_name_server, run, usage)                  \
  X(deadline, run, network)

enum class ErrorKind : std::uint8_t {
  none,
#define MV_KIND_ENUM(kind, family, category) kind,
  MV_ERROR_KINDS(MV_KIND_ENUM)
#undef MV_KIND_ENUM
};

// Every kind but none, in the order above (for tests and the generated list).
std::span<const ErrorKind> all_error_kinds();
std::string_view kind_name(ErrorKind k);
KindFamily kind_family(ErrorKind k);
Category default_category(ErrorKind k);

// The stable code: "net.dns", "smtp.auth_mechanism_unavailable", "pop3.stls_refused". A session
// kind without a protocol gets the prefix "session.".
std::string error_code(ErrorKind k, Protocol p);

// Whether a client of this protocol can report this kind (what the code list documents).
bool emitted_by(ErrorKind k, Protocol p);

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include "core/error_kind.hpp"

#include <array>

namespace mv {

namespace {

struct KindInfo {
  std::string_view name;
  KindFamily family;
  Category category;
};

constexpr KindInfo kKinds[] = {{"none", KindFamily::run, Category::none},
#define MV_KIND_INFO(kind, family, category) {#kind, KindFamily::family, Category::category},
                               MV_ERROR_KINDS(MV_KIND_INFO)
#undef MV_KIND_INFO
};

constexpr std::array kAll = {
#define MV_KIND_LIST(kind, family, category) ErrorKind::kind,
    MV_ERROR_KINDS(MV_KIND_LIST)
#undef MV_KIND_LIST
};

const KindInfo& info(ErrorKind k) {
  return kKinds[static_cast<std::size_t>(k)];
}

using K = ErrorKind;

}  // namespace

std::string_view category_name(Category c) {
  switch (c) {
    case Category::none:
      return "none";
    case Category::usage:
      return "usage";
    case Category::network:
      return "network";
    case Category::tls:
      return "tls";
    case Category::protocol:
      return "protocol";
    case Category::auth:
      return "auth";
    case Category::policy:
      return "policy";
    case Category::temporary:
      return "temporary";
    case Category::delivery:
      return "delivery";
    case Category::interrupted:
      return "interrupted";
  }
  return "unknown";
}

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::none:
      return "";
    case Protocol::smtp:
      return "smtp";
    case Protocol::imap:
      return "imap";
    case Protocol::pop3:
      return "pop3";
  }
  return "";
}

std::span<const ErrorKind> all_error_kinds() {
  return kAll;
}

std::string_view kind_name(ErrorKind k) {
  return info(k).name;
}

KindFamily kind_family(ErrorKind k) {
  return info(k).family;
}

Category default_category(ErrorKind k) {
  return info(k).category;
}

std::string error_code(ErrorKind k, Protocol p) {
  std::string_view name = kind_name(k);
  switch (kind_family(k)) {
    case KindFamily::net:
      return "net." + std::string(name);
    case KindFamily::tls:  // tls_init -> "tls.init"
      return "tls." + std::string(name.starts_with("tls_") ? name.substr(4) : name);
    case KindFamily::usage:
      return k == K::usage ? "usage" : "usage." + std::string(name);
    case KindFamily::roundtrip:
      return "roundtrip." + std::string(name);
    case KindFamily::run:
      return k == K::none ? std::string() : "run." + std::string(name);
    case KindFamily::http:  // http_chunk -> "http.chunk"
      return "http." + std::string(name.substr(5));
    case KindFamily::json:
      return "json." + std::string(name.substr(5));
    case KindFamily::xml:  // xml_limit -> "xml.limit"
      return "xml." + std::string(name.substr(4));
    case KindFamily::discover:  // discover_needs_auth -> "discover.needs_auth"
      return "discover." + std::string(name.substr(9));
    case KindFamily::oauth2:  // oauth2_refused -> "oauth2.refused"; the tool shows the provider's
      return "oauth2." + std::string(name.substr(7));  // own error there ("oauth2.invalid_grant")
    case KindFamily::session:
      break;
  }
  // The names the clients have always used for the same thing in each protocol.
  std::string suffix(name);
  if (p == Protocol::pop3 && name.starts_with("starttls_"))
    suffix = "stls_" + std::string(name.substr(9));
  if (p == Protocol::smtp && k == K::mechanism_unavailable) suffix = "auth_mechanism_unavailable";
  if (p == Protocol::imap && k == K::reply_too_large) suffix = "response_too_large";
  if (p == Protocol::imap && k == K::greeting_refused) suffix = "greeting_bye";
  const std::string_view proto = p == Protocol::none ? "session" : protocol_name(p);
  return std::string(proto) + "." + suffix;
}

bool emitted_by(ErrorKind k, Protocol p) {
  if (kind_family(k) != KindFamily::session) return true;
  switch (k) {
    // every protocol
    case K::connection_closed:
    case K::greeting_refused:
    case K::starttls_unavailable:
    case K::starttls_refused:
    case K::starttls_injection:
    case K::plaintext_auth_refused:
    case K::mechanism_unavailable:
    case K::auth_failed:
    case K::line_too_long:
    case K::unexpected_reply:
    case K::too_many_capabilities:
    case K::bad_challenge:
      return p != Protocol::none;
    // SMTP
    case K::unexpected_tls:
    case K::auth_unavailable:
    case K::message_too_large:
    case K::mail_rejected:
    case K::rcpt_rejected:
    case K::data_rejected:
    case K::malformed_reply:
    case K::ehlo_refused:
    case K::helo_refused:
    case K::bad_argument:
    case K::smtputf8_unsupported:
      return p == Protocol::smtp;
    // SMTP and IMAP
    case K::reply_too_large:
      return p == Protocol::smtp || p == Protocol::imap;
    // IMAP
    case K::preauth_before_tls:
    case K::login_disabled:
    case K::select_failed:
    case K::search_refused:
    case K::fetch_refused:
    case K::store_refused:
    case K::list_refused:
    case K::literal_too_large:
    case K::bad_response:
    case K::bad_greeting:
    case K::bye:
    case K::unexpected_response:
    case K::unexpected_continuation:
    case K::unknown_tag:
    case K::capability_failed:
    case K::not_ready:
    case K::internal:
      return p == Protocol::imap;
    // IMAP and POP3
    case K::no_mechanism:
    case K::bad_credentials:
    case K::closed:
      return p == Protocol::imap || p == Protocol::pop3;
    // POP3
    case K::truncated:
    case K::stat_failed:
    case K::list_failed:
    case K::top_failed:
    case K::retr_failed:
    case K::dele_failed:
    case K::rset_failed:
    case K::quit_failed:
    case K::bad_status:
    case K::bad_stat:
    case K::bad_uidl:
    case K::bad_list:
    case K::listing_too_long:
    case K::unexpected_data:
    case K::bad_task:
      return p == Protocol::pop3;
    default:
      return false;
  }
}

}  // namespace mv

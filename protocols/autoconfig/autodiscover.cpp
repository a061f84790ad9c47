// SPDX-License-Identifier: Apache-2.0
#include "protocols/autoconfig/autodiscover.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/xml/document.hpp"

namespace mv {

namespace {

bool on(std::string_view v, bool absent) {
  return v.empty() ? absent : iequals(v, "on") || iequals(v, "true");
}

std::optional<DiscoveredServer> read_protocol(const XmlElement& p, std::string_view type,
                                              std::vector<std::string>& notes) {
  DiscoveredServer s;
  s.protocol = iequals(type, "IMAP") ? "imap" : iequals(type, "POP3") ? "pop3" : "smtp";
  const std::string what = "<Protocol> " + std::string(type);
  const bool ssl = on(p.child_text("SSL"), true);  // the schema's default is on
  const std::string_view encryption = p.child_text("Encryption");
  // No Port: the protocol's usual one, said in a note.
  const std::string fallback = s.protocol == "smtp"   ? "587"
                               : s.protocol == "imap" ? (ssl ? "993" : "143")
                                                      : (ssl ? "995" : "110");
  const bool port_given = !p.child_text("Port").empty();
  if (!set_host_port(s, p.child_text("Server"), port_given ? p.child_text("Port") : fallback, what,
                     notes))
    return std::nullopt;
  if (!port_given)
    notes.push_back(what + " " + s.host + " names no Port: the protocol's " + fallback +
                    " is assumed");
  // Encryption, when given, says it (SSL: implicit, TLS: STARTTLS, None); SSL on says only
  // "encrypted", and the port's convention tells which way (587/143/110/25: STARTTLS).
  const std::optional<TlsMode> by_port = tls_mode_by_port(s.port);
  if (iequals(encryption, "SSL"))
    s.tls = TlsMode::implicit;
  else if (iequals(encryption, "TLS"))
    s.tls = TlsMode::starttls;
  else if (iequals(encryption, "None"))
    s.tls = TlsMode::none;
  else if (!encryption.empty() && !iequals(encryption, "Auto")) {
    notes.push_back("skipped " + what + " " + s.host + ": the Encryption \"" +
                    sanitize_server_text(encryption, 20) + "\" is none of SSL, TLS, None, Auto");
    return std::nullopt;
  } else if (!ssl && encryption.empty())
    s.tls = TlsMode::none;
  else
    s.tls = by_port.value_or(TlsMode::implicit);
  s.username = std::string(p.child_text("LoginName"));
  if (on(p.child_text("SPA"), false))
    s.auth.emplace_back("SPA");
  else if (s.protocol == "smtp" && !on(p.child_text("AuthRequired"), true))
    s.auth.emplace_back("none");
  else
    s.auth.emplace_back("password-cleartext");
  return s;
}

}  // namespace

std::string autodiscover_request(std::string_view email) {
  XmlElement root;
  root.name = "Autodiscover";
  root.attributes.push_back(
      {"xmlns", "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"});
  XmlElement request;
  request.name = "Request";
  XmlElement address;
  address.name = "EMailAddress";
  address.text = std::string(email);
  XmlElement schema;
  schema.name = "AcceptableResponseSchema";
  schema.text = std::string(kAutodiscoverResponseSchema);
  request.children.push_back(std::move(address));
  request.children.push_back(std::move(schema));
  root.children.push_back(std::move(request));
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" + write_xml(root);
}

std::optional<AutodiscoverAnswer> parse_autodiscover_response(std::string_view document,
                                                              Error& error, const Limits& limits) {
  std::optional<XmlElement> root = parse_xml(document, error, limits);
  if (!root) return std::nullopt;
  const XmlElement* response =
      root->local_name() == "Autodiscover" ? root->child("Response") : nullptr;
  if (!response) {
    error = make_error(ErrorKind::discover_document, Protocol::none,
                       "the document is no Autodiscover response (its root is <" +
                           sanitize_server_text(root->name, 40) + ">)");
    return std::nullopt;
  }
  AutodiscoverAnswer answer;
  const XmlElement* account = response->child("Account");
  const XmlElement* err = response->child("Error");
  if (!err && account) err = account->child("Error");
  if (err) {
    answer.action = AutodiscoverAnswer::Action::error;
    answer.error_code = sanitize_server_text(err->child_text("ErrorCode"), 40);
    answer.error_message = sanitize_server_text(err->child_text("Message"), 200);
    return answer;
  }
  if (!account || response->namespace_uri != kAutodiscoverResponseSchema) {
    error =
        make_error(ErrorKind::discover_document, Protocol::none,
                   account ? "the Autodiscover response is not in the outlook schema (it is \"" +
                                 sanitize_server_text(response->namespace_uri, 120) + "\")"
                           : "the Autodiscover response has no Account");
    return std::nullopt;
  }
  const std::string_view action = account->child_text("Action");
  if (action == "redirectAddr") {
    answer.action = AutodiscoverAnswer::Action::redirect_address;
    answer.redirect = std::string(account->child_text("RedirectAddr"));
  } else if (action == "redirectUrl") {
    answer.action = AutodiscoverAnswer::Action::redirect_url;
    answer.redirect = std::string(account->child_text("RedirectUrl"));
  } else if (action != "settings") {
    error = make_error(ErrorKind::discover_document, Protocol::none,
                       "the Autodiscover Action \"" + sanitize_server_text(action, 40) +
                           "\" is none of settings, redirectAddr, redirectUrl");
    return std::nullopt;
  }
  if (answer.action != AutodiscoverAnswer::Action::settings) {
    if (answer.redirect.empty()) {
      error = make_error(ErrorKind::discover_document, Protocol::none,
                         "the Autodiscover " + std::string(action) + " names no target");
      return std::nullopt;
    }
    if (answer.redirect.size() > limits.max_autodiscover_redirect) {
      error =
          make_error(ErrorKind::discover_document, Protocol::none,
                     "the Autodiscover " + std::string(action) + " names a target longer than " +
                         std::to_string(limits.max_autodiscover_redirect) + " bytes");
      return std::nullopt;
    }
    return answer;
  }
  for (const XmlElement* p : account->children_named("Protocol")) {
    std::string_view type = p->child_text("Type");
    if (type.empty())
      if (const std::string* t = p->attribute("Type")) type = xml_trim(*t);
    if (iequals(type, "IMAP") || iequals(type, "POP3") || iequals(type, "SMTP")) {
      if (std::optional<DiscoveredServer> s = read_protocol(*p, type, answer.notes))
        answer.servers.push_back(std::move(*s));
    } else {
      answer.exchange_only.push_back(sanitize_server_text(type, 40));
    }
  }
  return answer;
}

}  // namespace mv

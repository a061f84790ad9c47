// SPDX-License-Identifier: Apache-2.0
#include "protocols/autoconfig/config_v11.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/xml/document.hpp"

namespace mv {

namespace {

// One incomingServer/outgoingServer entry, or a note saying why it is skipped.
std::optional<DiscoveredServer> read_server(const XmlElement& el, std::string_view email,
                                            std::vector<std::string>& notes) {
  const std::string* type_attr = el.attribute("type");
  const std::string type = type_attr ? std::string(xml_trim(*type_attr)) : std::string();
  const std::string what =
      "<" + std::string(el.local_name()) + " type=\"" + sanitize_server_text(type, 40) + "\">";
  const bool incoming = el.local_name() == "incomingServer";
  if ((incoming && type != "imap" && type != "pop3") || (!incoming && type != "smtp")) {
    notes.push_back("skipped " + what + ": a server type this tool does not check");
    return std::nullopt;
  }
  DiscoveredServer s;
  s.protocol = type;
  if (!set_host_port(s, fill_placeholders(el.child_text("hostname"), email), el.child_text("port"),
                     what, notes))
    return std::nullopt;
  const std::string_view socket = el.child_text("socketType");
  // The format's three words only: "SSL" is implicit TLS, "STARTTLS" the upgrade, "plain" none.
  if (socket == "SSL")
    s.tls = TlsMode::implicit;
  else if (socket == "STARTTLS")
    s.tls = TlsMode::starttls;
  else if (socket == "plain")
    s.tls = TlsMode::none;
  else {
    notes.push_back("skipped " + what + " " + s.host + ":" + std::to_string(s.port) +
                    ": the socketType \"" + sanitize_server_text(socket, 20) +
                    "\" is none of SSL, STARTTLS, plain");
    return std::nullopt;
  }
  s.username = fill_placeholders(el.child_text("username"), email);
  for (const XmlElement* a : el.children_named("authentication")) {
    const std::string_view word = xml_trim(a->text);
    if (!word.empty()) s.auth.emplace_back(word);
  }
  return s;
}

}  // namespace

bool ClientConfig::covers(std::string_view domain) const {
  for (const std::string& d : domains)
    if (iequals(d, domain)) return true;
  return false;
}

std::optional<ClientConfig> parse_client_config(std::string_view document, std::string_view email,
                                                Error& error, const Limits& limits) {
  std::optional<XmlElement> root = parse_xml(document, error, limits);
  if (!root) return std::nullopt;
  if (root->local_name() != "clientConfig") {
    error = make_error(ErrorKind::discover_document, Protocol::none,
                       "the document is no autoconfig clientConfig (its root is <" +
                           sanitize_server_text(root->name, 40) + ">)");
    return std::nullopt;
  }
  const std::vector<const XmlElement*> providers = root->children_named("emailProvider");
  if (providers.empty()) {
    error = make_error(ErrorKind::discover_document, Protocol::none,
                       "the clientConfig document has no emailProvider");
    return std::nullopt;
  }
  ClientConfig config;
  const XmlElement& provider = *providers.front();
  if (providers.size() > 1)
    config.notes.push_back("the document has " + std::to_string(providers.size()) +
                           " emailProvider elements; only the first is read");
  if (const std::string* id = provider.attribute("id")) config.provider_id = *id;
  config.display_name = std::string(provider.child_text("displayName"));
  for (const XmlElement& el : provider.children) {
    const std::string_view name = el.local_name();
    if (name == "domain") {
      if (std::optional<std::string> d = normalize_host(el.text)) config.domains.push_back(*d);
    } else if (name == "incomingServer" || name == "outgoingServer") {
      if (std::optional<DiscoveredServer> s = read_server(el, email, config.notes))
        config.servers.push_back(std::move(*s));
    }
  }
  if (const XmlElement* o = root->child("oAuth2")) {
    config.oauth2 = AutoconfigOAuth2{
        std::string(o->child_text("issuer")), std::string(o->child_text("scope")),
        std::string(o->child_text("authURL")), std::string(o->child_text("tokenURL"))};
  }
  return config;
}

}  // namespace mv

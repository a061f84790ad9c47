// SPDX-License-Identifier: Apache-2.0
// The settings documents of discovery: Thunderbird's clientConfig 1.1 (samples written after
// real ISPDB entries: a multi-server one like GMX's, one with OAuth2 like Google's) and
// Microsoft's Autodiscover POX response (settings, Exchange-only, redirects, errors), and the
// Autodiscover request body.
#include <doctest/doctest.h>

#include <string>

#include "protocols/autoconfig/autodiscover.hpp"
#include "protocols/autoconfig/config_v11.hpp"
#include "protocols/xml/document.hpp"

namespace {

// Modelled on the ISPDB's gmx.com entry: several domains, IMAP and POP3 each with SSL first and
// STARTTLS second, two SMTP entries, calendar and address book elements this tool ignores.
const char* const kMultiServer = R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="freemail.example">
    <domain>freemail.example</domain>
    <domain>FreeMail.Example.ORG</domain>
    <!-- freemail.example.net is the same company, other servers -->
    <displayName>Freemail</displayName>
    <displayShortName>FM</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.freemail.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.freemail.example</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-encrypted</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.%EMAILDOMAIN%</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
      <pop3><leaveMessagesOnServer>true</leaveMessagesOnServer></pop3>
    </incomingServer>
    <incomingServer type="exchange">
      <hostname>outlook.freemail.example</hostname>
      <port>443</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>mail.freemail.example.</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>Mail.Freemail.Example</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
      <addThisServer>true</addThisServer>
    </outgoingServer>
  </emailProvider>
  <calendar type="caldav">
    <username>%EMAILADDRESS%</username>
    <serverURL>https://caldav.freemail.example/</serverURL>
  </calendar>
</clientConfig>
)";

// Modelled on the ISPDB's googlemail.com entry: OAuth2 first, the password second, and the
// top-level oAuth2 element with the provider's endpoints.
const char* const kOAuth2 = R"(<clientConfig version="1.1">
  <emailProvider id="bigmail.example">
    <domain>bigmail.example</domain>
    <incomingServer type="imap">
      <hostname>imap.bigmail.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.bigmail.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://support.bigmail.example/imap"><descr lang="en">IMAP</descr></documentation>
  </emailProvider>
  <oAuth2>
    <issuer>accounts.bigmail.example</issuer>
    <scope>https://mail.bigmail.example/</scope>
    <authURL>https://accounts.bigmail.example/o/oauth2/auth</authURL>
    <tokenURL>https://www.bigmailapis.example/oauth2/v3/token</tokenURL>
  </oAuth2>
</clientConfig>)";

std::string code_of(std::string_view doc) {
  mv::Error e;
  if (mv::parse_client_config(doc, "a@b.example", e)) return "ok";
  return e.code;
}

}  // namespace

TEST_CASE("autoconfig: a multi-server document, in the provider's order, placeholders filled") {
  mv::Error e;
  auto config = mv::parse_client_config(kMultiServer, "Jo.Doe@FreeMail.example", e);
  REQUIRE_MESSAGE(config, e.detail);
  CHECK(config->provider_id == "freemail.example");
  CHECK(config->display_name == "Freemail");
  CHECK(config->covers("freemail.example"));
  CHECK(config->covers("FREEMAIL.example"));
  CHECK(config->covers("freemail.example.org"));
  CHECK_FALSE(config->covers("freemail.example.net"));
  CHECK_FALSE(config->covers("example"));
  REQUIRE(config->servers.size() == 5);
  const auto& s = config->servers;
  CHECK(s[0].protocol == "imap");
  CHECK(s[0].host == "imap.freemail.example");
  CHECK(s[0].port == 993);
  CHECK(s[0].tls == mv::TlsMode::implicit);
  CHECK(s[0].username == "Jo.Doe@FreeMail.example");
  CHECK(s[0].auth == std::vector<std::string>{"password-cleartext"});
  CHECK(s[1].port == 143);
  CHECK(s[1].tls == mv::TlsMode::starttls);
  CHECK(s[1].username == "Jo.Doe");
  CHECK(s[1].auth == std::vector<std::string>{"password-encrypted"});
  CHECK(s[2].protocol == "pop3");
  CHECK(s[2].host == "pop.freemail.example");  // %EMAILDOMAIN% in the host name, lower case
  CHECK(s[3].protocol == "smtp");
  CHECK(s[3].host == "mail.freemail.example");  // trailing dot dropped
  CHECK(s[3].port == 465);
  CHECK(s[4].host == "mail.freemail.example");
  CHECK(s[4].tls == mv::TlsMode::starttls);
  REQUIRE(config->notes.size() == 1);  // the exchange entry
  CHECK(config->notes[0].find("type=\"exchange\"") != std::string::npos);
  CHECK_FALSE(config->oauth2);
}

TEST_CASE("autoconfig: OAuth2 as the first authentication, and the provider's endpoints") {
  mv::Error e;
  auto config = mv::parse_client_config(kOAuth2, "me@bigmail.example", e);
  REQUIRE_MESSAGE(config, e.detail);
  REQUIRE(config->servers.size() == 2);
  CHECK(config->servers[0].auth == std::vector<std::string>{"OAuth2", "password-cleartext"});
  REQUIRE(config->oauth2);
  CHECK(config->oauth2->issuer == "accounts.bigmail.example");
  CHECK(config->oauth2->scope == "https://mail.bigmail.example/");
  CHECK(config->oauth2->auth_url == "https://accounts.bigmail.example/o/oauth2/auth");
  CHECK(config->oauth2->token_url == "https://www.bigmailapis.example/oauth2/v3/token");
}

TEST_CASE("autoconfig: entries a document gets wrong are skipped with the reason") {
  mv::Error e;
  auto config = mv::parse_client_config(
      R"(<clientConfig><emailProvider id="x"><domain>x.example</domain>
      <incomingServer type="imap"><hostname>imap.x.example; rm -rf /</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap.x.example</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap.x.example</hostname><port>993</port><socketType>TLS</socketType></incomingServer>
      <incomingServer type="imap"><hostname>https://imap.x.example/</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <outgoingServer type="imap"><hostname>smtp.x.example</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
      <outgoingServer type="smtp"><hostname>smtp.x.example</hostname><port>25</port><socketType>plain</socketType><futureElement/></outgoingServer>
      </emailProvider></clientConfig>)",
      "a@x.example", e);
  REQUIRE_MESSAGE(config, e.detail);
  REQUIRE(config->servers.size() == 1);
  CHECK(config->servers[0].tls == mv::TlsMode::none);
  CHECK(config->servers[0].username.empty());  // the document names none
  REQUIRE(config->notes.size() == 5);
  CHECK(config->notes[0].find("is not a host name") != std::string::npos);
  CHECK(config->notes[1].find("is not a port") != std::string::npos);
  CHECK(config->notes[2].find("socketType \"TLS\"") != std::string::npos);
  CHECK(config->notes[4].find("does not check") != std::string::npos);
}

TEST_CASE("autoconfig: not a clientConfig, no emailProvider, broken XML") {
  CHECK(code_of("<html><body>Not found</body></html>") == "discover.document");
  CHECK(code_of("<clientConfig version=\"1.1\"></clientConfig>") == "discover.document");
  CHECK(code_of("<clientConfig><emailProvider>") == "xml.syntax");
  CHECK(code_of("{\"json\": true}") == "xml.syntax");
  CHECK(code_of("<!DOCTYPE c [<!ENTITY e 'x'>]><clientConfig/>") == "xml.forbidden");
}

TEST_CASE("autoconfig: placeholders and host names") {
  CHECK(mv::fill_placeholders("%EMAILADDRESS%|%emaillocalpart%|%EMAILDOMAIN%|%REALNAME%",
                              "a.b@c.example") == "a.b@c.example|a.b|c.example|%REALNAME%");
  CHECK(mv::normalize_host(" IMAP.Example.COM. ") == "imap.example.com");
  CHECK_FALSE(mv::normalize_host(""));
  CHECK_FALSE(mv::normalize_host("a..b"));
  // Found by fuzz_xml: "mail.." was accepted as "mail.", which normalises again to "mail".
  CHECK_FALSE(mv::normalize_host("mail.."));
  CHECK_FALSE(mv::normalize_host("."));
  CHECK_FALSE(mv::normalize_host("a b"));
  CHECK_FALSE(mv::normalize_host("host:993"));
  CHECK_FALSE(mv::normalize_host(std::string(64, 'a') + ".example"));
  CHECK(mv::parse_port(" 587 ") == 587u);
  CHECK_FALSE(mv::parse_port("0"));
  CHECK_FALSE(mv::parse_port("65536"));
  CHECK_FALSE(mv::parse_port("-1"));
  CHECK(mv::email_domain("Me@Example.COM") == "example.com");
  CHECK(mv::email_domain("nobody").empty());
}

TEST_CASE("autodiscover: the request body carries the address and the outlook schema only") {
  const std::string body = mv::autodiscover_request("me@contoso.example");
  CHECK(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
  mv::Error e;
  auto root = mv::parse_xml(body, e);
  REQUIRE(root);
  CHECK(root->namespace_uri ==
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006");
  REQUIRE(root->child("Request"));
  CHECK(root->child("Request")->child_text("EMailAddress") == "me@contoso.example");
  CHECK(root->child("Request")->child_text("AcceptableResponseSchema") ==
        mv::kAutodiscoverResponseSchema);
  CHECK(mv::autodiscover_request("a<b@x").find("a&lt;b@x") != std::string::npos);
}

TEST_CASE("autodiscover: IMAP, POP3 and SMTP settings, TLS from Encryption, SSL and the port") {
  mv::Error e;
  auto answer = mv::parse_autodiscover_response(
      R"(<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User><DisplayName>Me</DisplayName></User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXCH</Type><Server>ex.contoso.example</Server>
      </Protocol>
      <Protocol>
        <Type>IMAP</Type><Server>imap.contoso.example</Server><Port>993</Port>
        <LoginName>me@contoso.example</LoginName><DomainRequired>off</DomainRequired>
        <SPA>off</SPA><SSL>on</SSL><AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>POP3</Type><Server>pop.contoso.example</Server><Port>110</Port>
        <SSL>off</SSL><SPA>on</SPA>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type><Server>smtp.contoso.example</Server><Port>587</Port>
        <SSL>on</SSL><AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type><Server>smtp.contoso.example</Server><Port>2525</Port>
        <Encryption>TLS</Encryption>
      </Protocol>
      <Protocol Type="IMAP"><Server>imap2.contoso.example</Server></Protocol>
    </Account>
  </Response>
</Autodiscover>)",
      e);
  REQUIRE_MESSAGE(answer, e.detail);
  CHECK(answer->action == mv::AutodiscoverAnswer::Action::settings);
  CHECK(answer->exchange_only == std::vector<std::string>{"EXCH"});
  REQUIRE(answer->servers.size() == 5);
  const auto& s = answer->servers;
  CHECK(s[0].protocol == "imap");
  CHECK(s[0].tls == mv::TlsMode::implicit);
  CHECK(s[0].username == "me@contoso.example");
  CHECK(s[0].auth == std::vector<std::string>{"password-cleartext"});
  CHECK(s[1].protocol == "pop3");
  CHECK(s[1].tls == mv::TlsMode::none);
  CHECK(s[1].auth == std::vector<std::string>{"SPA"});
  CHECK(s[2].protocol == "smtp");
  CHECK(s[2].tls == mv::TlsMode::starttls);  // SSL on at 587: the port's convention
  CHECK(s[3].port == 2525);
  CHECK(s[3].tls == mv::TlsMode::starttls);  // Encryption TLS
  CHECK(s[4].host == "imap2.contoso.example");
  CHECK(s[4].port == 993);  // no Port: the default, said in a note
  CHECK(answer->notes.size() == 1);
}

TEST_CASE("autodiscover: Exchange-only, redirects and errors") {
  mv::Error e;
  auto answer = mv::parse_autodiscover_response(
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>EXCH</Type><Server>x</Server></Protocol><Protocol><Type>EXPR</Type><Server>mail.contoso.example</Server></Protocol><Protocol><Type>WEB</Type></Protocol></Account></Response></Autodiscover>)",
      e);
  REQUIRE(answer);
  CHECK(answer->servers.empty());
  CHECK(answer->exchange_only == std::vector<std::string>{"EXCH", "EXPR", "WEB"});

  answer = mv::parse_autodiscover_response(
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>me@contoso.onmicrosoft.example</RedirectAddr></Account></Response></Autodiscover>)",
      e);
  REQUIRE(answer);
  CHECK(answer->action == mv::AutodiscoverAnswer::Action::redirect_address);
  CHECK(answer->redirect == "me@contoso.onmicrosoft.example");
  {  // The target is bounded by Limits::max_autodiscover_redirect: its own length passes.
    const std::string addr =
        R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>me@contoso.onmicrosoft.example</RedirectAddr></Account></Response></Autodiscover>)";
    mv::Limits limits;
    limits.max_autodiscover_redirect = 30;
    CHECK(mv::parse_autodiscover_response(addr, e, limits));
    limits.max_autodiscover_redirect = 29;
    CHECK_FALSE(mv::parse_autodiscover_response(addr, e, limits));
    CHECK(e.code == "discover.document");
    CHECK(e.detail.find("longer than 29 bytes") != std::string::npos);
  }

  answer = mv::parse_autodiscover_response(
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectUrl</Action><RedirectUrl>https://autodiscover.other.example/autodiscover/autodiscover.xml</RedirectUrl></Account></Response></Autodiscover>)",
      e);
  REQUIRE(answer);
  CHECK(answer->action == mv::AutodiscoverAnswer::Action::redirect_url);
  CHECK(answer->redirect == "https://autodiscover.other.example/autodiscover/autodiscover.xml");

  answer = mv::parse_autodiscover_response(
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response><Error Time="16:42:44.6745042" Id="2042952150"><ErrorCode>600</ErrorCode><Message>Invalid Request</Message><DebugData /></Error></Response></Autodiscover>)",
      e);
  REQUIRE(answer);
  CHECK(answer->action == mv::AutodiscoverAnswer::Action::error);
  CHECK(answer->error_code == "600");
  CHECK(answer->error_message == "Invalid Request");

  // Not Autodiscover, another schema (ActiveSync's), no Account, a redirect without target.
  CHECK_FALSE(mv::parse_autodiscover_response("<html/>", e));
  CHECK(e.code == "discover.document");
  CHECK_FALSE(mv::parse_autodiscover_response(
      R"(<Autodiscover><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"><Action><Settings/></Action><Account/></Response></Autodiscover>)",
      e));
  CHECK(e.code == "discover.document");
  CHECK_FALSE(mv::parse_autodiscover_response(
      R"(<Autodiscover><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"/></Autodiscover>)",
      e));
  CHECK(e.code == "discover.document");
  CHECK_FALSE(mv::parse_autodiscover_response(
      R"(<Autodiscover><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action></Account></Response></Autodiscover>)",
      e));
  CHECK(e.code == "discover.document");
  CHECK_FALSE(mv::parse_autodiscover_response("<Autodiscover>", e));
  CHECK(e.code == "xml.syntax");
}

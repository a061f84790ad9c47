// SPDX-License-Identifier: Apache-2.0
// Provider presets: domain matching (country variants, no false friends), lookup by name, and the
// retired Microsoft host names.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "tools/presets.hpp"

namespace mv::tool {

namespace {
std::string_view preset_name(std::string_view email) {
  const ProviderPreset* p = preset_for_email(email);
  return p ? p->name : std::string_view("(none)");
}
}  // namespace

TEST_CASE("presets: Microsoft consumer domains, with country variants") {
  for (const char* email : {"me@live.com", "me@hotmail.com", "me@msn.com", "me@outlook.com",
                            "me@hotmail.co.uk", "me@live.fr", "me@outlook.de", "me@live.com.au",
                            "ME@HOTMAIL.IT", "me@outlook.com.br", "me@live.com."}) {
    CAPTURE(email);
    CHECK(preset_name(email) == "microsoft");
  }
  const ProviderPreset& ms = *preset_by_name("microsoft");
  CHECK(ms.imap.host == "outlook.office365.com");
  CHECK(ms.imap.port == 993);
  CHECK(ms.imap.tls == TlsMode::implicit);
  CHECK(ms.pop3.host == "outlook.office365.com");
  CHECK(ms.pop3.port == 995);
  CHECK(ms.smtp.host == "smtp-mail.outlook.com");
  CHECK(ms.smtp.port == 587);
  CHECK(ms.smtp.tls == TlsMode::starttls);
  CHECK(ms.oauth2_only);
  CHECK(std::string_view(ms.note).find("2024-09-16") != std::string_view::npos);
}

TEST_CASE("presets: look-alike domains are not Microsoft's") {
  for (const char* email : {"me@outlook.example.org", "me@mylive.com", "me@live", "me@live.",
                            "me@hotmail.c0m", "me@liveX.com", "me@msn.co.uk.evil.com",
                            "me@outlook.company.co.uk", "me@example.com", "me@", "plain-text"}) {
    CAPTURE(email);
    CHECK(preset_name(email) == "(none)");
  }
}

TEST_CASE("presets: the other providers by domain and their published settings") {
  CHECK(preset_name("a@gmail.com") == "gmail");
  CHECK(preset_name("a@googlemail.com") == "gmail");
  CHECK(preset_name("a@yahoo.co.uk") == "yahoo");
  CHECK(preset_name("a@icloud.com") == "icloud");
  CHECK(preset_name("a@me.com") == "icloud");
  CHECK(preset_name("a@fastmail.com") == "fastmail");
  CHECK(preset_name("a@aol.com") == "aol");
  CHECK(preset_name("a@gmx.com") == "gmx");
  CHECK(preset_name("a@gmx.de") == "gmx.net");
  CHECK(preset_name("a@zoho.com") == "zoho");

  const ProviderPreset& g = *preset_by_name("gmail");
  CHECK(g.imap.host == "imap.gmail.com");
  CHECK(g.pop3.host == "pop.gmail.com");
  CHECK(g.smtp.host == "smtp.gmail.com");
  CHECK(g.smtp.port == 587);
  CHECK(g.smtp_alternative.port == 465);
  CHECK(g.smtp_alternative.tls == TlsMode::implicit);
  CHECK(preset_by_name("yahoo")->smtp.port == 465);
  CHECK(preset_by_name("yahoo")->smtp.tls == TlsMode::implicit);
  CHECK(preset_by_name("icloud")->smtp.host == "smtp.mail.me.com");
  CHECK_FALSE(preset_by_name("icloud")->pop3.present());
  CHECK(preset_by_name("fastmail")->smtp.port == 465);
  CHECK(preset_by_name("aol")->pop3.host == "pop.aol.com");
  CHECK(preset_by_name("gmx")->smtp.host == "mail.gmx.com");
  CHECK(preset_by_name("gmx.net")->imap.host == "imap.gmx.net");
  CHECK(preset_by_name("gmx.net")->smtp.host == "mail.gmx.net");
  CHECK(preset_by_name("zoho")->smtp.host == "smtp.zoho.com");
  const ProviderPreset& o365 = *preset_by_name("OFFICE365");
  CHECK(o365.smtp.host == "smtp.office365.com");
  CHECK(o365.imap.host == "outlook.office365.com");
  CHECK(o365.domains.empty());
  CHECK(preset_by_name("nosuch") == nullptr);
}

TEST_CASE("presets: every preset is complete and names are unique") {
  std::set<std::string_view> names;
  for (const ProviderPreset& p : all_presets()) {
    CAPTURE(p.name);
    CHECK(names.insert(p.name).second);
    CHECK(p.smtp.present());
    CHECK(p.imap.present());
    CHECK(p.imap.port == 993);
    CHECK(!p.note.empty());
    for (std::string_view d : p.domains) {
      std::string domain(d);
      if (domain.ends_with(".*")) domain.replace(domain.size() - 1, 1, "com");
      CHECK(preset_for_email("x@" + domain) == &p);
    }
  }
}

TEST_CASE("presets: retired Microsoft host names map to the current ones") {
  CHECK(current_name_of_legacy_host("imap-mail.outlook.com") == "outlook.office365.com");
  CHECK(current_name_of_legacy_host("pop3.live.com") == "outlook.office365.com");
  CHECK(current_name_of_legacy_host("imap.live.com") == "outlook.office365.com");
  CHECK(current_name_of_legacy_host("SMTP.LIVE.COM.") == "smtp-mail.outlook.com");
  CHECK_FALSE(current_name_of_legacy_host("outlook.office365.com"));
  CHECK_FALSE(current_name_of_legacy_host("smtp-mail.outlook.com"));
}

}  // namespace mv::tool

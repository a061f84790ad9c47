// SPDX-License-Identifier: Apache-2.0
// The HTTPS discovery sources' pieces that need no server: the URLs asked, the registered-domain
// rule that decides whether a redirect leaves the domain, and the local ISPDB (a directory laid
// out like the ISPDB repository, or one file; bounded; trusted because the user named it). The
// fetching itself runs against a real HTTPS server in tests/integration/test_autoconfig.cpp.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/autoconfig_source.hpp"
#include "engine/discovery_urls.hpp"
#include "tools/ispdb_file.hpp"

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path root;
  TempDir() {
    char tmpl[] = "/tmp/mv-ispdb-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    root = tmpl;
  }
  ~TempDir() { fs::remove_all(root); }
  void write(const fs::path& rel, const std::string& text) const {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};

const char* const kEntry = R"(<clientConfig version="1.1"><emailProvider id="example.org">
  <domain>example.org</domain>
  <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port>
    <socketType>SSL</socketType><username>%EMAILLOCALPART%</username>
    <authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>587</port>
    <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username>
    <authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>)";

}  // namespace

TEST_CASE("discovery: the URLs asked for a domain") {
  CHECK(mv::autoconfig_subdomain_url("example.org", "me+x@example.org") ==
        "https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=me%2Bx%40example.org");
  CHECK(mv::autoconfig_well_known_url("example.org", "me@example.org") ==
        "https://example.org/.well-known/autoconfig/mail/"
        "config-v1.1.xml?emailaddress=me%40example.org");
  CHECK(mv::ispdb_url(mv::kIspdbBase, "example.org") ==
        "https://autoconfig.thunderbird.net/v1.1/example.org");
  CHECK(mv::ispdb_url("https://localhost:1234/ispdb", "example.org") ==
        "https://localhost:1234/ispdb/example.org");
  CHECK(mv::autodiscover_urls("example.org") ==
        std::vector<std::string>{"https://example.org/autodiscover/autodiscover.xml",
                                 "https://autodiscover.example.org/autodiscover/autodiscover.xml"});
}

TEST_CASE("discovery: every autoconfig request for an address, in Thunderbird's order") {
  auto all = mv::autoconfig_requests("example.org", "me@example.org");
  REQUIRE(all.size() == 3);
  CHECK(all[0].source == mv::SettingsSource::autoconfig_subdomain);
  CHECK(all[1].source == mv::SettingsSource::autoconfig_well_known);
  CHECK(all[2].source == mv::SettingsSource::ispdb);
  CHECK(all[2].url == "https://autoconfig.thunderbird.net/v1.1/example.org");
  for (const auto& r : all)
    CHECK(r.covered_domain == "example.org");
  all = mv::autoconfig_requests("example.org", "me@example.org", "https://mirror.test/ispdb/",
                                "outlook.com");
  REQUIRE(all.size() == 4);
  CHECK(all[3].source == mv::SettingsSource::ispdb_mx);
  CHECK(all[3].url == "https://mirror.test/ispdb/outlook.com");
  CHECK(all[3].covered_domain == "outlook.com");
  // An MX in the address's own domain asks nothing twice.
  CHECK(mv::autoconfig_requests("example.org", "me@example.org", mv::kIspdbBase, "EXAMPLE.org")
            .size() == 3);
}

TEST_CASE("discovery: registered domains, for redirects that leave the domain") {
  CHECK(mv::registered_domain("autoconfig.example.org") == "example.org");
  CHECK(mv::registered_domain("Mail.Example.ORG.") == "example.org");
  CHECK(mv::registered_domain("example.org") == "example.org");
  CHECK(mv::registered_domain("imap.mail.example.co.uk") == "example.co.uk");
  CHECK(mv::registered_domain("example.co.uk") == "example.co.uk");
  CHECK(mv::registered_domain("a.b.example.de") == "example.de");
  CHECK(mv::registered_domain("localhost") == "localhost");
  CHECK(mv::registered_domain("127.0.0.1") == "127.0.0.1");
  CHECK(mv::registered_domain("::1") == "::1");
  CHECK(mv::host_within("autoconfig.example.org", "example.org"));
  CHECK(mv::host_within("EXAMPLE.org", "example.org"));
  CHECK_FALSE(mv::host_within("badexample.org", "example.org"));
  CHECK_FALSE(mv::host_within("example.org.evil.test", "example.org"));
  CHECK_FALSE(mv::host_within("example.org", ""));
}

TEST_CASE("discovery: the local ISPDB, a directory like the repository or one file") {
  TempDir dir;
  dir.write("ispdb/example.org.xml", kEntry);
  mv::SourceOutcome out = mv::read_local_ispdb(dir.root.string(), "jo@example.org", "example.org");
  REQUIRE_MESSAGE(!out.error, out.error.detail);
  CHECK(out.source == mv::SettingsSource::ispdb_local);
  CHECK(out.origin == (dir.root / "ispdb/example.org.xml").string());
  REQUIRE(out.candidates.size() == 2);
  CHECK(out.candidates[0].role == mv::ServerRole::imap);
  CHECK(out.candidates[0].host == "imap.example.org");
  CHECK(out.candidates[0].username == "jo");
  CHECK(out.candidates[0].identity_trusted);  // the user named the file
  CHECK(out.candidates[1].role == mv::ServerRole::smtp);
  CHECK(out.candidates[1].tls == mv::TlsMode::starttls);

  dir.write("example.org", kEntry);  // <dir>/<domain> comes first, as the ISPDB serves it
  out = mv::read_local_ispdb(dir.root.string(), "jo@example.org", "example.org");
  CHECK(out.origin == (dir.root / "example.org").string());

  out = mv::read_local_ispdb((dir.root / "example.org").string(), "jo@example.org", "example.org");
  CHECK(out.candidates.size() == 2);

  out = mv::read_local_ispdb(dir.root.string(), "jo@other.example", "other.example");
  CHECK(out.error.code == "discover.not_found");
  out = mv::read_local_ispdb(dir.root.string(), "jo@x", "../etc");
  CHECK(out.error.code == "discover.file");
  out = mv::read_local_ispdb((dir.root / "missing.xml").string(), "jo@example.org", "example.org");
  CHECK(out.error.code == "discover.file");
  CHECK(out.error.detail.find("missing.xml") != std::string::npos);

  // The file covers example.org, not the address's domain.
  out = mv::read_local_ispdb((dir.root / "example.org").string(), "jo@example.net", "example.net");
  CHECK(out.error.code == "discover.wrong_domain");
  CHECK(out.candidates.empty());

  // Bounded: a file over the document limit is refused without reading it all.
  mv::Limits small;
  small.max_xml_document = 64;
  out = mv::read_local_ispdb((dir.root / "example.org").string(), "jo@example.org", "example.org",
                             small);
  CHECK(out.error.code == "xml.limit");
}

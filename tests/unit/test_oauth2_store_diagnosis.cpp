// SPDX-License-Identifier: Apache-2.0
// The grant store (modes, refusal of loose permissions, atomic replace, file names, damaged files)
// and the OAuth2 diagnosis: provider refusals mapped to one cause and fix, refused JWTs explained
// from their claims, opaque tokens left alone.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/oauth2_diagnosis.hpp"
#include "protocols/common/base64url.hpp"
#include "tools/grant_store.hpp"

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mv-grants-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string jwt(const std::string& claims) {
  return mv::base64url_encode(R"({"typ":"JWT","alg":"RS256"})") + "." +
         mv::base64url_encode(claims) + ".c2ln";
}

}  // namespace

TEST_CASE("grant store: 0700 directory, 0600 file, round trip, logout") {
  TempDir t;
  const std::string dir = (t.path / "state" / "mailverify").string();
  mv::tool::StoredGrant g;
  g.provider = "microsoft";
  g.client_id = "id";
  g.token_url = "https://login.microsoftonline.com/consumers/oauth2/v2.0/token";
  g.scope = "offline_access https://outlook.office.com/SMTP.Send";
  g.refresh_token = "RT \"quoted\"";
  g.access_token = "AT";
  g.expires_at = 1800000000;
  {
    mv::tool::GrantStore store;
    REQUIRE(store.open(dir, "Me@Outlook.com") == "");
    CHECK(store.path() == dir + "/me@outlook.com.json");
    std::string err;
    CHECK_FALSE(store.load(err));
    CHECK(err.empty());
    REQUIRE(store.save(g) == "");
  }
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir + "/me@outlook.com.json") == 0600);
  CHECK_FALSE(fs::exists(dir + "/me@outlook.com.json.tmp"));
  mv::tool::GrantStore store;
  REQUIRE(store.open(dir, "me@outlook.com") == "");
  std::string err;
  auto back = store.load(err);
  REQUIRE(back);
  CHECK(back->refresh_token == "RT \"quoted\"");
  CHECK(back->expires_at == 1800000000);
  CHECK(back->scope == g.scope);
  {  // Bounded by Limits::max_grant_file: the file's own size passes, one byte less is damaged.
    // (One store at a time: each holds the directory's lock while it lives.)
    mv::Limits limits;
    std::string bounded_err;
    limits.max_grant_file = fs::file_size(store.path());
    {
      mv::tool::GrantStore exact(limits);
      REQUIRE(exact.open(dir + "-bounded", "me@outlook.com") == "");
      fs::copy_file(store.path(), exact.path());
      CHECK(exact.load(bounded_err));
    }
    --limits.max_grant_file;
    mv::tool::GrantStore smaller(limits);
    REQUIRE(smaller.open(dir + "-bounded", "me@outlook.com") == "");
    CHECK_FALSE(smaller.load(bounded_err));
    CHECK(bounded_err.find("damaged") != std::string::npos);
  }
  CHECK(store.remove(err));
  CHECK_FALSE(store.remove(err));
  CHECK(err.empty());
}

TEST_CASE("grant store: loose permissions and damaged files are refused with the fix") {
  TempDir t;
  const std::string dir = (t.path / "mailverify").string();
  {
    mv::tool::GrantStore store;
    REQUIRE(store.open(dir, "a@b.c") == "");
    mv::tool::StoredGrant g;
    g.refresh_token = "x";
    REQUIRE(store.save(g) == "");
  }
  ::chmod(dir.c_str(), 0755);
  {
    mv::tool::GrantStore store;
    const std::string err = store.open(dir, "a@b.c");
    CHECK(err.find("mode 0755") != std::string::npos);
    CHECK(err.find("chmod 700 " + dir) != std::string::npos);
  }
  ::chmod(dir.c_str(), 0700);
  ::chmod((dir + "/a@b.c.json").c_str(), 0644);
  {
    mv::tool::GrantStore store;
    CHECK(store.open(dir, "a@b.c").find("chmod 600") != std::string::npos);
  }
  ::chmod((dir + "/a@b.c.json").c_str(), 0600);
  std::ofstream(dir + "/a@b.c.json") << "{\"refresh_token\":";
  mv::tool::GrantStore store;
  REQUIRE(store.open(dir, "a@b.c") == "");
  std::string err;
  CHECK_FALSE(store.load(err));
  CHECK(err.find("damaged") != std::string::npos);
}

TEST_CASE("grant store: file names cannot leave the directory") {
  CHECK(mv::tool::GrantStore::file_name("../../etc/x@y").find('/') == std::string::npos);
  CHECK(mv::tool::GrantStore::file_name("A b@c.d") == "a%20b@c.d.json");
  CHECK(mv::tool::GrantStore::file_name(".hidden@x") == "%2Ehidden@x.json");
}

TEST_CASE("oauth2 diagnosis: provider refusals name the cause and the fix") {
  mv::OAuthHint hint{"Microsoft", "1234", "verify-roundtrip --email a@outlook.com --oauth2-login"};
  auto diag = [&](std::string code, std::int64_t aadsts) {
    mv::OAuthError r{std::move(code), "AADSTS" + std::to_string(aadsts) + ": words", {aadsts}, 400};
    return mv::diagnose_oauth_refusal(r, hint, "oauth2.token");
  };
  CHECK(diag("unauthorized_client", 700016).category == mv::Category::usage);
  CHECK(diag("unauthorized_client", 700016).cause.find("client ID 1234") != std::string::npos);
  CHECK(diag("invalid_client", 7000218).fix.find("Allow public client flows") != std::string::npos);
  CHECK(diag("invalid_grant", 65001).cause.find("consent") != std::string::npos);
  CHECK(diag("invalid_request", 9002331).cause.find("personal vs work") != std::string::npos);
  CHECK(diag("invalid_grant", 50020).cause.find("personal vs work") != std::string::npos);
  CHECK(diag("invalid_grant", 50076).category == mv::Category::policy);
  CHECK(diag("invalid_grant", 50079).cause.find("multi-factor") != std::string::npos);
  CHECK(diag("invalid_grant", 53003).cause.find("Conditional Access") != std::string::npos);
  const mv::Error revoked = diag("invalid_grant", 50173);
  CHECK(revoked.code == "oauth2.invalid_grant");
  CHECK(revoked.fix == "sign in again with: verify-roundtrip --email a@outlook.com --oauth2-login");
  CHECK(revoked.server_says == "AADSTS50173: words");
  mv::OAuthError expired{"expired_token", "", {}, 400};
  CHECK(mv::diagnose_oauth_refusal(expired, hint, "oauth2.token").cause.find("code") !=
        std::string::npos);
}

TEST_CASE("oauth2 diagnosis: a refused JWT is explained from its claims, an opaque one is not") {
  const std::int64_t now = 1800000000;
  auto explain = [&](const std::string& token, const char* protocol = "smtp") {
    mv::Error e;
    e.cause = "the OAuth2 token was refused";
    mv::explain_refused_token(e, token, "me@contoso.com", protocol, now);
    return e.cause;
  };
  CHECK(
      explain(
          jwt(R"({"aud":"https://outlook.office.com","scp":"SMTP.Send","exp":1799999000,"upn":"me@contoso.com"})"))
          .find("expired 16 minutes ago") != std::string::npos);
  CHECK(
      explain(
          jwt(R"({"aud":"https://graph.microsoft.com","scp":"IMAP.AccessAsUser.All SMTP.Send","exp":1900000000})"))
          .find("another resource") != std::string::npos);
  CHECK(
      explain(
          jwt(R"({"aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All","exp":1900000000,"upn":"me@contoso.com"})"))
          .find("lacks SMTP.Send") != std::string::npos);
  CHECK(
      explain(
          jwt(R"({"aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All","exp":1900000000,"upn":"me@contoso.com"})"),
          "pop3")
          .find("lacks POP.AccessAsUser.All") != std::string::npos);
  CHECK(
      explain(
          jwt(R"({"aud":"https://outlook.office.com","scp":"SMTP.Send","exp":1900000000,"upn":"other@contoso.com"})"))
          .find("another mailbox") != std::string::npos);
  CHECK(explain("EwBIA8l6BAAUopaque-consumer-token") == "the OAuth2 token was refused");
  CHECK(
      explain(jwt(
          R"({"aud":"https://outlook.office.com","scp":"SMTP.Send","exp":1900000000,"upn":"me@contoso.com"})")) ==
      "the OAuth2 token was refused");  // nothing wrong to be seen: no guess
}

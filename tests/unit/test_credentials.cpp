// SPDX-License-Identifier: Apache-2.0
// Secret sources (env, file, command), ~/.netrc parsing and lookup with a temporary HOME, and the
// resolution of the SMTP and mailbox identities. No secret may appear in an error message.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tools/credentials.hpp"
#include "tools/identities.hpp"
#include "tools/netrc.hpp"

namespace mv::tool {

namespace {

namespace fs = std::filesystem;

constexpr const char* kCanary = "Canary-s3cret-7Q";

// A scratch directory as $HOME for the duration of a test; the old HOME comes back after.
struct TempHome {
  fs::path dir;
  std::string old_home;
  bool had_home;
  TempHome() {
    char tmpl[] = "/tmp/mv-home-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    const char* h = std::getenv("HOME");
    had_home = h != nullptr;
    if (h) old_home = h;
    ::setenv("HOME", dir.c_str(), 1);
  }
  ~TempHome() {
    if (had_home)
      ::setenv("HOME", old_home.c_str(), 1);
    else
      ::unsetenv("HOME");
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& text, fs::perms perms) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    fs::permissions(dir / name, perms);
  }
};

SecretSources command_source(const std::string& cmd) {
  SecretSources s;
  s.option = "--password-cmd";
  s.command = cmd;
  s.allow_prompt = false;
  return s;
}

}  // namespace

TEST_CASE("credentials: environment variable, file, literal") {
  ::setenv("MV_UNIT_PW", "pw-from-env\r\n", 1);
  SecretSources env;
  env.option = "--password-env";
  env.env_var = "MV_UNIT_PW";
  CHECK(read_secret(env).secret == "pw-from-env");
  env.env_var = "MV_UNIT_UNSET_VARIABLE";
  ::unsetenv("MV_UNIT_UNSET_VARIABLE");
  SecretResult unset = read_secret(env);
  CHECK_FALSE(unset.secret);
  CHECK(unset.error.find("MV_UNIT_UNSET_VARIABLE") != std::string::npos);
  ::setenv("MV_UNIT_PW", "", 1);
  env.env_var = "MV_UNIT_PW";
  CHECK(read_secret(env).error.find("empty") != std::string::npos);

  TempHome home;
  home.write("pw", std::string(kCanary) + "\nsecond line\n", fs::perms::owner_read);
  SecretSources file;
  file.option = "--password-file";
  file.file = (home.dir / "pw").string();
  CHECK(read_secret(file).secret == kCanary);
  file.file = (home.dir / "missing").string();
  SecretResult missing = read_secret(file);
  CHECK_FALSE(missing.secret);
  CHECK(missing.error.find("missing") != std::string::npos);

  SecretSources literal;
  literal.literal = kCanary;
  SecretResult lit = read_secret(literal);
  CHECK(lit.secret == kCanary);
  CHECK(lit.warning.find("process list") != std::string::npos);
  CHECK(lit.warning.find(kCanary) == std::string::npos);
}

TEST_CASE("credentials: a secret longer than Limits::max_secret is refused, naming its source") {
  Limits limits;
  limits.max_secret = 6;
  CHECK(read_secret(command_source("printf 'secret\\nmore'"), limits).secret == "secret");
  CHECK(read_secret(command_source("printf 'secret\\r\\n'"), limits).secret == "secret");
  ::setenv("MV_UNIT_LONG_SECRET", "secret7", 1);
  const SecretResult long_cmd =
      read_secret(command_source("printf '%s\\n' \"$MV_UNIT_LONG_SECRET\""), limits);
  CHECK_FALSE(long_cmd.secret);
  CHECK(long_cmd.error.find("longer than 6 bytes") != std::string::npos);
  CHECK(long_cmd.error.find("secret7") == std::string::npos);

  TempHome home;
  home.write("ok", "secret\r\nsecond line\n", fs::perms::owner_read);
  home.write("long", "secret7\n", fs::perms::owner_read);
  SecretSources file;
  file.option = "--password-file";
  file.file = (home.dir / "ok").string();
  CHECK(read_secret(file, limits).secret == "secret");
  file.file = (home.dir / "long").string();
  const SecretResult long_file = read_secret(file, limits);
  CHECK_FALSE(long_file.secret);
  CHECK(long_file.error.find("longer than 6 bytes") != std::string::npos);
  CHECK(long_file.error.find("--password-file") != std::string::npos);
  CHECK(long_file.error.find("secret7") == std::string::npos);
}

TEST_CASE("credentials: --password-cmd takes the first line, errors name the command only") {
  SecretResult ok = read_secret(command_source("printf 'first\\nsecond\\n'"));
  CHECK(ok.secret == "first");
  CHECK(ok.error.empty());
  CHECK(read_secret(command_source("printf %s no-newline")).secret == "no-newline");

  SecretResult failed = read_secret(command_source(std::string("echo ") + kCanary + "; exit 4"));
  CHECK_FALSE(failed.secret);
  CHECK(failed.error.find("exit status 4") != std::string::npos);
  CHECK(failed.error.find("--password-cmd") != std::string::npos);
  CHECK(failed.error.find("echo ") != std::string::npos);  // the command is named...
  // ...but its output is not repeated (the canary appears once: inside the command text).
  CHECK(failed.error.find(kCanary) == failed.error.rfind(kCanary));
  CHECK(failed.error.find("failed") != std::string::npos);

  SecretResult empty = read_secret(command_source("true"));
  CHECK_FALSE(empty.secret);
  CHECK(empty.error.find("printed nothing") != std::string::npos);
  ::setenv("MV_UNIT_HIDDEN", "hidden-value-42", 1);
  SecretResult blank_first = read_secret(command_source("printf '\\n%s\\n' \"$MV_UNIT_HIDDEN\""));
  CHECK_FALSE(blank_first.secret);
  CHECK(blank_first.error.find("printed nothing") != std::string::npos);
  CHECK(blank_first.error.find("hidden-value-42") == std::string::npos);
  SecretResult killed = read_secret(command_source("kill -9 $$"));
  CHECK_FALSE(killed.secret);
  CHECK(killed.error.find("signal") != std::string::npos);
}

TEST_CASE("netrc: machine entries, default, quoting, comments and macdef") {
  const std::string text =
      "# my logins\n"
      "machine imap.example.com login alice password pw-alice\n"
      "machine IMAP.example.com\n  login bob\n  password \"pw with space\"\n"
      "macdef init\nmachine imap.example.com login mallory password macro-body\n\n"
      "machine smtp.example.com login alice account x password \"q\\\"uote\"\n"
      "machine nopass.example.com login alice\n"
      "default login anyone password pw-default\n";
  auto alice = netrc_lookup(text, "imap.example.com", "alice");
  REQUIRE(alice);
  CHECK(alice->login == "alice");
  CHECK(alice->password == "pw-alice");
  auto bob = netrc_lookup(text, "imap.example.com", "bob");
  REQUIRE(bob);
  CHECK(bob->password == "pw with space");
  CHECK(netrc_lookup(text, "imap.example.com", "")->login == "alice");  // the first entry
  CHECK(netrc_lookup(text, "smtp.example.com", "alice")->password == "q\"uote");
  // The macro body is not an entry; an unknown user falls to default only if its login fits.
  CHECK_FALSE(netrc_lookup(text, "imap.example.com", "mallory"));
  CHECK(netrc_lookup(text, "other.example.com", "anyone")->password == "pw-default");
  CHECK(netrc_lookup(text, "nopass.example.com", "")->password == "pw-default");
  CHECK_FALSE(netrc_lookup(text, "other.example.com", "alice"));
  CHECK(netrc_lookup("default password catch-all", "x", "whoever")->password == "catch-all");
  CHECK_FALSE(netrc_lookup("", "x", ""));
  CHECK_FALSE(netrc_lookup("machine", "machine", ""));
  CHECK_FALSE(netrc_lookup("machine x login", "x", ""));
  CHECK_FALSE(netrc_lookup("password orphan machine x", "x", ""));
}

TEST_CASE("netrc: looked up in $HOME, warns about a file others can read") {
  TempHome home;
  std::string warning;
  CHECK_FALSE(netrc_lookup_home("imap.example.com", "", warning));
  home.write(".netrc", "machine imap.example.com login alice password pw1\n",
             fs::perms::owner_read | fs::perms::owner_write);
  auto found = netrc_lookup_home("imap.example.com", "", warning);
  REQUIRE(found);
  CHECK(found->password == "pw1");
  CHECK(warning.empty());
  fs::permissions(home.dir / ".netrc", fs::perms::group_read, fs::perm_options::add);
  CHECK(netrc_lookup_home("imap.example.com", "", warning));
  CHECK(warning.find("chmod 600") != std::string::npos);
}

TEST_CASE("netrc: only the first Limits::max_netrc_file bytes are read") {
  TempHome home;
  const std::string first = "machine other.example.com login bob password pw0\n";
  const std::string text = first + "machine imap.example.com login alice password pw1\n";
  home.write(".netrc", text, fs::perms::owner_read | fs::perms::owner_write);
  std::string warning;
  Limits limits;
  limits.max_netrc_file = first.size();  // the second entry lies past the bound: not seen
  CHECK(netrc_lookup_home("other.example.com", "", warning, limits));
  CHECK_FALSE(netrc_lookup_home("imap.example.com", "", warning, limits));
  limits.max_netrc_file = text.size();
  auto whole = netrc_lookup_home("imap.example.com", "", warning, limits);
  REQUIRE(whole);
  CHECK(whole->password == "pw1");
}

namespace {
ToolOptions two_host_options() {
  ToolOptions o;
  o.config.email = "alice@example.com";
  o.config.smtp.endpoint.host = "smtp.example.com";
  o.config.smtp.endpoint.port = 587;
  o.config.incoming.endpoint.host = "imap.example.com";
  o.config.incoming.endpoint.port = 993;
  o.login.sources.allow_prompt = false;
  return o;
}
}  // namespace

TEST_CASE("identities: one secret for both sessions, read once") {
  TempHome home;  // no .netrc
  ToolOptions o = two_host_options();
  const std::string counter = (home.dir / "count").string();
  o.login.sources = command_source("echo run >> " + counter + "; printf %s pw-shared");
  o.login.sources.option = "--password-cmd";
  std::vector<std::string> warnings;
  REQUIRE(resolve_identities(o, warnings) == "");
  REQUIRE(o.config.smtp.credentials);
  REQUIRE(o.config.incoming.credentials);
  CHECK(o.config.smtp.credentials->user == "alice@example.com");
  CHECK(o.config.smtp.credentials->secret == "pw-shared");
  CHECK(o.config.incoming.credentials->secret == "pw-shared");
  CHECK(o.config.incoming.credentials->host == "imap.example.com");
  CHECK_FALSE(o.config.smtp.mechanism);  // a password: negotiate
  std::ifstream in(counter);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  CHECK(all == "run\n");  // the command ran once
}

TEST_CASE("identities: SMTP's own user and secret, token mechanism, --no-auth") {
  TempHome home;
  ::setenv("MV_UNIT_SMTP_PW", "pw-smtp", 1);
  ::setenv("MV_UNIT_IMAP_PW", "pw-imap", 1);
  ToolOptions o = two_host_options();
  o.login.user = "alice";
  o.login.sources.option = "--password-env";
  o.login.sources.env_var = "MV_UNIT_IMAP_PW";
  IdentityPlan smtp;
  smtp.user = "relay-user";
  smtp.sources.option = "--smtp-password-env";
  smtp.sources.env_var = "MV_UNIT_SMTP_PW";
  o.smtp_identity = smtp;
  std::vector<std::string> warnings;
  REQUIRE(resolve_identities(o, warnings) == "");
  CHECK(o.config.smtp.credentials->user == "relay-user");
  CHECK(o.config.smtp.credentials->secret == "pw-smtp");
  CHECK(o.config.incoming.credentials->user == "alice");
  CHECK(o.config.incoming.credentials->secret == "pw-imap");

  ToolOptions t = two_host_options();
  t.login.sources = command_source("printf %s tok123");
  t.login.is_token = true;
  REQUIRE(resolve_identities(t, warnings) == "");
  CHECK(t.config.smtp.credentials->is_token);
  CHECK(t.config.smtp.mechanism == Mechanism::xoauth2);
  CHECK(t.config.incoming.mechanism == Mechanism::xoauth2);
  t = two_host_options();
  t.login.sources = command_source("printf %s tok123");
  t.login.is_token = true;
  t.mechanism = Mechanism::oauthbearer;  // --auth wins
  REQUIRE(resolve_identities(t, warnings) == "");
  CHECK(t.config.incoming.mechanism == Mechanism::oauthbearer);

  ToolOptions noauth = two_host_options();
  noauth.smtp_login = false;
  noauth.login.sources = command_source("printf %s pw");
  REQUIRE(resolve_identities(noauth, warnings) == "");
  CHECK_FALSE(noauth.config.smtp.credentials);
  CHECK(noauth.config.incoming.credentials);
}

TEST_CASE("identities: ~/.netrc by host only when no source is named; else a clear error") {
  TempHome home;
  home.write(".netrc",
             "machine smtp.example.com login smtp-login password pw-netrc-smtp\n"
             "machine imap.example.com login alice@example.com password pw-netrc-imap\n",
             fs::perms::owner_read);
  ToolOptions o = two_host_options();
  std::vector<std::string> warnings;
  REQUIRE(resolve_identities(o, warnings) == "");
  CHECK(o.config.smtp.credentials->user == "smtp-login");  // no --user: the entry's login
  CHECK(o.config.smtp.credentials->secret == "pw-netrc-smtp");
  CHECK(o.config.incoming.credentials->secret == "pw-netrc-imap");

  ToolOptions named = two_host_options();
  named.login.sources = command_source("printf %s pw-cmd");
  REQUIRE(resolve_identities(named, warnings) == "");
  CHECK(named.config.incoming.credentials->secret == "pw-cmd");  // a named source wins

  ToolOptions other_user = two_host_options();
  other_user.login.user = "bob";  // no entry for bob, no prompt: error
  std::string err = resolve_identities(other_user, warnings);
  CHECK(err.find("no password for bob") != std::string::npos);
  CHECK(err.find("pw-netrc") == std::string::npos);

  ToolOptions failing = two_host_options();
  failing.login.sources = command_source(std::string("printf %s ") + kCanary + "; false");
  err = resolve_identities(failing, warnings);
  CHECK(err.find("exit status 1") != std::string::npos);
  for (const std::string& w : warnings)
    CHECK(w.find(kCanary) == std::string::npos);
}

TEST_CASE("identities: a password for an OAuth2-only provider warns with the provider's note") {
  TempHome home;
  ToolOptions o = two_host_options();
  o.preset = preset_by_name("microsoft");
  o.login.sources = command_source("printf %s pw");
  std::vector<std::string> warnings;
  REQUIRE(resolve_identities(o, warnings) == "");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("OAuth2") != std::string::npos);
  // Hosts of the user's own (--host): the provider's policy is not theirs to assume.
  CHECK(o.config.smtp.refuses_passwords.empty());
  CHECK(o.config.incoming.refuses_passwords.empty());
}

TEST_CASE("identities: on the provider's own servers its password policy goes to the diagnosis") {
  TempHome home;
  ToolOptions o = two_host_options();
  o.preset = preset_by_name("microsoft");
  o.config.smtp.endpoint.host = "smtp-mail.outlook.com";
  o.config.incoming.endpoint.host = "Outlook.Office365.com";
  o.login.sources = command_source("printf %s pw");
  std::vector<std::string> warnings;
  REQUIRE(resolve_identities(o, warnings) == "");
  CHECK(o.config.smtp.refuses_passwords == o.preset->note);
  CHECK(o.config.incoming.refuses_passwords == o.preset->note);

  ToolOptions token = two_host_options();
  token.preset = o.preset;
  token.config.incoming.endpoint.host = "outlook.office365.com";
  token.login.sources = command_source("printf %s tok");
  token.login.is_token = true;
  REQUIRE(resolve_identities(token, warnings) == "");
  CHECK(token.config.incoming.refuses_passwords.empty());
}

}  // namespace mv::tool

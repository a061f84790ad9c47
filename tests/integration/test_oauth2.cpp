// SPDX-License-Identifier: Apache-2.0
// OAuth2 sign-in against real parts: the local OAuth2 server of tests/oauth2 issues the tokens
// (device flow, browser flow with PKCE, refresh with rotation) and the real Dovecot checks every
// token at its introspection endpoint, for IMAP, POP3 and for Postfix's submission (Dovecot SASL).
// Tokens the server refuses (expired, revoked, another user, a missing scope) are refused by the
// real Dovecot and diagnosed; two runs refreshing one stored grant at once both pass.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

std::string oauth_url() {
  return stack().get("MAILSTACK_OAUTH_URL");
}

// Runs tests/oauth2/control.py: sets how the server answers next (or reads /state).
std::string control(const std::string& path, const std::string& json = {}) {
  std::string cmd = "python3 " MV_SOURCE_DIR "/tests/oauth2/control.py '" + oauth_url() + "' '" +
                    stack().get("MAILSTACK_CA") + "' " + path;
  if (!json.empty()) cmd += " '" + json + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  REQUIRE(::pclose(p) == 0);
  return out;
}

// A fresh grant directory per test (XDG_STATE_HOME), removed at the end.
struct StateDir {
  fs::path root;
  StateDir() {
    char tmpl[] = "/tmp/mv-oauth-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    root = tmpl;
  }
  ~StateDir() { fs::remove_all(root); }
  std::string env() const { return "XDG_STATE_HOME=" + root.string(); }
  fs::path dir() const { return root / "mailverify"; }
  fs::path grant(const std::string& email) const { return dir() / (email + ".json"); }
};

std::vector<std::string> account_args(const std::string& email,
                                      const std::vector<std::string>& more = {}) {
  std::vector<std::string> args{"--email", email};
  for (const std::string& a : stack_server_args())
    args.push_back(a);
  args.insert(args.end(), {"--check", "none"});
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

const std::string kScopes =
    "https://outlook.office.com/IMAP.AccessAsUser.All "
    "https://outlook.office.com/POP.AccessAsUser.All "
    "https://outlook.office.com/SMTP.Send offline_access";

std::vector<std::string> login_args(const std::string& flow,
                                    const std::string& client = "mv-test") {
  return {"--oauth2-login",
          "--oauth2-flow",
          flow,
          "--oauth2-client-id",
          client,
          "--oauth2-provider",
          "custom",
          "--oauth2-token-url",
          oauth_url() + "/token",
          "--oauth2-device-url",
          oauth_url() + "/devicecode",
          "--oauth2-auth-url",
          oauth_url() + "/authorize",
          "--oauth2-scope",
          kScopes,
          "--oauth2-browser",
          "python3 " MV_SOURCE_DIR "/tests/oauth2/browser.py"};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of a string member in the grant file (a test peeks, the tool never prints it).
std::string grant_member(const fs::path& p, const std::string& key) {
  const std::string text = read_file(p);
  const std::string needle = "\"" + key + "\":\"";
  auto at = text.find(needle);
  if (at == std::string::npos) return {};
  at += needle.size();
  return text.substr(at, text.find('"', at) - at);
}

ToolRun sign_in(const StateDir& state, const std::string& email, const std::string& flow) {
  return run_tool(
      [&] {
        auto a = account_args(email, login_args(flow));
        return a;
      }(),
      {state.env(), "MAILSTACK_CA=" + stack().get("MAILSTACK_CA")});
}

}  // namespace

TEST_CASE("integration/oauth2: device flow signs in; the token logs in over IMAP, SMTP, POP3") {
  control("/control", R"({"reset":true,"auto_approve":true,"pending":1})");
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  ToolRun login = sign_in(state, email, "device");
  INFO(login.all());
  CHECK(login.exit_code == 0);
  // The code and where to enter it, prominently; the complete URL too.
  CHECK(login.err.find("To sign in, open " + oauth_url() + "/device") != std::string::npos);
  CHECK(login.err.find("and enter the code") != std::string::npos);
  CHECK(login.err.find("/device?user_code=") != std::string::npos);
  CHECK(login.out.find("smtp.auth") != std::string::npos);
  CHECK(login.out.find("mechanism XOAUTH2") != std::string::npos);
  CHECK(login.out.find("AUTHENTICATE XOAUTH2") != std::string::npos);
  CHECK(login.out.find("PASS") != std::string::npos);
  // Kept 0600 in a 0700 directory; no token in any output.
  struct stat st {};
  REQUIRE(::stat(state.dir().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat(state.grant(email).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string access = grant_member(state.grant(email), "access_token");
  const std::string refresh = grant_member(state.grant(email), "refresh_token");
  REQUIRE(access.size() > 10);
  REQUIRE(refresh.size() > 10);
  CHECK(login.all().find(access) == std::string::npos);
  CHECK(login.all().find(refresh) == std::string::npos);

  // A later run takes the stored grant silently: POP3 with OAUTHBEARER, and --json.
  ToolRun later = run_tool(
      account_args(email, {"--receive", "pop3", "--pop3-port", stack().get("MAILSTACK_POP3S_PORT"),
                           "--auth", "OAUTHBEARER", "--json"}),
      {state.env()});
  INFO(later.all());
  CHECK(later.exit_code == 0);
  CHECK(later.out.find("AUTH OAUTHBEARER accepted") != std::string::npos);
  CHECK(later.all().find(access) == std::string::npos);

  // --oauth2-logout forgets it; a run after that has no secret at all.
  ToolRun out = run_tool(account_args(email, {"--oauth2-logout"}), {state.env()});
  CHECK(out.exit_code == 0);
  CHECK_FALSE(fs::exists(state.grant(email)));
}

TEST_CASE("integration/oauth2: browser flow (PKCE, loopback redirect) signs in and logs in") {
  control("/control", R"({"reset":true})");
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  ToolRun login = sign_in(state, email, "browser");
  INFO(login.all());
  CHECK(login.exit_code == 0);
  CHECK(login.err.find("code_challenge_method=S256") != std::string::npos);
  CHECK(login.err.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A") != std::string::npos);
  CHECK(login.out.find("PASS") != std::string::npos);
  CHECK(fs::exists(state.grant(email)));
}

TEST_CASE("integration/oauth2: the user declines in the browser; consent missing") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control", R"({"reset":true,"authorize_error":"access_denied"})");
  ToolRun denied = sign_in(state, email, "browser");
  CHECK(denied.exit_code == 5);
  CHECK(denied.out.find("declined") != std::string::npos);
  control("/control", R"({"reset":true,"authorize_error":"consent_required"})");
  ToolRun consent = sign_in(state, email, "browser");
  CHECK(consent.exit_code == 5);
  CHECK(consent.out.find("consent") != std::string::npos);
  CHECK_FALSE(fs::exists(state.grant(email)));
  control("/control", R"({"reset":true,"device_outcome":"deny","auto_approve":true})");
  ToolRun device_denied = sign_in(state, email, "device");
  CHECK(device_denied.exit_code == 5);
  CHECK(device_denied.out.find("declined") != std::string::npos);
}

TEST_CASE("integration/oauth2: unknown client ID and public client flows off are named") {
  control("/control", R"({"reset":true,"auto_approve":true})");
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  auto args = account_args(email, login_args("device", "no-such-client"));
  ToolRun unknown = run_tool(args, {state.env()});
  INFO(unknown.all());
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("no application with client ID no-such-client") != std::string::npos);
  CHECK(unknown.out.find("AADSTS700016") != std::string::npos);
  ToolRun noflows =
      run_tool(account_args(email, login_args("device", "mv-noflows")), {state.env()});
  INFO(noflows.all());
  CHECK(noflows.exit_code == 2);
  CHECK(noflows.out.find("Allow public client flows") != std::string::npos);
}

TEST_CASE("integration/oauth2: expired and revoked grants are refused and diagnosed") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control", R"({"reset":true,"auto_approve":true})");
  REQUIRE(sign_in(state, email, "device").exit_code == 0);
  // Revoked at the provider: the stored access token is refused by the real Dovecot.
  control("/revoke", "{\"user\":\"" + email + "\"}");
  ToolRun refused = run_tool(account_args(email), {state.env()});
  INFO(refused.all());
  CHECK(refused.exit_code == 5);
  CHECK(refused.out.find("OAuth2 token was refused") != std::string::npos);
  // Near expiry: the refresh is refused (revoked) -> sign in again.
  control("/control", R"({"reset":true,"auto_approve":true,"access_ttl":60})");
  REQUIRE(sign_in(state, email, "device").exit_code == 0);
  control("/control", R"({"refresh_error":"revoked"})");
  ToolRun again = run_tool(account_args(email), {state.env()});
  INFO(again.all());
  CHECK(again.exit_code == 5);
  CHECK(again.out.find("AADSTS50173") != std::string::npos);
  CHECK(again.out.find("sign in again with: verify-roundtrip --email " + email +
                       " --oauth2-login") != std::string::npos);
  control("/control", R"({"refresh_error":"mfa"})");
  ToolRun mfa = run_tool(account_args(email), {state.env()});
  CHECK(mfa.exit_code == 6);
  CHECK(mfa.out.find("multi-factor") != std::string::npos);
  control("/control", R"({"refresh_error":"conditional_access"})");
  ToolRun ca = run_tool(account_args(email), {state.env()});
  CHECK(ca.exit_code == 6);
  CHECK(ca.out.find("Conditional Access") != std::string::npos);
  control("/control", R"({"refresh_error":"wrong_tenant"})");
  ToolRun tenant = run_tool(account_args(email), {state.env()});
  CHECK(tenant.exit_code == 2);
  CHECK(tenant.out.find("personal vs work") != std::string::npos);
}

TEST_CASE(
    "integration/oauth2: a token for another mailbox or without the scope, refused by Dovecot") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  // Issued for bob, used for alice: Dovecot's introspection says bob; the JWT says so too.
  control("/control", "{\"reset\":true,\"auto_approve\":true,\"jwt\":true,\"user\":\"" +
                          stack().get("MAILSTACK_USER2") + "\"}");
  ToolRun other = sign_in(state, email, "device");
  INFO(other.all());
  CHECK(other.exit_code == 5);
  CHECK(other.out.find("issued for another mailbox") != std::string::npos);
  // Without IMAP.AccessAsUser.All: Dovecot (scope = .../IMAP.AccessAsUser.All) refuses IMAP.
  control(
      "/control",
      R"({"reset":true,"auto_approve":true,"jwt":true,"scope":"https://outlook.office.com/SMTP.Send"})");
  ToolRun scope = run_tool(
      [&] {
        auto a = account_args(email, login_args("device"));
        a.push_back("--receive-only");
        return a;
      }(),
      {state.env()});
  INFO(scope.all());
  CHECK(scope.exit_code == 5);
  CHECK(scope.out.find("lacks IMAP.AccessAsUser.All") != std::string::npos);
  // Expired JWT at the server: the stored grant's token is refused and named as expired... the
  // tool refreshes before that happens, so only a token older than its own exp shows it: covered
  // by the unit tests of explain_refused_token.
}

TEST_CASE("integration/oauth2: two runs refreshing one stored grant at once both pass") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control", R"({"reset":true,"auto_approve":true,"access_ttl":60})");
  REQUIRE(sign_in(state, email, "device").exit_code == 0);
  control("/control", R"({"refresh_delay_ms":400})");
  const std::string before = control("/state");
  ToolRun a, b;
  std::thread ta([&] { a = run_tool(account_args(email), {state.env()}); });
  std::thread tb([&] { b = run_tool(account_args(email), {state.env()}); });
  ta.join();
  tb.join();
  INFO(a.all());
  INFO(b.all());
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  const std::string after = control("/state");
  INFO(before << " -> " << after);
  // No refresh token was redeemed twice, and exactly one grant is alive at the provider.
  CHECK(after.find("\"refresh_reused\": 0") != std::string::npos);
  CHECK(after.find("\"live_refresh\": 1") != std::string::npos);
  CHECK(grant_member(state.grant(email), "refresh_token").size() > 10);
}

TEST_CASE("integration/oauth2: a grant directory open to others is refused") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control", R"({"reset":true,"auto_approve":true})");
  REQUIRE(sign_in(state, email, "device").exit_code == 0);
  fs::permissions(state.dir(), fs::perms::group_read | fs::perms::group_exec,
                  fs::perm_options::add);
  ToolRun run = run_tool(account_args(email), {state.env()});
  CHECK(run.exit_code == 2);
  CHECK(run.all().find("chmod 700") != std::string::npos);
}

TEST_CASE("integration/oauth2: slow_down adds 5 s to the polling interval, for good") {
  control("/control", R"({"reset":true,"auto_approve":true,"pending":1,"slow_down":1})");
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  ToolRun login = sign_in(state, email, "device");
  INFO(login.all());
  CHECK(login.exit_code == 0);
  // Polls: slow_down, pending, approved: gaps of 1 + 5 s each (the interval was 1 s).
  const std::string st = control("/state");
  INFO(st);
  const auto at = st.find("\"poll_gaps\": [");
  REQUIRE(at != std::string::npos);
  std::istringstream gaps(st.substr(at + 14, st.find(']', at) - at - 14));
  std::vector<double> values;
  for (std::string g; std::getline(gaps, g, ',');)
    values.push_back(std::stod(g));
  REQUIRE(values.size() == 2);
  for (double g : values)
    CHECK(g >= 5.9);
}

TEST_CASE("integration/oauth2: a token endpoint that redirects is not followed; TLS is required") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control",
          R"({"reset":true,"auto_approve":true,"token_redirect":"https://127.0.0.9/steal"})");
  ToolRun redirected = sign_in(state, email, "device");
  INFO(redirected.all());
  CHECK(redirected.exit_code == 8);
  CHECK(redirected.out.find("oauth2.redirect") != std::string::npos);
  CHECK(redirected.out.find("not followed") != std::string::npos);
  control("/control", R"({"reset":true,"auto_approve":true})");
  // The token URL points at the SMTP port: plaintext where TLS was expected.
  auto args = account_args(email, login_args("device"));
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--oauth2-token-url")
      args[i + 1] = "https://localhost:" + stack().get("MAILSTACK_SMTP_SUBMISSION_PORT") + "/token";
  ToolRun plain = run_tool(args, {state.env()});
  INFO(plain.all());
  CHECK(plain.exit_code == 4);
  CHECK_FALSE(fs::exists(state.grant(email)));
  // http:// endpoints are refused before any connection.
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--oauth2-token-url") args[i + 1] = "http://localhost:1/token";
  ToolRun http = run_tool(args, {state.env()});
  CHECK(http.exit_code == 2);
  CHECK(http.all().find("https://") != std::string::npos);
}

TEST_CASE("integration/oauth2: --accounts takes each address's stored grant") {
  StateDir state;
  const std::string email = stack().get("MAILSTACK_USER1");
  control("/control", R"({"reset":true,"auto_approve":true,"access_ttl":60})");
  REQUIRE(sign_in(state, email, "device").exit_code == 0);
  const fs::path file = state.root / "accounts.txt";
  std::ofstream(file) << "# one account, its grant stored\n--email " << email << "\n";
  std::vector<std::string> args{"--accounts", file.string()};
  for (const std::string& a : stack_server_args())
    args.push_back(a);
  args.insert(args.end(), {"--check", "none"});
  ToolRun run = run_tool(args, {state.env()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(control("/state").find("\"refresh_ok\": 1") != std::string::npos);
}

TEST_CASE("integration/oauth2: --accounts: a refused refresh is that account's result only") {
  StateDir state;
  const std::string alice = stack().get("MAILSTACK_USER1");
  const std::string bob = stack().get("MAILSTACK_USER2");
  control("/control", R"({"reset":true,"auto_approve":true,"access_ttl":60})");
  REQUIRE(sign_in(state, alice, "device").exit_code == 0);
  control("/control", R"({"refresh_error":"revoked"})");
  const fs::path file = state.root / "accounts.txt";
  std::ofstream(file) << "--email " << alice << "\n--email " << bob
                      << " --password-env MV_BOB_PASSWORD\n";
  std::vector<std::string> args{"--accounts", file.string()};
  for (const std::string& a : stack_server_args())
    args.push_back(a);
  args.insert(args.end(), {"--check", "none", "--json"});
  ToolRun run = run_tool(args, {state.env(), "MV_BOB_PASSWORD=" + stack().get("MAILSTACK_PASS2")});
  INFO(run.all());
  CHECK(run.exit_code == 5);  // alice's, the worst
  std::istringstream lines(run.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(first.find("\"email\":\"" + alice + "\"") != std::string::npos);
  CHECK(first.find("AADSTS50173") != std::string::npos);
  CHECK(first.find("\"exit_code\":5") != std::string::npos);
  CHECK(second.find("\"email\":\"" + bob + "\"") != std::string::npos);
  CHECK(second.find("\"exit_code\":0") != std::string::npos);
}

TEST_CASE("integration/oauth2: --oauth2-store-cmd keeps the grant in the user's keyring") {
  StateDir state;
  const fs::path keyring = state.root / "keyring";
  fs::create_directories(keyring);
  const std::string email = stack().get("MAILSTACK_USER1");
  const std::vector<std::string> env{state.env(), "MV_KEYRING_DIR=" + keyring.string(),
                                     "MAILSTACK_CA=" + stack().get("MAILSTACK_CA")};
  const std::vector<std::string> store{"--oauth2-store-cmd",
                                       "sh " MV_SOURCE_DIR "/tests/oauth2/keyring_store.sh"};
  control("/control", R"({"reset":true,"auto_approve":true,"access_ttl":60})");
  auto args = account_args(email, login_args("device"));
  args.insert(args.end(), store.begin(), store.end());
  ToolRun login = run_tool(args, env);
  INFO(login.all());
  CHECK(login.exit_code == 0);
  CHECK(fs::exists(keyring / email));
  CHECK_FALSE(fs::exists(state.grant(email)));  // not in the directory: only the lock is there
  ToolRun later = run_tool(account_args(email, store), env);
  INFO(later.all());
  CHECK(later.exit_code == 0);
  CHECK(later.out.find("oauth2.refresh") != std::string::npos);
  ToolRun out = run_tool(account_args(email, {store[0], store[1], "--oauth2-logout"}), env);
  CHECK(out.exit_code == 0);
  CHECK_FALSE(fs::exists(keyring / email));
}

}  // namespace mv::test

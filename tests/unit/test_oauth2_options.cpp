// SPDX-License-Identifier: Apache-2.0
// The OAuth2 sign-in's command line: what each option sets, and the usage errors.
#include <doctest/doctest.h>

#include "tools/options.hpp"

namespace {

mv::tool::CommandLine parse(std::vector<std::string> more) {
  std::vector<std::string> args{"verify-roundtrip", "--email", "me@outlook.com"};
  args.insert(args.end(), more.begin(), more.end());
  return mv::tool::parse_command_line(args);
}

}  // namespace

TEST_CASE("oauth2 options: sign-in settings are read") {
  auto cl = parse({"--oauth2-login", "--oauth2-client-id", "abc", "--oauth2-tenant",
                   "contoso.onmicrosoft.com", "--oauth2-flow", "browser", "--oauth2-store-dir",
                   "/tmp/x", "--oauth2-browser", "firefox", "--oauth2-store-cmd", "my-keyring"});
  REQUIRE(cl.action == mv::tool::Action::run);
  const mv::tool::OAuth2Options& o = cl.options.oauth2;
  CHECK(o.login);
  CHECK_FALSE(o.logout);
  CHECK(o.client_id == "abc");
  CHECK(o.tenant == "contoso.onmicrosoft.com");
  CHECK(o.flow == "browser");
  CHECK(o.store_dir == "/tmp/x");
  CHECK(o.browser_cmd == "firefox");
  CHECK(o.store_cmd == "my-keyring");
  CHECK(o.any());
  CHECK_FALSE(parse({}).options.oauth2.any());
  CHECK(parse({}).options.oauth2.flow == "auto");
  // Every option is known to the --accounts merger (a value-taking option).
  auto shape = mv::tool::option_shape("oauth2-client-id");
  REQUIRE(shape);
  CHECK(shape->takes_value);
}

TEST_CASE("oauth2 options: usage errors name the problem") {
  auto bad = [](std::vector<std::string> more) {
    auto cl = parse(std::move(more));
    CHECK(cl.action == mv::tool::Action::usage_error);
    return cl.text;
  };
  CHECK(bad({"--oauth2-login", "--oauth2-logout"}).find("exclude") != std::string::npos);
  CHECK(bad({"--oauth2-flow", "magic"}).find("device, browser or auto") != std::string::npos);
  CHECK(bad({"--oauth2-provider", "yahoo"}).find("microsoft, google or custom") !=
        std::string::npos);
  CHECK(bad({"--oauth2-tenant", "https://login.microsoftonline.com/x"}).find("not a URL") !=
        std::string::npos);
}

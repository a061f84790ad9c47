// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/autoconfig_server.hpp"

#include <doctest/doctest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace fs = std::filesystem;

AutoconfigServer::AutoconfigServer() {
  const Stack& s = stack();
  char tmpl[] = "/tmp/mv-autoconfig-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  dir = tmpl;
  port = static_cast<unsigned>(std::stoul(s.get("MAILSTACK_OAUTH_PORT"))) - 443 + 180;
  const fs::path tls = fs::path(s.get("MAILSTACK_CA")).parent_path();
  const std::string cmd = "exec python3 " MV_SOURCE_DIR "/tests/autoconfig/autoconfig_server.py " +
                          std::to_string(port) + " '" + (tls / "server.crt").string() + "' '" +
                          (tls / "server.key").string() + "' '" + dir.string() + "'";
  pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char line[64] = {};
  // The server prints its line once it listens: no sleep, and a failed start is EOF here.
  REQUIRE_MESSAGE(std::fgets(line, sizeof line, pipe) != nullptr,
                  "the autoconfig server did not start (port " << port << " in use?)");
  REQUIRE(std::sscanf(line, "ready %ld", &pid) == 1);
}

AutoconfigServer::~AutoconfigServer() {
  if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGTERM);
  if (pipe) ::pclose(pipe);
  fs::remove_all(dir);
}

std::string AutoconfigServer::url(const std::string& path) const {
  return "https://localhost:" + std::to_string(port) + path;
}

void AutoconfigServer::write(const std::string& name, const std::string& text) const {
  fs::create_directories((dir / name).parent_path());
  std::ofstream file(dir / name);
  file << text;
  REQUIRE(file.good());
}

std::string AutoconfigServer::requests() const {
  std::ifstream in(dir / "requests.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string stack_document(const std::string& domain, const std::string& host) {
  const Stack& s = stack();
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id=")" +
         domain + R"(">
    <domain>)" +
         domain + R"(</domain>
    <displayName>mailverify test stack</displayName>
    <incomingServer type="imap">
      <hostname>)" +
         host + R"(</hostname>
      <port>)" +
         s.get("MAILSTACK_IMAPS_PORT") + R"(</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>)" +
         host + R"(</hostname>
      <port>)" +
         s.get("MAILSTACK_POP3S_PORT") + R"(</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>)" +
         host + R"(</hostname>
      <port>)" +
         s.get("MAILSTACK_SMTP_SUBMISSION_PORT") + R"(</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
)";
}

}  // namespace mv::test

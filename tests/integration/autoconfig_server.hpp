// SPDX-License-Identifier: Apache-2.0
// The HTTPS server the discovery tests talk to (tests/autoconfig/autoconfig_server.py): on
// 127.0.0.1 at the stack's port base + 180, with the stack's server certificate (names localhost,
// mail., autoconfig. and autodiscover.<domain>), serving a temporary directory; and the autoconfig
// document the stack's domain would publish.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace mv::test {

// Started in the constructor (it returns once the server listens: no sleep), stopped by its pid
// and the directory removed in the destructor.
struct AutoconfigServer {
  std::filesystem::path dir;
  unsigned port = 0;
  FILE* pipe = nullptr;
  long pid = 0;

  AutoconfigServer();
  ~AutoconfigServer();
  AutoconfigServer(const AutoconfigServer&) = delete;
  AutoconfigServer& operator=(const AutoconfigServer&) = delete;

  // https://localhost:PORT<path>
  std::string url(const std::string& path) const;
  // DIR/name (its directories created): a file the server answers with, or routes.json.
  void write(const std::string& name, const std::string& text) const;
  // DIR/requests.log: one JSON line per request.
  std::string requests() const;
};

// The stack's settings as a domain would publish them: IMAPS, POP3S and submission with STARTTLS
// at host, the login the address.
std::string stack_document(const std::string& domain = "mailverify.test",
                           const std::string& host = "localhost");

}  // namespace mv::test

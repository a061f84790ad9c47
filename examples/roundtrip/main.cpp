// SPDX-License-Identifier: Apache-2.0
// One round trip through the mailverify engine: submit a tagged message over SMTP with STARTTLS,
// read it back over IMAPS, clean up, and print each step, or the failure with its diagnosis.
//
//   roundtrip HOST SUBMISSION_PORT IMAPS_PORT EMAIL [CAFILE]
//
// The password comes from the environment (MAILVERIFY_PASSWORD), never from the command line.
// Exit status 0 when the round trip passed, 1 when it failed, 2 on a usage error.
//
// Build it against the installed engine with CMake (CMakeLists.txt beside this file) or with
// pkg-config:  c++ -std=c++20 main.cpp $(pkg-config --cflags --libs mailverify) -o roundtrip
#include <mailverify/mailverify.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILVERIFY_PASSWORD");
  if (argc < 5 || argc > 6 || !password) {
    std::fprintf(stderr,
                 "usage: MAILVERIFY_PASSWORD=... %s HOST SUBMISSION_PORT IMAPS_PORT EMAIL "
                 "[CAFILE]\n",
                 argv[0]);
    return 2;
  }
  const std::string host = argv[1];
  mv::RunConfig config;
  config.email = argv[4];
  config.smtp.endpoint.host = host;
  config.smtp.endpoint.port = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
  config.smtp.endpoint.tls = mv::TlsMode::starttls;
  mv::Credentials login;
  login.user = config.email;
  login.secret = password;
  config.smtp.credentials = login;
  config.incoming.endpoint.host = host;
  config.incoming.endpoint.port = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));
  config.incoming.endpoint.tls = mv::TlsMode::implicit;
  config.incoming.credentials = login;
  if (argc == 6) config.tls.ca_file = argv[5];
  config.timeouts.idle = 10'000;
  config.delivery_timeout = 15'000;

  const mv::RunResult result = mv::run(config);
  for (const mv::StepRecord& step : result.report.steps)
    std::printf("%-4s %-24s %8.1f ms  %s\n", step.ok ? "ok" : "FAIL", step.name.c_str(), step.ms,
                step.detail.c_str());
  const mv::Error& error = result.report.error;
  if (error) {
    std::printf("FAILED (%s, %s) at %s: %s\n  cause: %s\n  fix:   %s\n",
                std::string(mv::category_name(error.category)).c_str(), error.code.c_str(),
                error.step.c_str(), error.detail.c_str(), error.cause.c_str(), error.fix.c_str());
    return 1;
  }
  std::printf("PASSED in %.1f ms, token %s\n", result.report.total_ms, result.token.c_str());
  return 0;
}

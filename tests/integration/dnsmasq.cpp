// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/dnsmasq.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/integration/stack.hpp"

extern char** environ;

namespace mv::test {

namespace {

const char* kDnsmasq = "/usr/sbin/dnsmasq";

}  // namespace

unsigned port_base() {
  return static_cast<unsigned>(std::stoul(stack().get("MAILSTACK_SMTP_SUBMISSION_PORT"))) - 587;
}

std::string domain() {
  return stack().get("MAILSTACK_DOMAIN");
}

Dnsmasq::Dnsmasq(const std::vector<std::string>& records) {
  port_ = port_base() + 153;
  char dir[] = "/tmp/mv-dnsmasq-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  dir_ = dir;
  const std::string conf = dir_ + "/dnsmasq.conf";
  std::ofstream out(conf);
  out << "port=" << port_ << "\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\n"
      << "no-hosts\nlocal=/" << domain() << "/\nlocal=/other.test/\n";
  for (const std::string& r : records)
    out << r << "\n";
  out.close();
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 2);
  const std::string conf_arg = "--conf-file=" + conf;
  const std::string pid_arg = "--pid-file=" + dir_ + "/pid";
  std::vector<std::string> args{kDnsmasq, "--keep-in-foreground", "--log-facility=-", conf_arg,
                                pid_arg};
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, kDnsmasq, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipe_fds[1]);
  REQUIRE(rc == 0);
  // Ready once it logs "started" (it has bound its sockets by then); at most 5 s.
  std::string log;
  pollfd p{pipe_fds[0], POLLIN, 0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (log.find("started") == std::string::npos && std::chrono::steady_clock::now() < until &&
         ::poll(&p, 1, 100) >= 0) {
    char buf[512];
    if (p.revents == 0) continue;
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) break;
    log.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);  // dnsmasq writes no more to stderr than its start lines here
  if (log.find("started") == std::string::npos) {
    stop();  // the destructor does not run when the constructor fails
    FAIL("dnsmasq did not start: " << log);
  }
}

Dnsmasq::~Dnsmasq() {
  stop();
}

void Dnsmasq::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

bool have_dnsmasq() {
  return ::access(kDnsmasq, X_OK) == 0;
}

}  // namespace mv::test

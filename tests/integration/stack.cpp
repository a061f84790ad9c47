// SPDX-License-Identifier: Apache-2.0
#include "tests/integration/stack.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace mv::test {

namespace fs = std::filesystem;

const std::string& Stack::get(const std::string& key) const {
  static const std::string empty;
  auto it = env.find(key);
  return it == env.end() ? empty : it->second;
}

std::string Stack::maildir(const std::string& address) const {
  auto at = address.find('@');
  return get("MAILSTACK_MAILDIR_ROOT") + "/" + address.substr(at + 1) + "/" + address.substr(0, at);
}

const Stack& stack_env() {
  static const Stack s = [] {
    Stack st;
    const char* dir = std::getenv("MAILSTACK_DIR");
    std::string path = std::string(dir ? dir : MV_SOURCE_DIR "/.mailstack") + "/env";
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) == 0) line = line.substr(7);
      auto eq = line.find('=');
      if (eq == std::string::npos || line[0] == '#') continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"'))
        value = value.substr(1, value.size() - 2);
      st.env[line.substr(0, eq)] = value;
    }
    return st;
  }();
  return s;
}

const Stack& stack() {
  const Stack& s = stack_env();
  REQUIRE_MESSAGE(!s.get("MAILSTACK_SMTP_SUBMISSION_PORT").empty(),
                  "the local mail stack is not running: tests/mailstack/mailstack.sh start");
  return s;
}

std::string stack_unavailable() {
  const Stack& s = stack_env();
  if (s.get("MAILSTACK_SMTP_SUBMISSION_PORT").empty())
    return "no mail stack has been started (no MAILSTACK_SMTP_SUBMISSION_PORT in its env file)";
  for (const char* key : {"MAILSTACK_SMTP_SUBMISSION_PORT", "MAILSTACK_IMAPS_PORT"}) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(s.get(key).c_str())));
    if (inet_pton(AF_INET, s.get("MAILSTACK_HOST").c_str(), &addr.sin_addr) != 1)
      return "the stack's env file has no usable MAILSTACK_HOST";
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("socket: ") + std::strerror(errno);
    // Loopback: a stopped stack refuses at once, so a blocking connect needs no timeout.
    const bool up = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (!up) return std::string(key) + " " + s.get(key) + " does not answer: the stack is stopped";
  }
  return {};
}

ToolRun run_tool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                 ToolSignal signal) {
  std::vector<std::string> argv_s{MV_TOOL_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    env_s.emplace_back(*e);
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  REQUIRE(pipe(out_pipe) == 0);
  REQUIRE(pipe(err_pipe) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
  posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  REQUIRE(rc == 0);

  ToolRun run;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  const auto started = std::chrono::steady_clock::now();
  auto since_start = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
        .count();
  };
  auto deadline = started + std::chrono::seconds(60);
  int open_fds = 2;
  bool signalled = signal.signo == 0;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    int wait_ms = 1000;
    if (!signalled) {
      const double left = signal.after_ms - since_start();
      if (left <= 0) {
        kill(pid, signal.signo);  // the child this call started
        signalled = true;
      } else {
        wait_ms = std::min(wait_ms, static_cast<int>(left) + 1);
      }
    }
    if (poll(fds, 2, wait_ms) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        if (i == 0 && run.first_out_ms < 0) run.first_out_ms = since_start();
        (i == 0 ? run.out : run.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  run.end_ms = since_start();
  if (open_fds > 0) kill(pid, SIGKILL);
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  CHECK_MESSAGE(open_fds == 0, "verify-roundtrip did not finish within 60 s");
  return run;
}

std::vector<std::string> stack_server_args() {
  const Stack& s = stack();
  return {"--host",
          s.get("MAILSTACK_TLS_NAME"),
          "--smtp-port",
          s.get("MAILSTACK_SMTP_SUBMISSION_PORT"),
          "--imap-port",
          s.get("MAILSTACK_IMAPS_PORT"),
          "--cafile",
          s.get("MAILSTACK_CA"),
          "--timeout",
          "10",
          "--delivery-timeout",
          "10"};
}

std::string printed_token(const ToolRun& run) {
  auto pos = run.out.rfind(", token ");
  if (pos == std::string::npos) return {};
  pos += 8;
  auto end = pos;
  while (end < run.out.size() && std::isalnum(static_cast<unsigned char>(run.out[end])))
    ++end;
  return run.out.substr(pos, end - pos);
}

std::optional<std::string> wait_for_delivery(const std::string& address, const std::string& token,
                                             int timeout_ms) {
  const std::string needle = "X-Mailverify-Token: " + token;
  const std::string root = stack().maildir(address);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // Woken by the kernel when a file lands in new/ or cur/ (Dovecot writes into tmp/ and renames),
  // not by polling the directories on a timer.
  const int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  for (const char* sub : {"/new", "/cur"})
    if (watch >= 0) ::inotify_add_watch(watch, (root + sub).c_str(), IN_MOVED_TO | IN_CREATE);
  std::optional<std::string> found;
  for (;;) {
    for (const char* sub : {"/new", "/cur"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(root + sub, ec)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        if (text.find(needle) != std::string::npos) found = std::move(text);
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (found || left <= 0 || watch < 0) break;
    pollfd p{watch, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;  // the deadline: one last look
    char events[4096];
    while (::read(watch, events, sizeof events) > 0) {
    }
  }
  if (watch >= 0) ::close(watch);
  return found;
}

}  // namespace mv::test

// SPDX-License-Identifier: Apache-2.0
#include "tools/credentials.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace mv::tool {

namespace {

// Trailing CR/LF are how files and terminals end a line, never part of a password.
std::string strip_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

std::string first_line(const std::string& s) {
  return strip_line_end(s.substr(0, s.find('\n')));
}

std::optional<std::string> prompt_without_echo(const std::string& prompt, std::size_t max) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  termios old{};
  if (tcgetattr(fd, &old) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ICANON;
  (void)!::write(fd, prompt.data(), prompt.size());
  tcsetattr(fd, TCSAFLUSH, &quiet);
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    if (line.size() < max) line += c;
  }
  tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return strip_line_end(line);
}

}  // namespace

SecretResult secret_from_command(const std::string& option, const std::string& command,
                                 const Limits& limits) {
  SecretResult r;
  const std::string named = option + " command '" + command + "'";
  std::fflush(nullptr);  // the child must not inherit and repeat our buffered output
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    r.error = "cannot run the " + named;
    return r;
  }
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    // One byte past the bound tells a first line that is too long; keep draining: no SIGPIPE.
    if (out.size() <= limits.max_secret)
      out.append(buf, std::min(n, limits.max_secret + 1 - out.size()));
  }
  int status = ::pclose(pipe);
  if (status == -1) {
    r.error = "cannot run the " + named;
  } else if (WIFSIGNALED(status)) {
    r.error = "the " + named + " was killed by signal " + std::to_string(WTERMSIG(status));
  } else if (WEXITSTATUS(status) != 0) {
    r.error = "the " + named + " failed with exit status " + std::to_string(WEXITSTATUS(status));
  } else if (std::string line = first_line(out); line.empty()) {
    r.error = "the " + named + " printed nothing on its first line";
  } else if (line.size() > limits.max_secret) {
    r.error = "the first line the " + named + " printed is longer than " +
              std::to_string(limits.max_secret) + " bytes";
  } else {
    r.secret = std::move(line);
  }
  return r;
}

SecretResult read_secret(const SecretSources& s, const Limits& limits) {
  SecretResult r;
  if (!s.command.empty()) return secret_from_command(s.option, s.command, limits);
  if (!s.env_var.empty()) {
    const char* v = std::getenv(s.env_var.c_str());
    if (!v) {
      r.error = "the environment variable " + s.env_var + " (" + s.option + ") is not set";
    } else if (std::string value = strip_line_end(v); value.empty()) {
      r.error = "the environment variable " + s.env_var + " (" + s.option + ") is empty";
    } else {
      r.secret = std::move(value);
    }
    return r;
  }
  if (!s.file.empty()) {
    std::ifstream in(s.file, std::ios::binary);
    if (!in) {
      r.error = "cannot read the secret file " + s.file + " (" + s.option + ")";
      return r;
    }
    std::string line;  // the first line, one byte past the bound at most
    for (char c; line.size() <= limits.max_secret && in.get(c) && c != '\n';)
      line += c;
    line = strip_line_end(line);
    if (line.empty()) {
      r.error = "the first line of the secret file " + s.file + " (" + s.option + ") is empty";
      return r;
    }
    if (line.size() > limits.max_secret) {
      r.error = "the first line of the secret file " + s.file + " (" + s.option +
                ") is longer than " + std::to_string(limits.max_secret) + " bytes";
      return r;
    }
    r.secret = std::move(line);
    return r;
  }
  if (s.literal) {
    r.secret = *s.literal;
    r.warning =
        "a secret on the command line is visible to other users in the process list; prefer "
        "--password-env, --password-file, --password-cmd or the prompt";
    return r;
  }
  if (s.allow_prompt && ::isatty(STDIN_FILENO))
    r.secret = prompt_without_echo(s.prompt, limits.max_secret);
  return r;
}

}  // namespace mv::tool

#include "tools/credentials.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mv::tool {

namespace {

// Trailing CR/LF are how files and terminals end a line, never part of a password.
std::string strip_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

std::optional<std::string> prompt_without_echo(const std::string& prompt) {
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
    if (line.size() < 4096) line += c;
  }
  tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return strip_line_end(line);
}

}  // namespace

SecretResult read_secret(const SecretSources& s) {
  SecretResult r;
  if (!s.env_var.empty()) {
    const char* v = std::getenv(s.env_var.c_str());
    if (!v) {
      r.error = "the environment variable " + s.env_var + " is not set";
    } else {
      r.secret = strip_line_end(v);
    }
    return r;
  }
  if (!s.file.empty()) {
    std::ifstream in(s.file, std::ios::binary);
    if (!in) {
      r.error = "cannot read the secret file " + s.file;
      return r;
    }
    std::string line;
    std::getline(in, line);
    r.secret = strip_line_end(line);
    return r;
  }
  if (s.literal) {
    r.secret = *s.literal;
    r.warning =
        "a secret on the command line is visible to other users in the process list; prefer "
        "--password-env, --password-file or the prompt";
    return r;
  }
  if (s.allow_prompt && ::isatty(STDIN_FILENO)) r.secret = prompt_without_echo(s.prompt);
  return r;
}

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
#include "tools/grant_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "protocols/common/wipe.hpp"
#include "protocols/json/value.hpp"

namespace mv::tool {

namespace {

std::string mode_text(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

// mkdir -p with 0700 for what it creates.
bool make_dirs(const std::string& dir) {
  std::string partial;
  for (std::size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      partial = dir.substr(0, i);
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

// At most max + 1 bytes: one more than the bound tells a grant that is too long.
std::string read_all(int fd, std::size_t max) {
  std::string out;
  char buf[4096];
  while (out.size() <= max) {
    const ssize_t n = ::read(fd, buf, std::min(sizeof buf, max + 1 - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  std::memset(buf, 0, sizeof buf);
  return out;
}

}  // namespace

StoredGrant::~StoredGrant() {
  wipe(refresh_token);
  wipe(access_token);
  wipe(client_secret);
}

GrantStore::~GrantStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

std::string GrantStore::default_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && x[0] == '/')
    return std::string(x) + "/mailverify";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/mailverify";
}

std::string GrantStore::file_name(const std::string& email) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : email) {
    const auto c = static_cast<unsigned char>(ch);
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : ch;
    if ((lower >= 'a' && lower <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '.' ||
        c == '_' || c == '+' || c == '-') {
      out += lower;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (!out.empty() && out.front() == '.') out = "%2E" + out.substr(1);
  return out + ".json";
}

std::string GrantStore::open(const std::string& dir, const std::string& email) {
  dir_ = dir;
  email_ = email;
  path_ = dir + "/" + file_name(email);
  if (!make_dirs(dir))
    return "cannot create the grant directory " + dir + ": " + std::strerror(errno);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return "the grant directory " + dir + " is not a directory";
  if (st.st_uid != ::geteuid())
    return "the grant directory " + dir + " belongs to another user: refusing to keep tokens there";
  if ((st.st_mode & 077) != 0)
    return "the grant directory " + dir + " is open to other users (mode " + mode_text(st.st_mode) +
           "): refusing to keep tokens there; run: chmod 700 " + dir;
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return "the grant file " + path_ + " is not a regular file";
    if ((st.st_mode & 077) != 0)
      return "the grant file " + path_ + " is readable by other users (mode " +
             mode_text(st.st_mode) + "): refusing to use it; run: chmod 600 " + path_ +
             " (and sign in again if others may have read it)";
  }
  const std::string lock = path_ + ".lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd_ < 0) return "cannot open the lock file " + lock + ": " + std::strerror(errno);
  while (::flock(lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) return "cannot lock " + lock + ": " + std::strerror(errno);
  }
  return {};
}

// Runs `sh -c 'CMD "$@"' sh VERB EMAIL`, feeding input and/or collecting output; an error's text.
std::string GrantStore::run_command(const char* verb, const std::string* input,
                                    std::string* output) const {
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)
    return "cannot run --oauth2-store-cmd: " + std::string(std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    const std::string script = command_ + " \"$@\"";
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "sh", verb, email_.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (input) {
    std::size_t done = 0;
    while (done < input->size()) {
      const ssize_t n = ::write(in_pipe[1], input->data() + done, input->size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
  }
  ::close(in_pipe[1]);
  std::string text = read_all(out_pipe[0], max_file_);
  ::close(out_pipe[0]);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    wipe(text);
    return std::string("--oauth2-store-cmd failed for \"") + verb + "\" (exit " +
           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128) + ")";
  }
  if (output) *output = std::move(text);
  wipe(text);
  return {};
}

std::optional<StoredGrant> GrantStore::load(std::string& error) const {
  std::string text;
  if (!command_.empty()) {
    error = run_command("get", nullptr, &text);
    if (!error.empty() || text.find_first_not_of(" \t\r\n") == std::string::npos)
      return std::nullopt;
  } else {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno != ENOENT) error = "cannot read " + path_ + ": " + std::strerror(errno);
      return std::nullopt;
    }
    text = read_all(fd, max_file_);
    ::close(fd);
  }
  Error json_error;
  std::optional<JsonValue> doc;
  if (text.size() <= max_file_) doc = parse_json(text, json_error);
  wipe(text);
  if (!doc || !doc->is(JsonValue::Kind::object)) {
    error = (command_.empty() ? "the grant file " + path_ : std::string("the stored grant")) +
            " is damaged: sign in again with --oauth2-login";
    return std::nullopt;
  }
  StoredGrant g;
  auto str = [&](const char* key) { return std::string(doc->string_at(key).value_or("")); };
  g.provider = str("provider");
  g.client_id = str("client_id");
  g.client_secret = str("client_secret");
  g.tenant = str("tenant");
  g.token_url = str("token_url");
  g.scope = str("scope");
  g.refresh_token = str("refresh_token");
  g.access_token = str("access_token");
  g.expires_at = doc->integer_at("expires_at").value_or(0);
  return g;
}

std::string GrantStore::save(const StoredGrant& g) const {
  JsonValue o = JsonValue::make_object();
  o.set("version", JsonValue::make_number(1));
  o.set("provider", JsonValue::make_string(g.provider));
  o.set("client_id", JsonValue::make_string(g.client_id));
  if (!g.client_secret.empty()) o.set("client_secret", JsonValue::make_string(g.client_secret));
  if (!g.tenant.empty()) o.set("tenant", JsonValue::make_string(g.tenant));
  o.set("token_url", JsonValue::make_string(g.token_url));
  o.set("scope", JsonValue::make_string(g.scope));
  o.set("refresh_token", JsonValue::make_string(g.refresh_token));
  o.set("access_token", JsonValue::make_string(g.access_token));
  o.set("expires_at", JsonValue::make_number(g.expires_at));
  std::string text = write_json(o) + "\n";
  if (!command_.empty()) {
    std::string err = run_command("put", &text, nullptr);
    wipe(text);
    return err;
  }
  const std::string tmp = path_ + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    wipe(text);
    return "cannot write " + tmp + ": " + std::strerror(errno);
  }
  std::size_t done = 0;
  bool ok = true;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  wipe(text);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return "cannot write the grant file " + path_ + ": " + why;
  }
  return {};
}

bool GrantStore::remove(std::string& error) const {
  if (!command_.empty()) {
    error = run_command("delete", nullptr, nullptr);
    return error.empty();
  }
  if (::unlink(path_.c_str()) == 0) return true;
  if (errno != ENOENT) error = "cannot remove " + path_ + ": " + std::strerror(errno);
  return false;
}

}  // namespace mv::tool

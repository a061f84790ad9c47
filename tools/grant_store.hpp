// SPDX-License-Identifier: Apache-2.0
// Where OAuth2 grants are kept between runs: one file per account under
// $XDG_STATE_HOME/mailverify/ (default ~/.local/state/mailverify/), mode 0600 in a 0700
// directory, written atomically (a temp file, fsync, rename) and locked (flock on a lock file
// beside it) for the whole read-refresh-write, so two runs at once (two cron jobs) never both
// redeem a rotating refresh token: the second waits and finds the first one's fresh token.
// A directory or file readable by others is refused with an error that names the chmod to run.
// The grant is JSON (protocols/json); its secrets are wiped from memory when dropped.
// With a store command (--oauth2-store-cmd, for a keyring or `pass`), the grant lives wherever
// the command keeps it: `CMD get EMAIL` prints it (nothing: none), `CMD put EMAIL` reads it on
// standard input, `CMD delete EMAIL` forgets it; the lock stays in the directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/limits.hpp"

namespace mv::tool {

struct StoredGrant {
  std::string provider;
  std::string client_id;
  std::string client_secret;
  std::string tenant;
  std::string token_url;
  std::string scope;
  std::string refresh_token;
  std::string access_token;
  std::int64_t expires_at = 0;  // seconds since the epoch; 0: unknown

  ~StoredGrant();
};

class GrantStore {
 public:
  // limits.max_grant_file bounds a stored grant; a longer one is reported as damaged.
  explicit GrantStore(const Limits& limits = kDefaultLimits) : max_file_(limits.max_grant_file) {}
  ~GrantStore();
  GrantStore(const GrantStore&) = delete;
  GrantStore& operator=(const GrantStore&) = delete;

  // The default directory from the environment.
  static std::string default_dir();
  // The file name for an address ("alice@example.com.json"; other characters %XX-escaped).
  static std::string file_name(const std::string& email);

  // Creates the directory (0700) when missing, checks its and the file's modes, takes the lock
  // (waits while another run holds it). An error's text, or empty.
  std::string open(const std::string& dir, const std::string& email);
  // Keep the grant through this shell command instead of the file (call before load/save).
  void use_command(std::string command) { command_ = std::move(command); }
  const std::string& path() const { return path_; }

  // nullopt without error when there is no grant; error set when the file is unreadable.
  std::optional<StoredGrant> load(std::string& error) const;
  std::string save(const StoredGrant& grant) const;
  // true when a grant was there.
  bool remove(std::string& error) const;

 private:
  std::string run_command(const char* verb, const std::string* input, std::string* output) const;

  std::string dir_;
  std::string path_;
  std::string email_;
  std::string command_;
  int lock_fd_ = -1;
  std::size_t max_file_;
};

}  // namespace mv::tool

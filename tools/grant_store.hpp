// Where OAuth2 grants are kept between runs: one file per account under
// $XDG_STATE_HOME/mailverify/ (default ~/.local/state/mailverify/), mode 0600 in a 0700
// directory, written atomically (a temp file, fsync, rename) and locked (flock on a lock file
// beside it) for the whole read-refresh-write, so two runs at once (two cron jobs) never both
// redeem a rotating refresh token: the second waits and finds the first one's fresh token.
// A directory or file readable by others is refused with an error that names the chmod to run.
// The grant is JSON (protocols/json); its secrets are wiped from memory when dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
  GrantStore() = default;
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
  const std::string& path() const { return path_; }

  // nullopt without error when there is no grant; error set when the file is unreadable.
  std::optional<StoredGrant> load(std::string& error) const;
  std::string save(const StoredGrant& grant) const;
  // true when a grant was there.
  bool remove(std::string& error) const;

 private:
  std::string dir_;
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace mv::tool

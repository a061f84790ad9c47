// SPDX-License-Identifier: Apache-2.0
// Which server folder plays Sent, Drafts, Trash and Junk: by SPECIAL-USE attribute (RFC 6154)
// when the server marks them, else by the common names under the personal namespace prefix
// (e.g. "INBOX.Sent"), in English and in the languages Exchange localises them to, matched on
// the name decoded from modified UTF-7 ("Gel&APY-schte Elemente"). Also finds look-alike duplicates
// ("Sent" and "Sent Items") that make mail clients create local copies. Pure function of the LIST
// result.
#pragma once

#include <string>
#include <vector>

#include "protocols/imap/client.hpp"

namespace mv {

struct FolderRole {
  std::string role;    // "Sent", "Drafts", "Trash", "Junk"
  std::string folder;  // empty when none was found
  std::string how;     // "SPECIAL-USE \\Sent", "by name", or "not found"
  std::string shown;   // the folder's name decoded from modified UTF-7, for people
};

struct FolderMap {
  std::vector<FolderRole> roles;
  std::vector<std::string> warnings;  // look-alike duplicates
  const FolderRole* find(std::string_view role) const;
};

FolderMap map_folders(const ImapFolderList& list);

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "engine/folder_map.hpp"

namespace mv {

namespace {
ImapFolder folder(std::string name, std::vector<std::string> attributes = {}) {
  ImapFolder f;
  f.name = std::move(name);
  f.separator = ".";
  f.attributes = std::move(attributes);
  return f;
}
}  // namespace

TEST_CASE("folder_map: SPECIAL-USE attributes win over names") {
  ImapFolderList list;
  list.folders = {folder("INBOX"),
                  folder("Sent"),
                  folder("Sent Items", {"\\Sent"}),
                  folder("Drafts", {"\\Drafts"}),
                  folder("Deleted Items", {"\\Trash"}),
                  folder("Spam", {"\\Junk"})};
  FolderMap map = map_folders(list);
  CHECK(map.find("Sent")->folder == "Sent Items");
  CHECK(map.find("Sent")->how == "SPECIAL-USE \\Sent");
  CHECK(map.find("Trash")->folder == "Deleted Items");
  CHECK(map.find("Junk")->folder == "Spam");
  // "Sent" beside the \Sent folder "Sent Items": clients may file into either.
  REQUIRE(map.warnings.size() == 1);
  CHECK(map.warnings[0].find("\"Sent\" \"Sent Items\"") != std::string::npos);
}

TEST_CASE("folder_map: without SPECIAL-USE, common names under the namespace prefix") {
  ImapFolderList list;
  list.personal.present = true;
  list.personal.prefix = "INBOX.";
  list.personal.separator = ".";
  list.folders = {folder("INBOX"), folder("INBOX.Sent Messages"), folder("INBOX.Drafts"),
                  folder("INBOX.Trash"), folder("INBOX.Archive")};
  FolderMap map = map_folders(list);
  CHECK(map.find("Sent")->folder == "INBOX.Sent Messages");
  CHECK(map.find("Sent")->how == "by name");
  CHECK(map.find("Drafts")->folder == "INBOX.Drafts");
  CHECK(map.find("Trash")->folder == "INBOX.Trash");
  CHECK(map.find("Junk")->folder.empty());
  CHECK(map.find("Junk")->how == "not found");
  CHECK(map.warnings.empty());
}

TEST_CASE("folder_map: look-alike Trash folders and \\Noselect parents") {
  ImapFolderList list;
  list.folders = {folder("Trash"), folder("Deleted Items"), folder("Junk", {"\\Noselect"})};
  FolderMap map = map_folders(list);
  CHECK(map.find("Trash")->folder == "Trash");
  REQUIRE(map.warnings.size() == 1);
  CHECK(map.warnings[0].rfind("Trash has look-alike folders", 0) == 0);
  CHECK(map.find("Junk")->folder.empty());  // a \Noselect folder cannot hold mail
}

}  // namespace mv

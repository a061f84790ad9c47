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

namespace mv {

TEST_CASE("folder_map: localised Exchange names in modified UTF-7, without SPECIAL-USE") {
  struct Mailbox {
    const char* language;
    std::vector<std::string> names;  // Sent, Drafts, Trash, Junk as the server lists them
    std::vector<std::string> shown;
  };
  const Mailbox mailboxes[] = {
      {"German",
       {"Gesendete Elemente", "Entw&APw-rfe", "Gel&APY-schte Elemente", "Junk-E-Mail"},
       {"Gesendete Elemente", "Entw\u00FCrfe", "Gel\u00F6schte Elemente", "Junk-E-Mail"}},
      {"French",
       {"&AMk-l&AOk-ments envoy&AOk-s", "Brouillons", "&AMk-l&AOk-ments supprim&AOk-s",
        "Courrier ind&AOk-sirable"},
       {"\u00C9l\u00E9ments envoy\u00E9s", "Brouillons", "\u00C9l\u00E9ments supprim\u00E9s",
        "Courrier ind\u00E9sirable"}},
      {"Spanish",
       {"Elementos enviados", "Borradores", "Elementos eliminados", "Correo no deseado"},
       {"Elementos enviados", "Borradores", "Elementos eliminados", "Correo no deseado"}},
      {"Italian",
       {"Posta inviata", "Bozze", "Posta eliminata", "Posta indesiderata"},
       {"Posta inviata", "Bozze", "Posta eliminata", "Posta indesiderata"}},
      {"Dutch",
       {"Verzonden items", "Concepten", "Verwijderde items", "Ongewenste e-mail"},
       {"Verzonden items", "Concepten", "Verwijderde items", "Ongewenste e-mail"}},
      {"Portuguese (Brazil)",
       {"Itens Enviados", "Rascunhos", "Itens Exclu&AO0-dos", "Lixo Eletr&APQ-nico"},
       {"Itens Enviados", "Rascunhos", "Itens Exclu\u00EDdos", "Lixo Eletr\u00F4nico"}},
      {"Outlook.com", {"Sent", "Drafts", "Deleted", "Junk"}, {"Sent", "Drafts", "Deleted", "Junk"}},
  };
  const char* roles[] = {"Sent", "Drafts", "Trash", "Junk"};
  for (const Mailbox& m : mailboxes) {
    INFO(m.language);
    ImapFolderList list;
    list.folders = {folder("INBOX"), folder("Archive")};
    for (const std::string& n : m.names)
      list.folders.push_back(folder(n));
    const FolderMap map = map_folders(list);
    for (int i = 0; i < 4; ++i) {
      const FolderRole* r = map.find(roles[i]);
      REQUIRE(r);
      CHECK(r->folder == m.names[i]);  // what SELECT takes
      CHECK(r->shown == m.shown[i]);   // what people read
      CHECK(r->how == "by name");
    }
    CHECK(map.warnings.empty());
  }
}

TEST_CASE("folder_map: SPECIAL-USE still wins over a localised name") {
  ImapFolderList list;
  list.folders = {folder("INBOX"), folder("Gel&APY-schte Elemente"),
                  folder("Papierkorb", {"\\Trash"})};
  const FolderMap map = map_folders(list);
  CHECK(map.find("Trash")->folder == "Papierkorb");
  CHECK(map.find("Trash")->how == "SPECIAL-USE \\Trash");
  REQUIRE(map.warnings.size() == 1);  // both are Trash by name: a look-alike
  CHECK(map.warnings[0].find("\"Gel\u00F6schte Elemente\"") != std::string::npos);
}

TEST_CASE("folder_map: under UTF8=ACCEPT names are UTF-8: found as sent, '&' not decoded") {
  ImapFolderList list;
  list.utf8 = true;
  list.folders = {folder("INBOX"), folder("Gel\u00F6schte Elemente"), folder("Gel&APY-scht")};
  const FolderMap map = map_folders(list);
  CHECK(map.find("Trash")->folder == "Gel\u00F6schte Elemente");
  CHECK(map.find("Trash")->shown == "Gel\u00F6schte Elemente");
  CHECK(map.find("Trash")->how == "by name");
  list.folders = {folder("Gel&APY-schte Elemente")};  // mUTF-7 only when not in UTF-8 mode
  CHECK(map_folders(list).find("Trash")->folder.empty());
}

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include "engine/folder_map.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/imap/mutf7.hpp"

#include <algorithm>

namespace mv {

namespace {

struct RoleSpec {
  const char* role;
  const char* attribute;
  std::vector<std::string> names;  // common names, most usual first
};

// English first, then the names Exchange gives these folders in the mailbox's language
// (German, French, Spanish, Italian, Dutch, Portuguese (Brazil, Portugal), Swedish, Danish,
// Norwegian, Finnish, Polish, Russian), Outlook.com's "Deleted", and the German and French
// webmail providers' own (GMX, WEB.DE, T-Online, Orange). Written in UTF-8: folder names are
// matched once decoded from modified UTF-7.
const std::vector<RoleSpec>& role_specs() {
  static const std::vector<RoleSpec> specs = {
      {"Sent",
       "\\Sent",
       {"Sent",
        "Sent Items",
        "Sent Messages",
        "Sent Mail",
        "[Gmail]/Sent Mail",
        "Gesendete Elemente",
        "Gesendet",
        "Gesendete Objekte",
        "\u00C9l\u00E9ments envoy\u00E9s",
        "Envoy\u00E9s",
        "Messages envoy\u00E9s",
        "Elementos enviados",
        "Enviados",
        "Posta inviata",
        "Inviata",
        "Verzonden items",
        "Verzonden",
        "Itens Enviados",
        "Skickade objekt",
        "Sendt post",
        "Sendte elementer",
        "L\u00E4hetetyt",
        "Elementy wys\u0142ane",
        "\u041E\u0442\u043F\u0440\u0430\u0432\u043B\u0435\u043D\u043D\u044B\u0435"}},
      {"Drafts",
       "\\Drafts",
       {"Drafts", "Draft", "[Gmail]/Drafts", "Entw\u00FCrfe", "Brouillons", "Borradores", "Bozze",
        "Concepten", "Rascunhos", "Utkast", "Kladder", "Kladd", "Luonnokset", "Wersje robocze",
        "\u0427\u0435\u0440\u043D\u043E\u0432\u0438\u043A\u0438"}},
      {"Trash",
       "\\Trash",
       {"Trash",
        "Deleted Items",
        "Deleted Messages",
        "Deleted",
        "Bin",
        "[Gmail]/Trash",
        "[Gmail]/Bin",
        "Gel\u00F6schte Elemente",
        "Gel\u00F6schte Objekte",
        "Papierkorb",
        "\u00C9l\u00E9ments supprim\u00E9s",
        "Corbeille",
        "Elementos eliminados",
        "Papelera",
        "Posta eliminata",
        "Cestino",
        "Verwijderde items",
        "Prullenbak",
        "Itens Exclu\u00EDdos",
        "Itens Eliminados",
        "Lixeira",
        "Borttagna objekt",
        "Slettet post",
        "Slettede elementer",
        "Poistetut",
        "Elementy usuni\u0119te",
        "\u0423\u0434\u0430\u043B\u0435\u043D\u043D\u044B\u0435"}},
      {"Junk",
       "\\Junk",
       {"Junk",
        "Junk E-mail",
        "Junk Email",
        "Spam",
        "Bulk Mail",
        "[Gmail]/Spam",
        "Junk-E-Mail",
        "Spamverdacht",
        "Courrier ind\u00E9sirable",
        "Ind\u00E9sirables",
        "Correo no deseado",
        "Posta indesiderata",
        "Ongewenste e-mail",
        "Lixo Eletr\u00F4nico",
        "Email de Lixo",
        "Skr\u00E4ppost",
        "U\u00F8nsket post",
        "S\u00F8ppelpost",
        "Roskaposti",
        "Wiadomo\u015Bci-\u015Bmieci",
        "\u041D\u0435\u0436\u0435\u043B\u0430\u0442\u0435\u043B\u044C\u043D\u0430\u044F "
        "\u043F\u043E\u0447\u0442\u0430"}},
  };
  return specs;
}

// The folder name without the personal namespace prefix ("INBOX.Sent" → "Sent").
std::string_view local_name(std::string_view name, const ImapNamespace& ns) {
  if (ns.present && !ns.prefix.empty() && name.size() > ns.prefix.size() &&
      iequals(name.substr(0, ns.prefix.size()), ns.prefix))
    return name.substr(ns.prefix.size());
  return name;
}

}  // namespace

const FolderRole* FolderMap::find(std::string_view role) const {
  for (const FolderRole& r : roles)
    if (r.role == role) return &r;
  return nullptr;
}

FolderMap map_folders(const ImapFolderList& list) {
  FolderMap map;
  for (const RoleSpec& spec : role_specs()) {
    FolderRole role{spec.role, "", "not found", ""};
    if (const ImapFolder* f = list.special_use(spec.attribute)) {
      role.folder = f->name;
      role.shown = folder_display_name(f->name, list.utf8);
      role.how = std::string("SPECIAL-USE ") + spec.attribute;
    }
    std::vector<std::string> lookalikes;
    for (const ImapFolder& f : list.folders) {
      if (f.has_attribute("\\Noselect") || f.has_attribute("\\NonExistent")) continue;
      const std::string shown = folder_display_name(f.name, list.utf8);
      std::string_view local = local_name(shown, list.personal);
      bool named = std::any_of(spec.names.begin(), spec.names.end(),
                               [&](const std::string& n) { return iequals(local, n); });
      if (!named) continue;
      lookalikes.push_back(shown);
      if (role.folder.empty()) {
        role.folder = f.name;
        role.shown = shown;
        role.how = "by name";
      }
    }
    if (lookalikes.size() > 1) {
      std::string w = spec.role + std::string(" has look-alike folders:");
      for (const std::string& n : lookalikes)
        w += " \"" + n + "\"";
      w += " (mail clients may file into different ones; keep one)";
      map.warnings.push_back(std::move(w));
    }
    map.roles.push_back(std::move(role));
  }
  return map;
}

}  // namespace mv

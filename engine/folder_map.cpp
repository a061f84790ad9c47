// SPDX-License-Identifier: Apache-2.0
#include "engine/folder_map.hpp"
#include "protocols/common/ascii.hpp"

#include <algorithm>

namespace mv {

namespace {

struct RoleSpec {
  const char* role;
  const char* attribute;
  std::vector<std::string> names;  // common names, most usual first
};

const std::vector<RoleSpec>& role_specs() {
  static const std::vector<RoleSpec> specs = {
      {"Sent", "\\Sent", {"Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail"}},
      {"Drafts", "\\Drafts", {"Drafts", "Draft", "[Gmail]/Drafts"}},
      {"Trash",
       "\\Trash",
       {"Trash", "Deleted Items", "Deleted Messages", "Bin", "[Gmail]/Trash", "[Gmail]/Bin"}},
      {"Junk",
       "\\Junk",
       {"Junk", "Junk E-mail", "Junk Email", "Spam", "Bulk Mail", "[Gmail]/Spam"}},
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
    FolderRole role{spec.role, "", "not found"};
    if (const ImapFolder* f = list.special_use(spec.attribute)) {
      role.folder = f->name;
      role.how = std::string("SPECIAL-USE ") + spec.attribute;
    }
    std::vector<std::string> lookalikes;
    for (const ImapFolder& f : list.folders) {
      if (f.has_attribute("\\Noselect") || f.has_attribute("\\NonExistent")) continue;
      std::string_view local = local_name(f.name, list.personal);
      bool named = std::any_of(spec.names.begin(), spec.names.end(),
                               [&](const std::string& n) { return iequals(local, n); });
      if (!named) continue;
      lookalikes.push_back(f.name);
      if (role.folder.empty()) {
        role.folder = f.name;
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

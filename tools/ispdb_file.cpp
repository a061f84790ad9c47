// SPDX-License-Identifier: Apache-2.0
#include "tools/ispdb_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/autoconfig_source.hpp"

namespace mv {

namespace {

SourceOutcome failed(const std::string& origin, std::string detail) {
  SourceOutcome out;
  out.source = SettingsSource::ispdb_local;
  out.origin = origin;
  out.final_url = origin;
  out.error = make_error(ErrorKind::discover_file, Protocol::none, std::move(detail));
  out.error.step = "discover.ispdb_local";
  return out;
}

// A domain is used as a file name only when it cannot leave the directory.
bool safe_name(std::string_view domain) {
  if (domain.empty() || domain.front() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (char c : domain)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
      return false;
  return true;
}

}  // namespace

SourceOutcome read_local_ispdb(const std::string& path, std::string_view email,
                               std::string_view domain, const Limits& limits) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    if (!safe_name(domain))
      return failed(path, "the domain \"" + sanitize_server_text(domain, 80) +
                              "\" cannot name a file in the local ISPDB");
    const std::string d(domain);
    file.clear();
    for (const fs::path& candidate : {fs::path(path) / d, fs::path(path) / (d + ".xml"),
                                      fs::path(path) / "ispdb" / (d + ".xml")}) {
      if (fs::is_regular_file(candidate, ec)) {
        file = candidate.string();
        break;
      }
    }
    if (file.empty()) {
      SourceOutcome out = failed(path, "the local ISPDB " + path + " has no entry for " + d);
      out.error = make_error(ErrorKind::discover_not_found, Protocol::none, out.error.detail);
      out.error.step = "discover.ispdb_local";
      return out;
    }
  }
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return failed(file, "cannot read " + file + ": " + std::strerror(errno));
  std::string text(limits.max_xml_document + 1, '\0');
  const std::size_t n = std::fread(text.data(), 1, text.size(), f);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return failed(file, "cannot read " + file);
  text.resize(n);  // one byte over the limit is enough for the engine to refuse it
  return local_ispdb_outcome(text, file, email, domain, limits);
}

}  // namespace mv

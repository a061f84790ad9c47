// SPDX-License-Identifier: Apache-2.0
// The man page (docs/verify-roundtrip.1), --help and the shell completions follow the option
// table: every option --help lists has exactly one entry in the man page's OPTIONS, in the
// subsection named after its --help group and with the same value name, and the man page
// documents no option the tool lacks. A new option then needs only its man-page entry.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tools/completions.hpp"
#include "tools/option_values.hpp"
#include "tools/options.hpp"

namespace mv::tool {

namespace {

struct ManEntry {
  std::string group;
  std::string value_name;  // empty: a flag
  int count = 0;
};

std::string man_page_text() {
  std::ifstream in(MV_SOURCE_DIR "/docs/verify-roundtrip.1");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The .TP entries of the OPTIONS section by long option name: ".BI \-\-smtp\-host " HOST"",
// ".BR \-4 ", " \-\-ipv4", ".B \-\-insecure", each in the .SS subsection it sits in.
std::map<std::string, ManEntry> man_options(const std::string& text) {
  std::map<std::string, ManEntry> entries;
  std::istringstream in(text);
  std::string line, group;
  bool in_options = false, heading_next = false;
  const std::regex long_name(R"(\\-\\-([a-z0-9]+(\\-[a-z0-9]+)*))");
  const std::regex value_name(R"("\s*([A-Z][A-Z0-9_:]*)\s*"?\s*$)");
  while (std::getline(in, line)) {
    if (line.rfind(".SH ", 0) == 0) in_options = line == ".SH OPTIONS";
    if (!in_options) continue;
    if (line.rfind(".SS ", 0) == 0) group = line.substr(4);
    if (line == ".TP") {
      heading_next = true;
      continue;
    }
    if (!heading_next) continue;
    heading_next = false;
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(line, m, long_name), "no --option in entry: " << line);
    std::string name = m[1].str();
    for (std::size_t at; (at = name.find("\\-")) != std::string::npos;)
      name.replace(at, 2, "-");
    ManEntry& e = entries[name];
    e.group = group;
    ++e.count;
    if (std::smatch v; std::regex_search(line, v, value_name)) e.value_name = v[1].str();
  }
  return entries;
}

}  // namespace

TEST_CASE("man page: every option of --help, in its group, with its value name") {
  const std::string text = man_page_text();
  REQUIRE_MESSAGE(!text.empty(), "cannot read " MV_SOURCE_DIR "/docs/verify-roundtrip.1");
  const std::map<std::string, ManEntry> man = man_options(text);
  std::set<std::string> in_tool;
  for (const OptionDoc& o : option_table()) {
    in_tool.insert(o.name);
    INFO("--" << o.name);
    auto it = man.find(o.name);
    CHECK_MESSAGE(it != man.end(), "--" << o.name << " is missing from docs/verify-roundtrip.1");
    if (it == man.end()) continue;
    CHECK(it->second.count == 1);
    CHECK(it->second.group == o.group);
    CHECK(it->second.value_name == o.value_name);
  }
  // The subsections come in the order of the --help groups.
  std::size_t last = 0;
  for (const OptionDoc& o : option_table()) {
    const std::size_t at = text.find("\n.SS " + o.group + "\n");
    CHECK_MESSAGE(at >= last, "subsection " << o.group << " out of --help's order");
    last = at;
  }
  for (const auto& documented : man) {
    // Named, not a structured binding: CHECK_MESSAGE captures it in a lambda (clang 14 refuses).
    const std::string& name = documented.first;
    CHECK_MESSAGE(in_tool.count(name), "docs/verify-roundtrip.1 documents --"
                                           << name << ", which verify-roundtrip does not have");
  }
}

TEST_CASE("man page: the sections a reader looks for") {
  const std::string text = man_page_text();
  for (const char* section :
       {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH EXIT STATUS",
        ".SH ENVIRONMENT", ".SH FILES", ".SH EXAMPLES", ".SH SEE ALSO"})
    CHECK_MESSAGE(text.find(std::string(section) + "\n") != std::string::npos, section);
}

TEST_CASE("--help: options in groups, every value named, examples and exit codes") {
  const CommandLine cl = parse_command_line({"verify-roundtrip", "--help"});
  REQUIRE(cl.action == Action::help);
  std::set<std::string> groups;
  for (const OptionDoc& o : option_table()) {
    groups.insert(o.group);
    INFO("--" << o.name);
    CHECK(!o.group.empty());
    CHECK(o.value_name != "arg");
    // Defaults come from the table alone ("(default: x)"), never also from the help line.
    if (!o.default_value.empty()) CHECK(o.help.find("default") == std::string::npos);
    const std::string shown = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    CHECK_MESSAGE(cl.text.find(shown) != std::string::npos, shown);
  }
  CHECK(groups.size() >= 5);
  for (const std::string& g : groups)
    CHECK_MESSAGE(cl.text.find(" " + g + " options:\n") != std::string::npos, g);
  CHECK(cl.text.find("Examples:\n") != std::string::npos);
  CHECK(cl.text.find("Exit codes:") != std::string::npos);
  // A value-taking option with no name for its value shows as "arg".
  CHECK(cl.text.find(" arg ") == std::string::npos);
}

TEST_CASE("completions: every fixed value offered is one the parser accepts") {
  int offered = 0;
  for (const OptionDoc& o : option_table()) {
    for (const std::string& value : option_values(o.name)) {
      ++offered;
      CAPTURE(o.name);
      CAPTURE(value);
      const std::vector<std::string> args{"verify-roundtrip", "--email",
                                          "me@example.org",   "--host",
                                          "mail.example.org", "--" + o.name + "=" + value};
      const CommandLine cl = parse_command_line(args);
      // Some values need a partner (XOAUTH2 a token source) that the parser checks later; what
      // matters here is that the value itself is not refused.
      if (cl.action == Action::usage_error)
        CHECK_MESSAGE(cl.text.find("--" + o.name) == std::string::npos, cl.text);
    }
  }
  CHECK(offered >= 20);
  for (const char* option :
       {"smtp-tls", "imap-tls", "pop3-tls", "receive", "check", "provider", "auth", "stop-after"})
    CHECK_MESSAGE(!option_values(option).empty(), option);
}

TEST_CASE("completions: every option in every shell's script") {
  const std::string bash = completion_script(Shell::bash);
  const std::string zsh = completion_script(Shell::zsh);
  const std::string fish = completion_script(Shell::fish);
  CHECK(zsh.rfind("#compdef verify-roundtrip\n", 0) == 0);
  CHECK(bash.find("complete -F _verify_roundtrip verify-roundtrip") != std::string::npos);
  for (const OptionDoc& o : option_table()) {
    INFO("--" << o.name);
    CHECK(bash.find("--" + o.name) != std::string::npos);
    CHECK(zsh.find("--" + o.name) != std::string::npos);
    CHECK(fish.find(" -l " + o.name + " ") != std::string::npos);
  }
  CHECK(fish.find("-l smtp-tls -x -a 'starttls implicit none'") != std::string::npos);
}

}  // namespace mv::tool

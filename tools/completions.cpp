// SPDX-License-Identifier: Apache-2.0
#include "tools/completions.hpp"

#include <vector>

#include "tools/option_values.hpp"
#include "tools/options.hpp"

namespace mv::tool {

namespace {

constexpr const char* kHeader =
    "# SPDX-License-Identifier: Apache-2.0\n"
    "# Completion for verify-roundtrip, generated from its option table by mv_gen_completions.\n";

std::string joined(const std::vector<std::string>& words, const char* separator = " ") {
  std::string out;
  for (const std::string& w : words)
    out += (out.empty() ? "" : separator) + w;
  return out;
}

// The words of an option: "--ipv4" and "-4".
std::vector<std::string> spellings(const OptionDoc& o) {
  std::vector<std::string> out{"--" + o.name};
  if (!o.short_name.empty() && o.short_name != o.name) out.push_back("-" + o.short_name);
  return out;
}

// Inside a single-quoted shell word.
std::string single_quoted(std::string_view s, std::string_view quote_escape) {
  std::string out;
  for (char c : s) {
    if (c == '\'')
      out += quote_escape;
    else
      out += c;
  }
  return out;
}

std::string bash() {
  std::string fixed, files, commands, variables, hosts, free, all;
  for (const OptionDoc& o : option_table()) {
    for (const std::string& w : spellings(o))
      all += (all.empty() ? "" : " ") + w;
    if (o.value_name.empty()) continue;
    const std::string pattern = joined(spellings(o), "|");
    const std::vector<std::string> values = option_values(o.name);
    if (!values.empty())
      fixed += "    " + pattern + ") COMPREPLY=($(compgen -W '" + joined(values) +
               "' -- \"$cur\")); return ;;\n";
    else if (o.value_name == "FILE")
      files += (files.empty() ? "" : "|") + pattern;
    else if (o.value_name == "CMD")
      commands += (commands.empty() ? "" : "|") + pattern;
    else if (o.value_name == "VAR")
      variables += (variables.empty() ? "" : "|") + pattern;
    else if (o.value_name == "HOST")
      hosts += (hosts.empty() ? "" : "|") + pattern;
    else
      free += (free.empty() ? "" : "|") + pattern;
  }
  std::string s = kHeader;
  s += "_verify_roundtrip() {\n"
       "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
       "  # --option=value: bash splits at '=' (COMP_WORDBREAKS)\n"
       "  if [[ $cur == = ]]; then\n"
       "    prev=${COMP_WORDS[COMP_CWORD-1]}; cur=\n"
       "  elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n"
       "    prev=${COMP_WORDS[COMP_CWORD-2]}\n"
       "  fi\n"
       "  case $prev in\n";
  s += fixed;
  if (!files.empty())
    s += "    " + files +
         ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  if (!commands.empty())
    s += "    " + commands + ") COMPREPLY=($(compgen -c -- \"$cur\")); return ;;\n";
  if (!variables.empty())
    s += "    " + variables + ") COMPREPLY=($(compgen -v -- \"$cur\")); return ;;\n";
  if (!hosts.empty())
    s += "    " + hosts + ") COMPREPLY=($(compgen -A hostname -- \"$cur\")); return ;;\n";
  if (!free.empty()) s += "    " + free + ") COMPREPLY=(); return ;;\n";
  s += "  esac\n"
       "  COMPREPLY=($(compgen -W '" +
       all +
       "' -- \"$cur\"))\n"
       "}\n"
       "complete -F _verify_roundtrip verify-roundtrip\n";
  return s;
}

// An _arguments description: [, ], : and \ escaped, inside single quotes.
std::string zsh_description(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return single_quoted(out, "'\\''");
}

std::string zsh() {
  std::string s = "#compdef verify-roundtrip\n";
  s += kHeader;
  s += "_arguments -s -S \\\n";
  for (const OptionDoc& o : option_table()) {
    const std::vector<std::string> words = spellings(o);
    std::string action;
    if (!o.value_name.empty()) {
      const std::vector<std::string> values = option_values(o.name);
      std::string kind;
      if (!values.empty())
        kind = "(" + joined(values) + ")";
      else if (o.value_name == "FILE")
        kind = "_files";
      else if (o.value_name == "CMD")
        kind = "_command_names -e";
      else if (o.value_name == "VAR")
        kind = "_parameters";
      else if (o.value_name == "HOST")
        kind = "_hosts";
      else
        kind = " ";
      action = ":" + o.value_name + ":" + kind;
    }
    const std::string describe = "[" + zsh_description(o.help) + "]";
    if (words.size() == 1) {
      s += "  '" + words[0] + (o.value_name.empty() ? "" : "=") + describe + action + "' \\\n";
    } else {
      s += "  '(" + joined(words) + ")'{" + joined(words, ",") + "}'" +
           (o.value_name.empty() ? "" : "=") + describe + action + "' \\\n";
    }
  }
  s += "  && return 0\n";
  return s;
}

std::string fish() {
  std::string s = kHeader;
  s += "complete -c verify-roundtrip -f\n";
  for (const OptionDoc& o : option_table()) {
    std::string line = "complete -c verify-roundtrip";
    if (!o.short_name.empty() && o.short_name != o.name) line += " -s " + o.short_name;
    line += " -l " + o.name;
    if (!o.value_name.empty()) {
      const std::vector<std::string> values = option_values(o.name);
      if (!values.empty())
        line += " -x -a '" + joined(values) + "'";
      else if (o.value_name == "FILE")
        line += " -r -F";
      else if (o.value_name == "CMD")
        line += " -x -a '(__fish_complete_command)'";
      else if (o.value_name == "VAR")
        line += " -x -a '(set --names --export)'";
      else if (o.value_name == "HOST")
        line += " -x -a '(__fish_print_hostnames)'";
      else
        line += " -x";
    }
    std::string help;
    for (char c : o.help) {
      if (c == '\\' || c == '\'') help += '\\';
      help += c;
    }
    s += line + " -d '" + help + "'\n";
  }
  return s;
}

}  // namespace

std::string completion_script(Shell shell) {
  switch (shell) {
    case Shell::bash:
      return bash();
    case Shell::zsh:
      return zsh();
    case Shell::fish:
      return fish();
  }
  return {};
}

}  // namespace mv::tool

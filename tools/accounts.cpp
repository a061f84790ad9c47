// SPDX-License-Identifier: Apache-2.0
#include "tools/accounts.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "tools/identities.hpp"
#include "tools/oauth2_signin.hpp"

namespace mv::tool {

namespace {

// Options that concern the whole run (its output, its size), not one account.
constexpr std::string_view kRunOnly[] = {"accounts", "concurrency", "json",       "nagios",
                                         "no-color", "color",       "help",       "version",
                                         "deadline", "verbose",     "prometheus", "list-providers"};

// Options of which a line naming one replaces whichever the defaults named.
const std::vector<std::vector<std::string_view>> kExclusive = {
    {"password-env", "password-file", "password-cmd", "password", "oauth2-token-env",
     "oauth2-token-cmd"},
    {"smtp-password-env", "smtp-password-file", "smtp-password-cmd", "smtp-oauth2-token-env",
     "smtp-oauth2-token-cmd"},
    {"ipv4", "ipv6"},
    {"send-only", "receive-only"},
};

// One option with its value as written ("--imap-port", "993" or "--imap-port=993"); name is the
// long name ("ipv4" for -4), empty for a word that is not an option.
struct OptionWords {
  std::string name;
  std::vector<std::string> words;
};

std::vector<OptionWords> group_options(const std::vector<std::string>& words) {
  std::vector<OptionWords> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    std::string key;
    bool attached = false;  // the value is in this word ("--x=v", "-xv")
    if (w.rfind("--", 0) == 0 && w.size() > 2) {
      const std::size_t eq = w.find('=');
      key = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      attached = eq != std::string::npos;
    } else if (w.size() >= 2 && w[0] == '-' && w[1] != '-') {
      key = w.substr(1, 1);
      attached = w.size() > 2;
    } else {
      out.push_back({"", {w}});
      continue;
    }
    const std::optional<OptionShape> shape = option_shape(key);
    OptionWords o{shape ? shape->name : key, {w}};
    if (shape && shape->takes_value && !attached && i + 1 < words.size())
      o.words.push_back(words[++i]);
    out.push_back(std::move(o));
  }
  return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool split_words(std::string_view line, std::vector<std::string>& words, std::string& error) {
  words.clear();
  std::string word;
  bool in_word = false;
  enum class Quote { none, single, double_ } quote = Quote::none;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote == Quote::single) {  // everything literal up to the next '
      if (c == '\'')
        quote = Quote::none;
      else
        word += c;
    } else if (quote == Quote::double_) {  // \ escapes only " \ $ ` (as sh does)
      if (c == '\\' && i + 1 < line.size() && std::strchr("\"\\$`", line[i + 1]) != nullptr)
        word += line[++i];
      else if (c == '"')
        quote = Quote::none;
      else
        word += c;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {  // a comment to the end of the line
      break;
    } else {
      in_word = true;
      if (c == '\\') {
        if (i + 1 == line.size()) {
          error = "a backslash at the end of the line (escape it as \\\\)";
          return false;
        }
        word += line[++i];
      } else if (c == '\'') {
        quote = Quote::single;
      } else if (c == '"') {
        quote = Quote::double_;
      } else {
        word += c;
      }
    }
  }
  if (quote != Quote::none) {
    error = quote == Quote::single ? "unterminated single quote" : "unterminated double quote";
    return false;
  }
  if (in_word) words.push_back(std::move(word));
  return true;
}

std::vector<AccountLine> parse_accounts(std::string_view text, std::string& error) {
  std::vector<AccountLine> lines;
  unsigned number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    AccountLine account{number, {}, {}};
    if (!split_words(line, account.words, error)) {
      error = "line " + std::to_string(number) + ": " + error;
      return {};
    }
    if (account.words.empty()) continue;  // blank, or a comment
    const std::string& first = account.words.front();
    if (first.size() > 1 && first.back() == ':' && first.front() != '-') {  // "NAME: --email ..."
      account.name = first.substr(0, first.size() - 1);
      account.words.erase(account.words.begin());
      bool control = false;
      for (unsigned char c : account.name)
        control = control || c < 0x20 || c == 0x7f;
      if (control) {
        error = "line " + std::to_string(number) + ": control characters in the account's name";
        return {};
      }
    }
    if (account.words.empty() || account.words.front().rfind("-", 0) != 0) {
      error = "line " + std::to_string(number) + ": expected [NAME:] --option value ..., found \"" +
              (account.words.empty() ? first : account.words.front()) + "\"";
      return {};
    }
    lines.push_back(std::move(account));
  }
  return lines;
}

bool merge_account_args(const std::vector<std::string>& defaults,
                        const std::vector<std::string>& line, std::vector<std::string>& merged,
                        std::string& error) {
  const std::vector<OptionWords> ours = group_options(line);
  std::vector<std::string> replaced;  // names whose defaults the line replaces
  for (const OptionWords& o : ours) {
    if (std::find(std::begin(kRunOnly), std::end(kRunOnly), o.name) != std::end(kRunOnly)) {
      error = "--" + o.name + " concerns the whole run: give it on the command line";
      return false;
    }
    replaced.push_back(o.name);
    for (const auto& group : kExclusive)
      if (std::find(group.begin(), group.end(), o.name) != group.end())
        replaced.insert(replaced.end(), group.begin(), group.end());
  }
  merged.clear();
  if (!defaults.empty()) merged.push_back(defaults.front());
  const std::vector<std::string> rest(defaults.begin() + (defaults.empty() ? 0 : 1),
                                      defaults.end());
  for (const OptionWords& o : group_options(rest))
    if (o.name.empty() || !contains(replaced, o.name))
      merged.insert(merged.end(), o.words.begin(), o.words.end());
  for (const OptionWords& o : ours)
    merged.insert(merged.end(), o.words.begin(), o.words.end());
  return true;
}

std::string prepare_accounts(const AccountsRequest& request, std::vector<Account>& accounts,
                             const Limits& limits) {
  const std::string where = "--accounts " + request.file;
  std::ifstream in(request.file, std::ios::binary);
  if (!in) return where + ": cannot read it (" + std::strerror(errno) + ")";
  std::string text(limits.max_accounts_file + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limits.max_accounts_file)
    return where + ": larger than " + std::to_string(limits.max_accounts_file) + " bytes";
  std::string error;
  const std::vector<AccountLine> lines = parse_accounts(text, error);
  if (!error.empty()) return where + ", " + error;
  if (lines.empty()) return where + ": no accounts in it";
  accounts.clear();
  std::vector<std::string> labels;  // each account's label, to keep them apart in every output
  for (const AccountLine& line : lines) {
    const std::string at = where + ", line " + std::to_string(line.number) + ": ";
    std::vector<std::string> args;
    if (!merge_account_args(request.defaults, line.words, args, error)) return at + error;
    CommandLine cl = parse_command_line(args);
    if (cl.action != Action::run) return at + (cl.text.empty() ? "not an account" : cl.text);
    if (cl.options.peer) return at + "--peer-email is for one account at a time, not --accounts";
    Account account{std::move(cl.options), {}, {}};
    ToolOptions& o = account.options;
    if (!line.name.empty()) o.name = line.name;
    const std::string& label = o.name.empty() ? o.config.email : o.name;
    for (std::size_t k = 0; k < labels.size(); ++k)
      if (labels[k] == label)
        return at + "\"" + label + "\" already names the account of line " +
               std::to_string(lines[k].number) +
               " (give each account its own name: \"NAME: --email ...\")";
    labels.push_back(label);
    o.login.sources.allow_prompt = false;  // one prompt per account would be a guessing game
    if (o.smtp_identity) o.smtp_identity->sources.allow_prompt = false;
    account.warnings = o.warnings;
    if (o.oauth2.login || o.oauth2.logout)
      return at + "--oauth2-login/--oauth2-logout concern one account: run them for " +
             o.config.email + " alone first";
    // A stored OAuth2 grant of this address (refreshed when due), else its secret options.
    OAuth2SignIn signin = oauth2_sign_in(o);
    if (signin.active) {
      account.warnings.insert(account.warnings.end(), signin.report.warnings.begin(),
                              signin.report.warnings.end());
      if (signin.report.error)
        account.failed_signin = std::move(signin.report);
      else
        apply_oauth2_token(o, signin.access_token);
    } else if (std::string err = resolve_identities(o, account.warnings); !err.empty()) {
      return at + o.config.email + ": " + err;
    }
    accounts.push_back(std::move(account));
  }
  return {};
}

}  // namespace mv::tool

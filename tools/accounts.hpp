// SPDX-License-Identifier: Apache-2.0
// --accounts FILE: many accounts checked in one run. Each non-empty line that is not a # comment
// holds one account's options, written as on the command line (words split on whitespace; "double
// quotes" keep spaces, with \" and \\ inside them). The options given on the command line are
// every account's defaults; a line's option replaces the default of the same name, and a line
// naming any secret source (--password-env, --password-file, ...) replaces the default source.
// Secrets are read per account and never printed: errors name the line and the source only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/options.hpp"

namespace mv::tool {

// One account line of the file: its number (from 1) and its words.
struct AccountLine {
  unsigned number = 0;
  std::vector<std::string> words;
};

// Splits one line into words. Returns false (and why) for an unterminated quote.
bool split_words(std::string_view line, std::vector<std::string>& words, std::string& error);

// The account lines of a file's text. Empty on error (error set: "line N: ...").
std::vector<AccountLine> parse_accounts(std::string_view text, std::string& error);

// The command line of one account: the defaults (args[0] first) with the line's options over
// them. Returns false (and why) for an option that concerns the whole run, not one account.
bool merge_account_args(const std::vector<std::string>& defaults,
                        const std::vector<std::string>& line, std::vector<std::string>& merged,
                        std::string& error);

// One account ready to run: its options (credentials filled in) and warnings to show.
struct Account {
  ToolOptions options;
  std::vector<std::string> warnings;
};

// Reads the file, merges and parses every line, and reads every account's secrets (never from a
// prompt: there are many). Returns a usage error naming the file and line, empty on success.
std::string prepare_accounts(const AccountsRequest& request, std::vector<Account>& accounts);

}  // namespace mv::tool

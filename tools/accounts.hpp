// SPDX-License-Identifier: Apache-2.0
// --accounts FILE: many accounts checked in one run. Each line holds one account: an optional
// name ("alice:"), used as its label in every output instead of its address, then its options as
// on the command line, split as sh does: whitespace between words, 'single quotes' keep everything,
// "double quotes" keep spaces (with \" \\ \$ \` inside), a backslash escapes the next character,
// and # starts a comment. The options given on the command line are every account's defaults; a
// line's option replaces the default of the same name, and a line naming any secret source
// (--password-env, --password-file, ...) replaces the default source. Secrets are read per account
// and never printed: errors name the line and the source only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "engine/report.hpp"
#include "tools/options.hpp"

namespace mv::tool {

// One account line of the file: its number (from 1), its name (empty: none) and its words.
struct AccountLine {
  unsigned number = 0;
  std::vector<std::string> words;
  std::string name;
};

// Splits one line into words. Returns false (and why) for an unterminated quote or a backslash
// that ends the line.
bool split_words(std::string_view line, std::vector<std::string>& words, std::string& error);

// The account lines of a file's text. Empty on error (error set: "line N: ..."), also for a line
// whose first word (after the name) is not an option.
std::vector<AccountLine> parse_accounts(std::string_view text, std::string& error);

// The command line of one account: the defaults (args[0] first) with the line's options over
// them. Returns false (and why) for an option that concerns the whole run, not one account.
bool merge_account_args(const std::vector<std::string>& defaults,
                        const std::vector<std::string>& line, std::vector<std::string>& merged,
                        std::string& error);

// One account ready to run: its options (credentials filled in) and warnings to show. An account
// whose OAuth2 sign-in failed (its grant revoked or expired, the token endpoint down) keeps that
// report as its result and opens no session: the other accounts of the file still run.
struct Account {
  ToolOptions options;
  std::vector<std::string> warnings;
  Report failed_signin;
};

// Reads the file (at most limits.max_accounts_file bytes), merges and parses every line, and reads
// every account's secrets (never from a prompt: there are many) or signs it in with its stored
// OAuth2 grant. Every account's label (its name, else its address) must be its own. Returns a
// usage error naming the file and line, empty on success; a failed sign-in is the account's result
// (failed_signin), not a usage error.
std::string prepare_accounts(const AccountsRequest& request, std::vector<Account>& accounts,
                             const Limits& limits = kDefaultLimits);

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
#include "tools/peer_account.hpp"

#include <algorithm>

#include "tools/options.hpp"
#include "tools/presets.hpp"

namespace mv::tool {

namespace {

constexpr std::string_view kPrefix = "--peer-";

// What the peer may set for itself: its login, its servers, its read-back protocol.
bool peer_may_set(const std::string& name) {
  static const char* const kOwn[] = {"email",
                                     "provider",
                                     "host",
                                     "smtp-host",
                                     "smtp-port",
                                     "smtp-tls",
                                     "receive",
                                     "imap-host",
                                     "imap-port",
                                     "imap-tls",
                                     "pop3-host",
                                     "pop3-port",
                                     "pop3-tls",
                                     "auth",
                                     "user",
                                     "password-env",
                                     "password-file",
                                     "password-cmd",
                                     "oauth2-token-env",
                                     "oauth2-token-cmd",
                                     "smtp-user",
                                     "smtp-password-env",
                                     "smtp-password-file",
                                     "smtp-password-cmd",
                                     "smtp-oauth2-token-env",
                                     "smtp-oauth2-token-cmd",
                                     "no-auth"};
  return std::find(std::begin(kOwn), std::end(kOwn), name) != std::end(kOwn);
}

bool is_server_option(const std::string& name) {
  return name == "host" || name == "provider" || name.rfind("smtp-host", 0) == 0 ||
         name.rfind("smtp-port", 0) == 0 || name.rfind("smtp-tls", 0) == 0 ||
         name.rfind("imap-", 0) == 0 || name.rfind("pop3-", 0) == 0;
}

bool shared(const std::string& name) {
  static const char* const kShared[] = {
      "cafile",  "insecure", "allow-plaintext", "ipv4", "ipv6", "connect-timeout",
      "timeout", "ehlo",     "body-size",       "keep"};
  return std::find(std::begin(kShared), std::end(kShared), name) != std::end(kShared);
}

struct Word {
  std::string name;  // long name without dashes
  std::vector<std::string> words;
};

}  // namespace

std::string split_peer_args(const std::vector<std::string>& args, std::vector<std::string>& main,
                            std::vector<std::string>& peer) {
  main.clear();
  peer.clear();
  std::vector<Word> own, account;
  std::string peer_email;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool is_peer = a.rfind(kPrefix, 0) == 0;
    if (a.rfind("-", 0) != 0 || a == "-" || a == "--") {
      account.push_back({"", {a}});
      continue;
    }
    std::string bare = is_peer ? a.substr(kPrefix.size()) : a.substr(a.rfind("--", 0) == 0 ? 2 : 1);
    std::optional<std::string> inline_value;
    if (const std::size_t eq = bare.find('='); eq != std::string::npos) {
      inline_value = bare.substr(eq + 1);
      bare.resize(eq);
    }
    const std::optional<OptionShape> shape = option_shape(bare);
    if (is_peer && (!shape || !peer_may_set(shape->name)))
      return "unknown option " + a +
             " (the peer takes --peer-email and its own login, server "
             "and --peer-receive options)";
    Word w{shape ? shape->name : bare, {}};
    if (shape && shape->takes_value && !inline_value) {
      if (i + 1 >= args.size()) return "option " + a + " needs a value";
      w.words = {"--" + w.name, args[++i]};
    } else {
      w.words = {"--" + w.name};
      if (inline_value) w.words.back() += "=" + *inline_value;
    }
    if (!is_peer) {
      w.words.front() = a.substr(0, a.find('='));  // as typed (-4, --ipv4)
      if (inline_value) w.words.front() += "=" + *inline_value;
      account.push_back(std::move(w));
      continue;
    }
    if (w.name == "email") peer_email = w.words.size() > 1 ? w.words[1] : *inline_value;
    own.push_back(std::move(w));
  }
  main.push_back(args.empty() ? "verify-roundtrip" : args[0]);
  for (const Word& w : account)
    main.insert(main.end(), w.words.begin(), w.words.end());
  if (own.empty()) return "";
  if (peer_email.empty()) return "the --peer-* options need --peer-email";
  peer.push_back(main.front());
  for (const Word& w : own)
    peer.insert(peer.end(), w.words.begin(), w.words.end());
  const bool names_servers =
      std::any_of(own.begin(), own.end(), [](const Word& w) { return is_server_option(w.name); });
  const bool inherit_servers = !names_servers && preset_for_email(peer_email) == nullptr;
  for (const Word& w : account) {
    if (w.name.empty()) continue;
    if (shared(w.name) || (inherit_servers && is_server_option(w.name) && w.name != "receive"))
      peer.insert(peer.end(), w.words.begin(), w.words.end());
  }
  return "";
}

std::pair<RunConfig, RunConfig> peer_legs(const ToolOptions& account, const ToolOptions& peer) {
  RunConfig from_peer = peer.config;
  from_peer.rcpt_to = account.config.email;
  from_peer.incoming = account.config.incoming;
  from_peer.receive = account.config.receive;
  from_peer.check_devices = account.config.check_devices;
  from_peer.check_folders = account.config.check_folders;
  from_peer.delivery_timeout = account.config.delivery_timeout;
  from_peer.on_progress = account.config.on_progress;
  from_peer.trace_path = account.config.trace_path;  // the account's mailbox is the one traced

  RunConfig reply = account.config;
  reply.rcpt_to = peer.config.email;
  reply.incoming = peer.config.incoming;
  reply.receive = peer.config.receive;
  reply.check_devices = false;  // the peer's mailbox is only the reply's destination
  reply.check_folders = false;
  reply.trace_path.clear();
  return {std::move(from_peer), std::move(reply)};
}

}  // namespace mv::tool

// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/sasl_exchange.hpp"

#include <algorithm>

#include "protocols/common/base64.hpp"
#include "protocols/common/wipe.hpp"

namespace mv {

MechanismPick pick_mechanism(std::optional<Mechanism> wanted, std::span<const Mechanism> offered,
                             bool offered_known, bool is_token, bool over_tls) {
  if (wanted) {
    if (offered_known && std::find(offered.begin(), offered.end(), *wanted) == offered.end()) {
      return MechanismPick{std::nullopt, true};
    }
    return MechanismPick{wanted, false};
  }
  return MechanismPick{choose_mechanism(offered, is_token, over_tls), false};
}

SaslExchange::SaslExchange(Mechanism m, const Credentials& c, const Limits& limits)
    : sasl_(m, c, limits.max_sasl_rounds), max_rounds_(limits.max_sasl_rounds) {}

std::optional<std::string> SaslExchange::initial_argument(std::size_t max_size) {
  std::optional<std::string> ir = sasl_.initial_response();
  if (!ir) return std::nullopt;
  // RFC 4954 4, RFC 4959 3, RFC 5034 4: an empty initial response is sent as "=".
  std::string arg = ir->empty() ? std::string("=") : base64_encode(*ir);
  wipe(*ir);
  if (arg.size() <= max_size) return arg;
  wipe(arg);
  deferred_initial_ = true;
  return std::nullopt;
}

std::optional<std::string> SaslExchange::answer(std::string_view challenge) {
  if (cancelled()) return std::nullopt;
  const std::string mech(name());
  std::optional<std::string> response;
  if (deferred_initial_ && !challenged_) {
    // The server asks for the initial response the command line could not carry; RFC 4954 says
    // its challenge is empty, and its text (if any) carries nothing the client needs.
    response = sasl_.respond("");
  } else if (sasl_.exhausted()) {
    cancel_reason_ = "the server sent more than " + std::to_string(max_rounds_) + " " + mech +
                     " challenges; the client cancelled the exchange";
  } else if (std::optional<std::string> decoded = base64_decode(challenge); !decoded) {
    cancel_reason_ = "the server's " + mech +
                     " challenge is not valid base64; the client cancelled the exchange";
  } else {
    response = sasl_.respond(*decoded);
    if (!response) {
      cancel_reason_ = "the server sent a " + mech +
                       " challenge the mechanism does not expect; the client cancelled the "
                       "exchange";
    }
  }
  challenged_ = true;
  if (!response) return std::string("*");
  std::string line = base64_encode(*response);
  wipe(*response);
  return line;
}

std::optional<std::string> SaslExchange::cancelled_detail(bool accepted) const {
  if (!cancelled()) return std::nullopt;
  if (accepted) return cancel_reason_ + ", and the server accepted the cancelled exchange";
  return cancel_reason_;
}

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
// SASL and base64: challenges (length-prefixed in the input) are base64-decoded as a server's would
// be and answered by SaslClient::respond for the chosen mechanism. Asserts: never crashes; a
// CRAM-MD5 response never holds the secret (user, space, 32 lowercase hex digits); responses stop
// after max_rounds; PLAIN/XOAUTH2/OAUTHBEARER initial responses hold the secret exactly where the
// mechanism puts it; base64 decode(encode(x)) == x and a decoded challenge re-encodes to a string
// that decodes to it again; mechanism names round-trip; choose_mechanism picks an offered one.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/common/sasl.hpp"

namespace {

constexpr std::string_view kSecret = "Fuzz-Secret-7c1d";

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t opt = in.byte();
  const auto mech = static_cast<mv::Mechanism>(opt % 5);
  const std::size_t max_rounds = 1 + ((opt >> 3) & 7u);
  mv::Credentials cred;
  cred.user = std::string(in.bytes(in.byte() % 8));
  const std::string_view name = in.bytes(in.byte() % 16);
  cred.secret = std::string(kSecret);
  cred.is_token = (opt & 0x40u) != 0;
  cred.host = "mail.example.test";
  cred.port = 993;

  // The user name is raw fuzz bytes: only check the secret when the user does not contain it.
  const bool secret_in_user = cred.user.find(kSecret) != std::string::npos;
  mv::SaslClient client(mech, cred, max_rounds);
  FUZZ_CHECK(client.mechanism() == mech, "mechanism changed");
  if (auto ir = client.initial_response()) {
    FUZZ_CHECK(mech == mv::Mechanism::plain || mech == mv::Mechanism::xoauth2 ||
                   mech == mv::Mechanism::oauthbearer,
               "initial response for a challenge-first mechanism");
    FUZZ_CHECK(ir->find(kSecret) != std::string::npos, "initial response without credentials");
    if (mech == mv::Mechanism::plain) {
      FUZZ_CHECK(*ir == std::string(1, '\0') + cred.user + std::string(1, '\0') + cred.secret,
                 "PLAIN initial response");
    }
    const std::string b64 = mv::base64_encode(*ir);
    const auto decoded = mv::base64_decode(b64);
    FUZZ_CHECK(decoded && *decoded == *ir, "base64 round trip of an initial response");
  }

  std::size_t answered = 0;
  while (!in.rest().empty()) {
    const std::string_view text = in.bytes(in.byte());
    const std::optional<std::string> decoded = mv::base64_decode(text);
    if (decoded) {
      const auto again = mv::base64_decode(mv::base64_encode(*decoded));
      FUZZ_CHECK(again && *again == *decoded, "base64 decode(encode(x)) != x");
      for (char c : text)
        FUZZ_CHECK(!std::isspace(static_cast<unsigned char>(c)), "base64 accepted whitespace");
      FUZZ_CHECK(text.size() % 4 == 0, "base64 accepted unpadded text");
    }
    const auto raw_again = mv::base64_decode(mv::base64_encode(text));
    FUZZ_CHECK(raw_again && *raw_again == text, "base64 decode(encode(x)) != x");

    const std::string_view challenge = decoded ? std::string_view(*decoded) : text;
    const std::optional<std::string> response = client.respond(challenge);
    if (!response) continue;
    ++answered;
    FUZZ_CHECK(answered <= max_rounds, "answered more rounds than max_rounds");
    if (mech == mv::Mechanism::cram_md5) {
      FUZZ_CHECK(secret_in_user || response->find(kSecret) == std::string::npos,
                 "CRAM-MD5 response holds the secret");
      FUZZ_CHECK(response->size() == cred.user.size() + 33 &&
                     response->compare(0, cred.user.size(), cred.user) == 0 &&
                     (*response)[cred.user.size()] == ' ' &&
                     is_lower_hex(std::string_view(*response).substr(cred.user.size() + 1)),
                 "CRAM-MD5 response shape");
    }
    FUZZ_CHECK(secret_in_user || client.server_error().find(kSecret) == std::string::npos ||
                   challenge.find(kSecret) != std::string_view::npos,
               "server_error holds the secret");
  }

  // Mechanism names and the choice among offered ones.
  if (auto m = mv::mechanism_from_name(name)) {
    FUZZ_CHECK(mv::mechanism_name(*m).size() == name.size(), "mechanism name round trip");
  }
  std::vector<mv::Mechanism> offered;
  for (unsigned i = 0; i < 5; ++i) {
    if (opt & (1u << i)) offered.push_back(static_cast<mv::Mechanism>(i));
  }
  for (bool tls : {false, true}) {
    for (bool token : {false, true}) {
      if (auto chosen = mv::choose_mechanism(offered, token, tls)) {
        bool found = false;
        for (auto m : offered)
          found = found || m == *chosen;
        FUZZ_CHECK(found, "choose_mechanism picked a mechanism not offered");
        const bool oauth =
            *chosen == mv::Mechanism::xoauth2 || *chosen == mv::Mechanism::oauthbearer;
        FUZZ_CHECK(oauth == token, "choose_mechanism mixed tokens and passwords");
      }
    }
  }
  return 0;
}

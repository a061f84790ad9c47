// SPDX-License-Identifier: Apache-2.0
// application/x-www-form-urlencoded (the WHATWG URL standard's serializer, as RFC 6749 section
// B asks for token requests) and the percent-encoding of query components (authorization URLs).
// Unreserved characters (ALPHA DIGIT - . _ ~) go through, everything else is %XX, a space is '+'
// in forms and %20 in queries. form_decode reads a query string or a form body into pairs;
// malformed escapes make it fail rather than guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mv {

using FormFields = std::vector<std::pair<std::string, std::string>>;

std::string percent_encode(std::string_view s, bool space_as_plus = false);
std::string form_encode(const FormFields& fields);
// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; '+' decodes to a space. nullopt on a bad escape.
std::optional<FormFields> form_decode(std::string_view text);

}  // namespace mv

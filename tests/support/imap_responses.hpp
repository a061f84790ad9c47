// SPDX-License-Identifier: Apache-2.0
// Feeds server bytes to an ImapResponseReader the way the client does: each chunk as far as it
// fits, then every complete response out before the rest goes in.
#pragma once

#include <string_view>
#include <vector>

#include "protocols/imap/response.hpp"

namespace mv::test {

// Calls on_response(r) for each response in order; false at the reader's first error.
template <typename OnResponse>
bool read_imap_responses(ImapResponseReader& reader, const std::vector<std::string_view>& chunks,
                         OnResponse on_response) {
  for (std::string_view c : chunks) {
    while (!c.empty()) {
      c.remove_prefix(reader.feed(c));
      ImapResponse r;
      for (;;) {
        auto st = reader.next(r);
        if (st == ImapResponseReader::Status::error) return false;
        if (st == ImapResponseReader::Status::need_more) break;
        on_response(r);
      }
    }
  }
  return true;
}

}  // namespace mv::test

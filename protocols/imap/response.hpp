// SPDX-License-Identifier: Apache-2.0
// IMAP server responses (RFC 9051 7, RFC 3501 7): the grammar on top of ImapFramer. The reader
// assembles one response line at a time (segments plus small literals, bounded by
// limits.max_reply_bytes) and parses it into an ImapResponse. Message data literals inside FETCH
// (BODY[...], BINARY[...], RFC822, RFC822.TEXT, RFC822.HEADER) are never assembled: their bytes
// stream to a LiteralSink as they arrive, so memory does not grow with message size. A quoted
// body value is handed to the sink too, so the consumer sees every body the same way.
// Lexing is contextual: inside BODY[...] sections brackets may hold spaces and parentheses; in
// response codes ']' ends the code. Nested lists are bounded by limits.max_list_depth. Errors are
// sticky; a parse error names the offending line (sanitised), never a streamed body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "protocols/imap/framer.hpp"

namespace mv {

// Receives streamed FETCH message literals. begin() names the data item as the server wrote it
// ("BODY[]", "BODY[HEADER]<0>", "RFC822", ...) and the announced size; data() gets every byte in
// order, in any chunking; end() follows the last byte. seq is the FETCH message sequence number.
class LiteralSink {
 public:
  virtual ~LiteralSink() = default;
  virtual void literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t size) = 0;
  virtual void literal_data(std::string_view chunk) = 0;
  virtual void literal_end() = 0;
};

enum class ImapStatus { none, ok, no, bad, bye, preauth };
std::string_view imap_status_name(ImapStatus s);  // "OK", "NO", ...

// A response code, "[NAME args]". name is upper-cased; args is the raw text after the name.
struct ImapCode {
  std::string name;
  std::string args;
};

struct ImapFetch {
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;
  std::optional<std::string> internaldate;
  std::optional<std::uint64_t> rfc822_size;
  std::vector<std::string> body_items;  // message data items handed to the LiteralSink
};

struct ImapListEntry {
  std::vector<std::string> attributes;  // as sent, e.g. "\\HasNoChildren", "\\Trash"
  std::string separator;                // one character, or empty for NIL
  std::string name;                     // as sent (modified UTF-7 is not decoded)
};

// NAMESPACE: the first personal namespace (prefix and separator); present=false for NIL.
struct ImapNamespace {
  bool present = false;
  std::string prefix;
  std::string separator;
};

struct ImapResponse {
  enum class Kind { tagged, untagged, continuation };
  Kind kind = Kind::untagged;
  std::string tag;                       // tagged only
  ImapStatus status = ImapStatus::none;  // tagged, and untagged OK/NO/BAD/BYE/PREAUTH
  std::optional<ImapCode> code;
  std::string text;     // human text after the code; continuation: everything after "+ "
  std::string keyword;  // untagged: upper-cased, "OK", "CAPABILITY", "EXISTS", "FETCH", ...
  std::optional<std::uint32_t> number;  // "* n EXISTS|EXPUNGE|RECENT|FETCH"
  std::vector<std::string> atoms;       // CAPABILITY or ENABLED names, FLAGS flags
  std::vector<std::uint32_t> numbers;   // SEARCH results
  ImapFetch fetch;
  ImapListEntry list;  // LIST / LSUB
  ImapNamespace ns;    // NAMESPACE
};

// A status response's words as shown to people: "[CODE args] text", or the text when uncoded.
std::string imap_status_text(const ImapResponse& r);

class ImapResponseReader {
 public:
  enum class Status { response, need_more, error };

  explicit ImapResponseReader(const Limits& limits = kDefaultLimits);

  // Where streamed message literals go; nullptr drops them.
  void set_sink(LiteralSink* sink) { sink_ = sink; }

  // Same contract as ImapFramer::feed: takes what fits, the caller feeds the rest after next().
  // After an error of the reader's own (not only the framer's), everything is swallowed, so a
  // caller's feed loop cannot spin (found by fuzz_imap_response).
  std::size_t feed(std::string_view data) { return error_ ? data.size() : framer_.feed(data); }
  // Advances; on Status::response `out` holds the next complete response. Sink calls happen here.
  Status next(ImapResponse& out);

  std::size_t buffered() const { return framer_.buffered(); }
  bool mid_response() const { return framer_.mid_response() || !line_.empty(); }
  const Error& error() const { return error_; }
  void reset();

 private:
  Status fail(ErrorKind kind, std::string detail, std::string_view line);

  Limits limits_;
  ImapFramer framer_;
  LiteralSink* sink_ = nullptr;
  std::string line_;  // assembled response; literals inline as "{n}\r\n<bytes>" or "{n-}\r\n"
  bool streaming_ = false;
  Error error_;
};

// Parses one assembled response line (literals inline as "{n}\r\n<bytes>", streamed ones as
// "{n-}\r\n"); exposed for tests and fuzzing. Quoted body values go to sink (may be nullptr).
bool parse_imap_response(std::string_view line, const Limits& limits, LiteralSink* sink,
                         ImapResponse& out, std::string& why);

// Whether a literal announced at the end of `line_so_far` is FETCH message data to stream, and the
// data item it belongs to (e.g. "BODY[]<0>").
std::optional<std::string> imap_streamed_item(std::string_view line_so_far);

// "A B C" → {"A","B","C"}; at most max names (the rest is dropped, truncated set).
std::vector<std::string> split_imap_atoms(std::string_view text, std::size_t max, bool& truncated);

}  // namespace mv

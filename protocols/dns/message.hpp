// SPDX-License-Identifier: Apache-2.0
// DNS messages (RFC 1035 4.1) as mail-settings discovery needs them (SRV per RFC 6186/8314, MX,
// addresses): a standard recursive query for one name and type, and the parse of a response into
// its answer records. Sans-I/O like the mail parsers: bytes in, data out, no sockets or clocks.
// Bounded: names follow RFC 1035's limits (63-byte labels, 255-byte names), compression pointers
// must point backwards and are followed at most Limits::max_dns_pointer_hops times in one name, at
// most Limits::max_dns_records answer records are kept, and a message is at most 65535 bytes. A
// response over TCP is framed by a two-byte length (RFC 1035 4.2.2; TcpFramer), since a truncated
// UDP answer (TC) is asked again over TCP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"

namespace mv::dns {

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeCname = 5;
inline constexpr std::uint16_t kTypeMx = 15;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kTypeSrv = 33;
inline constexpr std::uint16_t kClassIn = 1;
inline constexpr std::size_t kMaxMessage = 65535;

struct Record {
  std::string name;  // owner name, lower case, no trailing dot
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::string target;            // MX exchange, SRV target, CNAME: lower case; "." for SRV's "none"
  std::uint16_t preference = 0;  // MX
  std::uint16_t priority = 0, weight = 0, port = 0;  // SRV
  std::string address;                               // A / AAAA: 4 or 16 bytes in network order
};

struct Response {
  std::uint16_t id = 0;
  bool truncated = false;      // TC: ask again over TCP
  bool authenticated = false;  // AD: the resolver validated it with DNSSEC
  int rcode = 0;               // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...
  std::string question;        // the first question's name
  std::uint16_t question_type = 0;
  std::vector<Record> answers;  // the answer section's IN records of known types
};

// A query with RD set (and the AD bit, to learn whether a validating resolver checked it).
// nullopt with why when the name is no valid DNS name (ASCII, labels 1..63 bytes).
std::optional<std::string> write_query(std::uint16_t id, std::string_view name, std::uint16_t type,
                                       std::string* why = nullptr);

// nullopt with why on anything malformed: short header, not a response, a count beyond the bytes,
// a pointer forwards or in a loop, a name too long, record data that does not fit its type, more
// answer records than limits.max_dns_records or pointer hops than limits.max_dns_pointer_hops.
std::optional<Response> parse_response(std::string_view message, std::string* why = nullptr,
                                       const Limits& limits = kDefaultLimits);

// RFC 1035 4.2.2 framing over TCP: feed bytes as they come; done once a whole message is in.
class TcpFramer {
 public:
  enum class Status { need_more, done, error };
  struct Result {
    Status status = Status::need_more;
    std::size_t used = 0;  // bytes of the input taken
  };
  Result feed(std::string_view bytes);
  const std::string& message() const { return message_; }  // valid once done

 private:
  std::string length_;  // the two length bytes as they arrive
  std::size_t want_ = 0;
  std::string message_;
  Status status_ = Status::need_more;
};

}  // namespace mv::dns

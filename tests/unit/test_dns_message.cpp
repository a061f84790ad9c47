// SPDX-License-Identifier: Apache-2.0
// protocols/dns/message: queries as the wire has them, responses with compression, SRV's "."
// (no service), MX, addresses, and every way a hostile answer can be malformed; TCP framing at
// every split.
#include <doctest/doctest.h>

#include <string>

#include "protocols/dns/message.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using namespace mv::dns;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b)
    s += static_cast<char>(c);
  return s;
}

std::string label_name(const std::string& dotted) {
  std::string out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = dotted.find('.', begin);
    const std::string l = dotted.substr(begin, dot - begin);
    out += static_cast<char>(l.size());
    out += l;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return out + '\0';
}

// A response header: id 0x1234, QR RD RA (+ flags), one question, n answers.
std::string header(int answers, int extra_flags = 0) {
  return bytes({0x12, 0x34, 0x81, 0x80 | extra_flags, 0, 1, 0, answers, 0, 0, 0, 0});
}

// Question at offset 12; its name can be pointed at with 0xC0 0x0C.
std::string question(const std::string& name, int type) {
  return label_name(name) + bytes({0, type, 0, 1});
}

std::string rr(const std::string& owner, int type, const std::string& rdata) {
  return owner + bytes({0, type, 0, 1, 0, 0, 0x0e, 0x10, 0, static_cast<int>(rdata.size())}) +
         rdata;
}

}  // namespace

TEST_CASE("dns/a query is RFC 1035's bytes") {
  const auto q = write_query(0xbeef, "_submissions._tcp.example.com.", kTypeSrv);
  REQUIRE(q);
  CHECK(*q == bytes({0xbe, 0xef, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 0}) +
                  label_name("_submissions._tcp.example.com") + bytes({0, 33, 0, 1}));
  std::string why;
  CHECK_FALSE(write_query(1,
                          "b\xC3\xBC"
                          "cher.example",
                          kTypeMx, &why));
  CHECK(why.find("A-label") != std::string::npos);
  CHECK_FALSE(write_query(1, "a..b", kTypeA));
  CHECK_FALSE(write_query(1, std::string(64, 'a') + ".example", kTypeA));
  CHECK_FALSE(write_query(1, "", kTypeA));
}

TEST_CASE("dns/SRV answers with compression, including the '.' no-service record") {
  const std::string name = "_submission._tcp.Example.COM";
  const std::string msg = header(3, 0x20) + question(name, 33) +
                          rr(bytes({0xc0, 0x0c}), 33,
                             bytes({0, 10, 0, 60, 0x02, 0x4b}) + label_name("mail.example.com")) +
                          rr(bytes({0xc0, 0x0c}), 33,
                             bytes({0, 20, 0, 0, 0x02, 0x4b, 4}) + "smtp" +
                                 bytes({0xc0, 0x1d})) +  // smtp.<Example.COM at 29>
                          rr(bytes({0xc0, 0x0c}), 33, bytes({0, 0, 0, 0, 0, 0, 0}));
  std::string why;
  const auto r = parse_response(msg, &why);
  REQUIRE_MESSAGE(r, why);
  CHECK(r->id == 0x1234);
  CHECK(r->authenticated);
  CHECK_FALSE(r->truncated);
  CHECK(r->rcode == 0);
  CHECK(r->question == "_submission._tcp.example.com");
  CHECK(r->question_type == kTypeSrv);
  REQUIRE(r->answers.size() == 3);
  CHECK(r->answers[0].name == "_submission._tcp.example.com");
  CHECK(r->answers[0].priority == 10);
  CHECK(r->answers[0].weight == 60);
  CHECK(r->answers[0].port == 587);
  CHECK(r->answers[0].target == "mail.example.com");
  CHECK(r->answers[1].target == "smtp.example.com");
  CHECK(r->answers[2].target == ".");
}

TEST_CASE("dns/MX, A and AAAA; other types and classes are skipped; NXDOMAIN and TC kept") {
  const std::string msg =
      header(4) + question("example.com", 15) +
      rr(bytes({0xc0, 0x0c}), 15,
         bytes({0, 5}) + label_name("example-com.mail.protection.outlook.com")) +
      rr(bytes({0xc0, 0x0c}), 1, bytes({192, 0, 2, 1})) +
      rr(bytes({0xc0, 0x0c}), 28, std::string(15, '\0') + '\x01') +
      rr(bytes({0xc0, 0x0c}), 46, "signature");  // RRSIG: skipped
  const auto r = parse_response(msg);
  REQUIRE(r);
  REQUIRE(r->answers.size() == 3);
  CHECK(r->answers[0].preference == 5);
  CHECK(r->answers[0].target == "example-com.mail.protection.outlook.com");
  CHECK(r->answers[1].address == bytes({192, 0, 2, 1}));
  CHECK(r->answers[2].address.size() == 16);
  CHECK(r->answers[0].ttl == 3600);

  std::string nx = header(0) + question("nowhere.example", 33);
  nx[3] = static_cast<char>(0x83);
  nx[2] = static_cast<char>(0x83);  // QR, TC, RD
  const auto n = parse_response(nx);
  REQUIRE(n);
  CHECK(n->rcode == 3);
  CHECK(n->truncated);
  CHECK(n->answers.empty());
}

TEST_CASE("dns/malformed and hostile answers are refused with a reason") {
  const std::string q = question("example.com", 15);
  struct Bad {
    std::string msg;
    const char* why;
  };
  const Bad bad[] = {
      {"\x12\x34\x81", "shorter"},
      {bytes({0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}) + q, "a query"},
      {header(1) + q + rr(bytes({0xc0, 0x30}), 1, "abcd"), "forwards"},
      {header(1) + q + rr(bytes({0xc0, 0x1d}), 1, "abcd"), "forwards"},  // points at itself
      {header(1) + q + rr(bytes({0xc0, 0x0c}), 1, "abc"), "wrong length"},
      {header(1) + q + rr(bytes({0xc0, 0x0c}), 15, bytes({0, 1, 0, 0})), "bytes after"},
      {header(1) + q + bytes({0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1, 2}), "runs past"},
      {header(2) + q + rr(bytes({0xc0, 0x0c}), 1, "abcd"), "runs past"},
      {header(1) + q + bytes({0x80}), "unknown kind"},
  };
  for (const Bad& b : bad) {
    std::string why;
    CHECK_FALSE(parse_response(b.msg, &why));
    CHECK_MESSAGE(why.find(b.why) != std::string::npos, why);
  }
  // A chain of pointers, each one back to the one before (inside a skipped record's data):
  // following it is bounded by Limits::max_dns_pointer_hops.
  auto pointer = [](std::size_t to) {
    return bytes({0xc0 | static_cast<int>(to >> 8), static_cast<int>(to & 0xff)});
  };
  std::string chain = header(2) + q;
  const std::size_t rdata_at = chain.size() + 12;
  std::string rdata = pointer(12);
  for (std::size_t i = 0; i < mv::kDefaultLimits.max_dns_pointer_hops + 2; ++i)
    rdata += pointer(rdata_at + rdata.size() - 2);
  const std::size_t last = rdata_at + rdata.size() - 2;
  chain += rr(pointer(12), 99, rdata) + rr(pointer(last), 1, "abcd");
  std::string why;
  CHECK_FALSE(parse_response(chain, &why));
  CHECK(why.find("pointers") != std::string::npos);
  // A few hops are fine.
  std::string short_chain = header(2) + q;
  rdata = pointer(12) + pointer(rdata_at);
  short_chain += rr(pointer(12), 99, rdata) + rr(pointer(rdata_at + 2), 1, "abcd");
  const auto ok = parse_response(short_chain, &why);
  REQUIRE_MESSAGE(ok, why);
  REQUIRE(ok->answers.size() == 1);
  CHECK(ok->answers[0].name == "example.com");
}

TEST_CASE("dns/the answer records and pointer hops are bounded at the values in Limits") {
  // Three A records; the last one's owner is a chain of three pointers (record data skipped as
  // an unknown type holds the first two).
  const std::string q = question("example.com", 1);
  std::string msg = header(4) + q;
  const std::size_t rdata_at = msg.size() + 12;
  msg += rr(bytes({0xc0, 0x0c}), 99, bytes({0xc0, 0x0c, 0xc0, static_cast<int>(rdata_at)}));
  msg += rr(bytes({0xc0, 0x0c}), 1, "abcd") + rr(bytes({0xc0, 0x0c}), 1, "efgh");
  msg += rr(bytes({0xc0, static_cast<int>(rdata_at + 2)}), 1, "ijkl");
  mv::Limits limits;
  limits.max_dns_records = 3;
  limits.max_dns_pointer_hops = 3;
  std::string why;
  const auto r = parse_response(msg, &why, limits);
  REQUIRE_MESSAGE(r, why);
  REQUIRE(r->answers.size() == 3);
  CHECK(r->answers[2].name == "example.com");
  CHECK(r->answers[2].address == "ijkl");

  limits.max_dns_records = 2;
  CHECK_FALSE(parse_response(msg, &why, limits));
  CHECK(why == "more than 2 answer records");

  limits = {};
  limits.max_dns_pointer_hops = 2;
  CHECK_FALSE(parse_response(msg, &why, limits));
  CHECK(why == "more than 2 compression pointers in one name");
}

TEST_CASE("dns/TCP framing gives the same message at every split") {
  const std::string msg = header(0) + question("example.com", 1);
  const std::string framed = bytes({0, static_cast<int>(msg.size())}) + msg + "next";
  for (const auto& chunks : mv::test::all_splits(framed)) {
    TcpFramer f;
    std::size_t fed = 0;
    TcpFramer::Status status = TcpFramer::Status::need_more;
    for (std::string_view c : chunks) {
      const auto r = f.feed(c);
      fed += r.used;
      status = r.status;
      if (status != TcpFramer::Status::need_more) break;
    }
    CHECK(status == TcpFramer::Status::done);
    CHECK(f.message() == msg);
    CHECK(fed == msg.size() + 2);  // "next" is left for the caller
  }
  TcpFramer tiny;
  CHECK(tiny.feed(bytes({0, 3, 1, 2, 3})).status == TcpFramer::Status::error);
}

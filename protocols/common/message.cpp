// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/message.hpp"

#include <mbedtls/md.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace mv {

namespace {

constexpr std::size_t kLineText = 72;  // body line without CRLF; RFC 5322 asks for < 78
constexpr std::size_t kLineBytes = kLineText + 2;
constexpr char kFiller[] = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kFillerLen = sizeof kFiller - 1;

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool valid_address(std::string_view a) {
  const std::size_t at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  return a.find(' ') == std::string_view::npos;
}

std::size_t digits(std::size_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xf];
  }
  return out;
}

}  // namespace

std::optional<TestMessage> TestMessage::compose(const MessageSpec& spec, Error& error) {
  for (std::string_view field :
       {std::string_view(spec.from), std::string_view(spec.to), std::string_view(spec.token),
        std::string_view(spec.date), std::string_view(spec.in_reply_to)}) {
    if (has_control(field) || field.size() > kMaxFieldLength) {
      error = make_error(ErrorKind::bad_header_value, Protocol::none,
                         "a message header value contains CR, LF, NUL or another control "
                         "character, or is too long");
      return std::nullopt;
    }
  }
  if (spec.token.empty() || spec.token.size() > kMaxTokenLength ||
      !std::all_of(spec.token.begin(), spec.token.end(), is_alnum)) {
    error = make_error(ErrorKind::bad_token, Protocol::none,
                       "the message token must be 1 to 40 letters or digits");
    return std::nullopt;
  }
  if (!valid_address(spec.from) || !valid_address(spec.to)) {
    error = make_error(ErrorKind::bad_address, Protocol::none,
                       "the sender and recipient must be addresses of the form local@domain");
    return std::nullopt;
  }
  if (spec.date.empty()) {
    error = make_error(ErrorKind::bad_date, Protocol::none, "the message needs a Date");
    return std::nullopt;
  }
  if (spec.body_size > kMaxBodySize) {
    error = make_error(ErrorKind::body_too_large, Protocol::none,
                       "the test message body may be at most 64 GiB");
    return std::nullopt;
  }

  TestMessage m;
  m.token_ = spec.token;
  const std::string domain = spec.from.substr(spec.from.rfind('@') + 1);
  m.message_id_ = "<mailverify." + spec.token + "@" + domain + ">";
  const bool reply = !spec.in_reply_to.empty();
  m.header_ =
      "From: " + spec.from + "\r\nTo: " + spec.to + "\r\nSubject: " + (reply ? "Re: " : "") +
      test_subject(spec.token) + "\r\nDate: " + spec.date + "\r\nMessage-ID: " + m.message_id_ +
      "\r\n" +
      (reply ? "In-Reply-To: " + spec.in_reply_to + "\r\nReferences: " + spec.in_reply_to + "\r\n"
             : std::string()) +
      std::string(kTokenHeader) + ": " + spec.token +
      "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
      "Content-Transfer-Encoding: 7bit\r\n\r\n";
  const std::size_t lines = (spec.body_size + kLineBytes - 1) / kLineBytes;
  m.body_line_ = "mailverify " + spec.token + " line ";
  m.number_width_ = std::max<std::size_t>(6, digits(lines));
  m.body_size_ = lines * kLineBytes;

  // The digest goes through BodyDigest like the bytes read back will, so both sides agree by
  // construction; the body is produced in chunks, never held whole.
  BodyDigest digest;
  char chunk[16 * 1024];
  for (std::size_t off = 0; off < m.body_size_;) {
    const std::size_t n = std::min(sizeof chunk, m.body_size_ - off);
    m.body_bytes(off, chunk, n);
    digest.update(std::string_view(chunk, n));
    off += n;
  }
  m.body_digest_ = digest.finish();
  return m;
}

void TestMessage::body_bytes(std::size_t offset, char* out, std::size_t n) const {
  char line[kLineBytes];
  while (n > 0) {
    const std::size_t index = offset / kLineBytes;
    const std::size_t col = offset % kLineBytes;
    // Line text: prefix, zero-padded 1-based number, space, filler rotated by the line index so
    // that no two neighbouring lines are equal.
    std::size_t p = 0;
    std::memcpy(line, body_line_.data(), body_line_.size());
    p += body_line_.size();
    std::size_t number = index + 1;
    for (std::size_t d = number_width_; d > 0; --d) {
      line[p + d - 1] = static_cast<char>('0' + number % 10);
      number /= 10;
    }
    p += number_width_;
    line[p++] = ' ';
    for (std::size_t k = 0; p < kLineText; ++p, ++k) {
      line[p] = kFiller[(index + k) % kFillerLen];
    }
    line[kLineText] = '\r';
    line[kLineText + 1] = '\n';
    const std::size_t take = std::min(kLineBytes - col, n);
    std::memcpy(out, line + col, take);
    out += take;
    offset += take;
    n -= take;
  }
}

std::size_t TestMessage::read(char* buf, std::size_t cap) {
  std::size_t done = 0;
  if (pos_ < header_.size() && cap > 0) {
    const std::size_t n = std::min(cap, header_.size() - pos_);
    std::memcpy(buf, header_.data() + pos_, n);
    pos_ += n;
    done += n;
  }
  const std::size_t total = size();
  if (done < cap && pos_ < total) {
    const std::size_t n = std::min(cap - done, total - pos_);
    body_bytes(pos_ - header_.size(), buf + done, n);
    pos_ += n;
    done += n;
  }
  return done;
}

struct BodyDigest::Impl {
  mbedtls_md_context_t md;
  std::size_t pending_line_ends = 0;  // line ends seen but not hashed: maybe trailing
  bool after_cr = false;              // last byte was CR: a LF next belongs to it

  Impl() {
    mbedtls_md_init(&md);
    mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0);
    mbedtls_md_starts(&md);
  }
  ~Impl() { mbedtls_md_free(&md); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void flush_line_ends() {
    static constexpr char kCrlfs[] =
        "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
    constexpr std::size_t kPerBlock = (sizeof kCrlfs - 1) / 2;
    while (pending_line_ends > 0) {
      const std::size_t n = std::min(pending_line_ends, kPerBlock);
      hash(kCrlfs, 2 * n);
      pending_line_ends -= n;
    }
  }
  void hash(const char* p, std::size_t n) {
    mbedtls_md_update(&md, reinterpret_cast<const unsigned char*>(p), n);
  }
};

BodyDigest::BodyDigest() : impl_(new Impl) {}
BodyDigest::~BodyDigest() {
  delete impl_;
}
BodyDigest::BodyDigest(BodyDigest&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
BodyDigest& BodyDigest::operator=(BodyDigest&& other) noexcept {
  if (this != &other) {
    delete impl_;
    impl_ = std::exchange(other.impl_, nullptr);
  }
  return *this;
}

void BodyDigest::update(std::string_view chunk) {
  if (impl_ == nullptr) impl_ = new Impl;  // a moved-from digest starts afresh
  Impl& s = *impl_;
  std::size_t i = 0;
  while (i < chunk.size()) {
    const char c = chunk[i];
    if (c == '\n') {
      if (!s.after_cr) ++s.pending_line_ends;
      s.after_cr = false;
      ++i;
      continue;
    }
    if (c == '\r') {
      ++s.pending_line_ends;
      s.after_cr = true;
      ++i;
      continue;
    }
    s.after_cr = false;
    s.flush_line_ends();
    std::size_t end = i;
    while (end < chunk.size() && chunk[end] != '\r' && chunk[end] != '\n')
      ++end;
    s.hash(chunk.data() + i, end - i);
    i = end;
  }
}

std::string BodyDigest::finish() {
  if (impl_ == nullptr) impl_ = new Impl;
  unsigned char out[32] = {};
  mbedtls_md_finish(&impl_->md, out);  // pending line ends are trailing: dropped on purpose
  delete impl_;
  impl_ = new Impl;
  return to_hex(out, sizeof out);
}

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace mv {

LineReader::LineReader(std::size_t max_line) : max_line_(max_line == 0 ? 1 : max_line) {}

void LineReader::compact() {
  // Only here, inside a non-const call, may bytes move: views handed out earlier are then void.
  if (start_ == 0) return;
  buf_.erase(0, start_);
  start_ = 0;
}

std::size_t LineReader::feed(std::string_view data) {
  if (too_long_) return data.size();
  if (data.empty()) return 0;
  if (buf_.size() + data.size() > max_line_ || start_ == buf_.size()) compact();
  const std::size_t room = max_line_ - buf_.size();
  const std::size_t take = std::min(room, data.size());
  buf_.append(data.data(), take);
  return take;
}

LineReader::Status LineReader::next(std::string_view& line) {
  line = {};
  if (too_long_) return Status::too_long;
  const std::size_t avail = buffered();
  const char* base = buf_.data() + start_;
  const void* lf =
      avail > scanned_ ? std::memchr(base + scanned_, '\n', avail - scanned_) : nullptr;
  if (lf == nullptr) {
    scanned_ = avail;
    // A full buffer without a LF means the line, with its end, cannot fit in max_line bytes.
    if (avail >= max_line_) {
      too_long_ = true;
      buf_.clear();
      start_ = scanned_ = 0;
      return Status::too_long;
    }
    return Status::need_more;
  }
  const std::size_t len = static_cast<std::size_t>(static_cast<const char*>(lf) - base);
  std::size_t text_len = len;
  if (text_len > 0 && base[text_len - 1] == '\r') --text_len;
  line = std::string_view(base, text_len);
  start_ += len + 1;
  scanned_ = 0;
  return Status::line;
}

std::string_view LineReader::take_raw(std::size_t max) {
  if (too_long_) return {};
  const std::size_t n = std::min(max, buffered());
  std::string_view out(buf_.data() + start_, n);
  start_ += n;
  scanned_ = scanned_ > n ? scanned_ - n : 0;
  return out;
}

void LineReader::clear() {
  buf_.clear();
  start_ = 0;
  scanned_ = 0;
  too_long_ = false;
}

}  // namespace mv

// SPDX-License-Identifier: Apache-2.0
// A message held in memory, for driving SmtpClient in tests and fuzz targets (the real
// TestMessage is tested on its own).
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "protocols/common/message.hpp"

namespace mv::test {

class FixedMessage final : public MessageSource {
 public:
  explicit FixedMessage(std::string text) : text_(std::move(text)) {}
  std::size_t read(char* buf, std::size_t cap) override {
    const std::size_t n = std::min(cap, text_.size() - pos_);
    std::memcpy(buf, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::size_t size() const override { return text_.size(); }
  void rewind() override { pos_ = 0; }

 private:
  std::string text_;
  std::size_t pos_ = 0;
};

}  // namespace mv::test

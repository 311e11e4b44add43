// The lexer's view of UTF-8 text, by code point, without ANTLRInputStream's copy: that one
// converts through std::wstring_convert and takes about 20 bytes a character (1 GB for a 50 MB
// module). ASCII text, what TVM prints, is read in place; other text is decoded once, 4 bytes a
// character. The text must outlive the stream and must be valid UTF-8 (check_utf8).
#pragma once

#include <string>
#include <string_view>

#include "antlr4-runtime.h"

namespace relaxc {

class Utf8CharStream : public antlr4::CharStream {
 public:
  explicit Utf8CharStream(std::string_view text);

  void consume() override;
  size_t LA(ssize_t i) override;
  ssize_t mark() override { return -1; }
  void release(ssize_t) override {}
  size_t index() override { return position_; }
  void seek(size_t index) override;
  size_t size() override { return size_; }
  std::string getSourceName() const override { return "<tvms>"; }
  std::string getText(const antlr4::misc::Interval& interval) override;
  std::string toString() const override { return std::string(text_); }

 private:
  std::string_view text_;
  std::u32string code_points_;  // empty when the text is ASCII: then code point i is text_[i]
  bool ascii_ = true;
  size_t size_ = 0, position_ = 0;
};

}  // namespace relaxc

#include "compiler/frontend/utf8_char_stream.h"

#include "compiler/support/utf8.h"

namespace relaxc {

Utf8CharStream::Utf8CharStream(std::string_view text) : text_(text) {
  for (unsigned char c : text) ascii_ = ascii_ && c < 0x80;
  if (ascii_) {
    size_ = text.size();
    return;
  }
  size_t count = 0;
  for (unsigned char c : text) count += is_utf8_continuation(c) ? 0 : 1;
  code_points_.reserve(count);
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    char32_t value = length == 1 ? lead : lead & (0x7f >> length);
    for (size_t k = 1; k < length && i + k < text.size(); ++k) value = (value << 6) | (text[i + k] & 0x3f);
    code_points_.push_back(value);
    i += length;
  }
  size_ = code_points_.size();
}

void Utf8CharStream::consume() {
  if (position_ >= size_) throw antlr4::IllegalStateException("cannot consume EOF");
  ++position_;
}

size_t Utf8CharStream::LA(ssize_t i) {
  if (i == 0) return 0;
  ssize_t at = static_cast<ssize_t>(position_) + (i > 0 ? i - 1 : i);
  if (at < 0 || at >= static_cast<ssize_t>(size_)) return antlr4::IntStream::EOF;
  return ascii_ ? static_cast<unsigned char>(text_[static_cast<size_t>(at)]) : code_points_[static_cast<size_t>(at)];
}

void Utf8CharStream::seek(size_t index) { position_ = index < size_ ? index : size_; }

std::string Utf8CharStream::getText(const antlr4::misc::Interval& interval) {
  if (interval.a < 0 || interval.b < interval.a) return "";
  size_t first = static_cast<size_t>(interval.a);
  size_t last = std::min(static_cast<size_t>(interval.b), size_ - 1);
  if (first >= size_) return "";
  if (ascii_) return std::string(text_.substr(first, last - first + 1));
  std::string out;
  for (size_t i = first; i <= last; ++i) append_utf8(out, code_points_[i]);
  return out;
}

}  // namespace relaxc

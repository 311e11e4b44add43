#include "compiler/support/utf8.h"

#include <cstdio>

namespace relaxc {
namespace {

// The well-formed byte sequences of the Unicode standard (table 3-7): the second byte's range
// depends on the first, which is what rules out overlong forms, surrogates (U+D800..U+DFFF)
// and code points above U+10FFFF. ANTLR's decoder throws on any of them, so each must be found
// here first.
struct LeadRule {
  size_t length;
  unsigned char second_lo, second_hi;
};

LeadRule lead_rule(unsigned char c) {
  if (c < 0x80) return {1, 0, 0};
  if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
  if (c == 0xE0) return {3, 0xA0, 0xBF};
  if (c == 0xED) return {3, 0x80, 0x9F};
  if (c >= 0xE1 && c <= 0xEF) return {3, 0x80, 0xBF};
  if (c == 0xF0) return {4, 0x90, 0xBF};
  if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
  if (c == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};  // continuation bytes, C0, C1, F5..FF never start a character
}

}  // namespace

size_t find_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    LeadRule rule = lead_rule(static_cast<unsigned char>(text[i]));
    if (rule.length == 0 || i + rule.length > text.size()) return i;
    if (rule.length > 1) {
      unsigned char second = static_cast<unsigned char>(text[i + 1]);
      if (second < rule.second_lo || second > rule.second_hi) return i;
      for (size_t k = 2; k < rule.length; ++k) {
        if (!is_utf8_continuation(static_cast<unsigned char>(text[i + k]))) return i;
      }
    }
    i += rule.length;
  }
  return std::string_view::npos;
}

std::string describe_invalid_utf8(std::string_view text, size_t offset) {
  LeadRule rule = lead_rule(static_cast<unsigned char>(text[offset]));
  // The lead byte and the continuation bytes after it that belong to its sequence.
  size_t shown = 1;
  while (shown < rule.length && offset + shown < text.size() &&
         is_utf8_continuation(static_cast<unsigned char>(text[offset + shown]))) {
    ++shown;
  }
  std::string bytes;
  char hex[8];
  for (size_t k = 0; k < shown; ++k) {
    std::snprintf(hex, sizeof hex, "%s%02x", k == 0 ? "" : " ", static_cast<unsigned char>(text[offset + k]));
    bytes += hex;
  }
  if (shown == 1) return "invalid UTF-8 byte 0x" + bytes;
  std::string prefix = "invalid UTF-8 sequence " + bytes;
  if (shown < rule.length) return prefix + " (a character cut short)";
  unsigned char lead = static_cast<unsigned char>(text[offset]);
  if (lead == 0xED) return prefix + " (an encoded surrogate, U+D800..U+DFFF)";
  if (lead == 0xF4) return prefix + " (a code point above U+10FFFF)";
  return prefix + " (an overlong encoding)";
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xc0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
}

}  // namespace relaxc

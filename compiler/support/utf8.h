// UTF-8 validation, shared by the parser (which rejects invalid input) and the diagnostics
// renderer (which must not echo invalid bytes to a terminal).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace relaxc {

inline bool is_utf8_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The offset of the first byte that does not start a well-formed UTF-8 sequence, or npos.
size_t find_invalid_utf8(std::string_view text);
// Appends code point `c` (at most U+10FFFF) to `out` in UTF-8.
void append_utf8(std::string& out, char32_t c);
// What is wrong at `offset` (a result of find_invalid_utf8): "invalid UTF-8 byte 0x80" or
// "invalid UTF-8 sequence ed a0 80 (an encoded surrogate, U+D800..U+DFFF)".
std::string describe_invalid_utf8(std::string_view text, size_t offset);

}  // namespace relaxc

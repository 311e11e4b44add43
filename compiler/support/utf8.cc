#include "compiler/support/utf8.h"

namespace relaxc {

size_t find_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      if (!is_utf8_continuation(static_cast<unsigned char>(text[i + k]))) return i;
    }
    if (length == 2 && c < 0xC2) return i;  // overlong
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace relaxc

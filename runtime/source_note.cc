#include "runtime/source_note.h"

#include <algorithm>

namespace relaxrt {

std::string source_note(const std::string& source, const SourceSpan& span, const std::string& message) {
  if (span.line <= 0) return "";
  std::string note = source + ":" + std::to_string(span.line) + ":" + std::to_string(span.column) + ": note: " + message + "\n";
  if (span.line_text.empty() || span.line_text.size() > 400) return note;
  note += span.line_text + "\n";
  // Columns count characters; step over UTF-8 continuation bytes to find the caret's place.
  size_t column = static_cast<size_t>(std::max(1, span.column)) - 1;
  std::string pad;
  for (size_t i = 0, chars = 0; i < span.line_text.size() && chars < column; ++i) {
    unsigned char byte = static_cast<unsigned char>(span.line_text[i]);
    if ((byte & 0xC0) == 0x80) continue;
    pad += byte == '\t' ? '\t' : ' ';
    ++chars;
  }
  return note + pad + "^\n";
}

}  // namespace relaxrt

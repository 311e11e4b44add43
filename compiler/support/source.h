// A source file held in memory, and positions in it. Positions are 1-based lines and 1-based
// columns counted in characters (code points), as a person counts them in an editor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relaxc {

struct SourceLoc {
  uint32_t line = 0;  // 0 means "no position" (nodes made by the compiler itself)
  uint32_t col = 0;
  bool valid() const { return line != 0; }
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // The text of line `line` (1-based) without its line break; empty when out of range.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

}  // namespace relaxc

#include "compiler/support/diagnostics.h"

#include <cstdio>

#include "compiler/support/utf8.h"

namespace relaxc {
namespace {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// Control characters and stray bytes would garble a terminal; show them as '?'.
std::string printable_line(std::string_view line) {
  std::string out;
  bool valid = find_invalid_utf8(line) == std::string_view::npos;
  for (unsigned char c : line) {
    if (c >= 0x80 && !valid) {
      out.push_back('?');
    } else if (c == '\t' || c >= 0x20) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('?');
    }
  }
  return out;
}

// Spaces up to column `col` (1-based, in code points), keeping tabs so the caret lines up.
std::string caret_line(std::string_view line, uint32_t col) {
  std::string out;
  uint32_t chars = 0;
  for (size_t i = 0; i < line.size() && chars + 1 < col; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (is_utf8_continuation(c)) continue;
    out.push_back(c == '\t' ? '\t' : ' ');
    ++chars;
  }
  while (chars + 1 < col) {
    out.push_back(' ');
    ++chars;
  }
  out.push_back('^');
  return out;
}

}  // namespace

void Diagnostics::error(SourceLoc loc, std::string message) {
  list_.push_back({Severity::Error, loc, std::move(message)});
  ++error_count_;
}

void Diagnostics::warning(SourceLoc loc, std::string message) {
  list_.push_back({Severity::Warning, loc, std::move(message)});
}

void Diagnostics::note(SourceLoc loc, std::string message) {
  list_.push_back({Severity::Note, loc, std::move(message)});
}

void Diagnostics::render_one(std::ostream& out, const Diagnostic& diag) const {
  out << file_.path();
  if (diag.loc.valid()) out << ':' << diag.loc.line << ':' << diag.loc.col;
  out << ": " << severity_name(diag.severity) << ": " << diag.message << '\n';
  if (!diag.loc.valid()) return;
  std::string_view line = file_.line_text(diag.loc.line);
  // A line of binary garbage or a 50 MB one-liner is not worth echoing whole.
  constexpr size_t kMaxEcho = 400;
  if (line.size() > kMaxEcho) return;
  out << printable_line(line) << '\n' << caret_line(line, diag.loc.col) << '\n';
}

void Diagnostics::render(std::ostream& out) const {
  for (const Diagnostic& diag : list_) render_one(out, diag);
}

}  // namespace relaxc

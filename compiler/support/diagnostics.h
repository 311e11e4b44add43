// User-facing diagnostics: `FILE:LINE:COL: error: MESSAGE`, then the source line and a caret.
// Errors in the user's input are reported here; broken compiler invariants are `internal error`.
#pragma once

#include <exception>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/support/source.h"

namespace relaxc {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity;
  SourceLoc loc;
  std::string message;
};

// Thrown where going on after an error makes no sense (a syntax error, say); the driver
// catches it and reports it like any other diagnostic.
class CompileError : public std::exception {
 public:
  CompileError(SourceLoc loc, std::string message) : loc_(loc), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  SourceLoc loc() const { return loc_; }
  const std::string& message() const { return message_; }
  // Further errors found in the same run (a pass that reports every failing call at once).
  const std::vector<Diagnostic>& more() const { return more_; }
  void add(SourceLoc loc, std::string message) { more_.push_back({Severity::Error, loc, std::move(message)}); }

 private:
  SourceLoc loc_;
  std::string message_;
  std::vector<Diagnostic> more_;
};

class Diagnostics {
 public:
  explicit Diagnostics(const SourceFile& file) : file_(file) {}

  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);
  void note(SourceLoc loc, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return list_; }
  const SourceFile& file() const { return file_; }

  // Writes every diagnostic in the order reported.
  void render(std::ostream& out) const;
  void render_one(std::ostream& out, const Diagnostic& diag) const;

 private:
  const SourceFile& file_;
  std::vector<Diagnostic> list_;
  size_t error_count_ = 0;
};

}  // namespace relaxc

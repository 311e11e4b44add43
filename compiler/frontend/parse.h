// Source text to ANTLR parse tree. Checks the text is UTF-8, builds logical lines, parses with
// the fast SLL strategy and falls back to full LL only to report a syntax error precisely.
#pragma once

#include <memory>

#include "compiler/support/source.h"

namespace relaxc::grammar {
class TvmsParser;
}

namespace antlr4::tree {
class ParseTree;
}

namespace relaxc {

class ParsedFile {
 public:
  ~ParsedFile();
  ParsedFile(ParsedFile&&) noexcept;
  // Throws CompileError on the first lexical or syntax error.
  static ParsedFile parse(const SourceFile& file);
  // The `file` rule's context; owned by this object.
  antlr4::tree::ParseTree* tree() const;

 private:
  struct State;
  explicit ParsedFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace relaxc

// Source text to ANTLR parse tree. Checks the text is UTF-8, builds logical lines, parses with
// the fast SLL strategy and falls back to full LL only to report a syntax error precisely.
// A whole file (schedule files), or one statement's tokens (statement_reader.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/support/source.h"

namespace relaxc::grammar {
class TvmsParser;
}

namespace antlr4 {
class Token;
class CharStream;
namespace tree {
class ParseTree;
}
}  // namespace antlr4

namespace relaxc {

// Throws CompileError at the first byte that is not UTF-8.
void check_utf8(const std::string& text);

class ParsedFile {
 public:
  ~ParsedFile();
  ParsedFile(ParsedFile&&) noexcept;
  ParsedFile& operator=(ParsedFile&&) noexcept;
  // Each throws CompileError on the first lexical or syntax error.
  static ParsedFile parse(const SourceFile& file);
  // `tokens` ends with EOF; the stream their text lives in must outlive the result.
  static ParsedFile parse_tokens(std::vector<std::unique_ptr<antlr4::Token>> tokens);
  // Where a statement is in a file: the bytes [begin, end), from its first token (at `line`,
  // 1-based, and `col`, 0-based, as the lexer counts them) to the start of what follows it.
  struct Piece {
    size_t begin, end, line, col;
  };
  // The `file` rule's context; owned by this object.
  antlr4::tree::ParseTree* tree() const;

 private:
  struct State;
  explicit ParsedFile(std::unique_ptr<State> state);
  // Parses the tokens in `state` from the `file` rule.
  static ParsedFile run(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace relaxc

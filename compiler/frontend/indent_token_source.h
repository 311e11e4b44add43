// Turns the lexer's flat token stream into Python's logical lines: NEWLINE only at depth zero,
// INDENT/DEDENT where indentation changes. Reports tabs, stray characters, unterminated strings,
// unbalanced brackets and nesting too deep to parse safely.
#pragma once

#include <memory>
#include <vector>

#include "antlr4-runtime.h"

namespace relaxc {

// Limits on the nesting of the input, as Python's own parser has them (so nothing TVM prints or
// reads is refused): deeper input is a clean error, never a stack overflow further on.
// The deepest bracket nesting accepted (Python: 200).
constexpr int kMaxBracketDepth = 200;
// The deepest indentation, in blocks (Python's tokenizer: 100).
constexpr int kMaxIndentDepth = 100;
// The most operators (and attribute accesses, chained calls and subscripts) in one statement:
// what bounds the depth of an expression tree. Python has no such limit, but its compiler stops
// with a RecursionError at a similar depth.
constexpr int kMaxOperatorsPerStatement = 10000;

// The logical-line tokens of `lexer`, one at a time, so that a large file is never held as
// tokens all at once. next() throws CompileError at the first lexical error and returns EOF
// at the end (and again if asked again).
class LogicalLineSource {
 public:
  // With `base_on_first_token`, the first token's column is the outermost indentation: a piece
  // of a file re-read from the start of one of its indented statements.
  explicit LogicalLineSource(antlr4::Lexer& lexer, bool base_on_first_token = false);
  ~LogicalLineSource();
  std::unique_ptr<antlr4::Token> next();

 private:
  struct Builder;
  std::unique_ptr<Builder> builder_;
};

// Every token of `lexer`, the EOF included. Throws CompileError at the first lexical error.
std::vector<std::unique_ptr<antlr4::Token>> tokenize_logical_lines(antlr4::Lexer& lexer);

}  // namespace relaxc

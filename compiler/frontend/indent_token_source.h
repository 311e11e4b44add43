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

// Throws CompileError at the first lexical error.
std::vector<std::unique_ptr<antlr4::Token>> tokenize_logical_lines(antlr4::Lexer& lexer);

}  // namespace relaxc

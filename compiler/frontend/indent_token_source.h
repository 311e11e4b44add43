// Turns the lexer's flat token stream into Python's logical lines: NEWLINE only at depth zero,
// INDENT/DEDENT where indentation changes. Reports tabs, stray characters, unterminated strings,
// unbalanced brackets and nesting too deep to parse safely.
#pragma once

#include <memory>
#include <vector>

#include "antlr4-runtime.h"

namespace relaxc {

// The deepest bracket nesting accepted; deeper input is an error, not a stack overflow.
constexpr int kMaxBracketDepth = 200;

// Throws CompileError at the first lexical error.
std::vector<std::unique_ptr<antlr4::Token>> tokenize_logical_lines(antlr4::Lexer& lexer);

}  // namespace relaxc

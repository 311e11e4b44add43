// Reads .tvms text a statement at a time, so that the front end holds the tokens and parse
// tree of one statement, not of a whole file: a 50 MB module's parse tree alone would take
// about 10 GB. A compound statement the policy names (a decorated module class, a function, a
// `with`) is "opened" when its block is indented: the reader returns its head, parsed with the
// body `pass`, and then the statements of its block one by one.
//
// Requires: text that is valid UTF-8 (check_utf8), and which outlives the reader and every
// statement it returned.
// Guarantees: the statements, in order, are those a parse of the whole text would see, with the
// same positions; a syntax error is reported as that parse reports it, since a statement ends
// only where the grammar's statement ends (a decorator's line continues into what it decorates,
// an `if` into its `elif`/`else`). Lexical errors are reported when the reader reaches them.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "compiler/frontend/parse.h"

namespace relaxc {

// Which compound statements to open; any other is read whole.
struct OpenPolicy {
  bool module_classes = false;  // a class with decorators
  bool functions = false;       // a `def`, with or without decorators
  bool with_statements = false;
};

struct ReadStatement {
  ParsedFile parsed;        // the `file` rule over this one statement
  bool opened = false;      // next() goes on with the statements of its block
  ParsedFile::Piece piece;  // where it starts and ends, to read it again (not when opened)
};

class StatementReader {
 public:
  // `piece` is the part of `text` to read; a piece that starts indented has that indentation
  // as its outermost level (a statement of a block read again).
  StatementReader(std::string_view text, ParsedFile::Piece piece, OpenPolicy policy);
  // All of `text`.
  StatementReader(std::string_view text, OpenPolicy policy);
  ~StatementReader();
  StatementReader(const StatementReader&) = delete;
  StatementReader& operator=(const StatementReader&) = delete;

  // The next statement of the innermost opened block, or of the text; nullopt at the end of
  // that block (which closes it) or of the text. Throws CompileError at the first lexical or
  // syntax error.
  std::optional<ReadStatement> next();
  bool at_end();  // no statement left anywhere

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace relaxc

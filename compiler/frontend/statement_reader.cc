#include "compiler/frontend/statement_reader.h"

#include <vector>

#include "TvmsLexer.h"
#include "compiler/frontend/indent_token_source.h"
#include "compiler/frontend/utf8_char_stream.h"
#include "compiler/support/utf8.h"

namespace relaxc {

using grammar::TvmsLexer;
using TokenPtr = std::unique_ptr<antlr4::Token>;

namespace {

TokenPtr token_at(size_t type, const std::string& text, const antlr4::Token& at) {
  auto token = std::make_unique<antlr4::CommonToken>(type, text);
  token->setLine(at.getLine());
  token->setCharPositionInLine(at.getCharPositionInLine());
  token->setStartIndex(at.getStartIndex());
  token->setStopIndex(at.getStartIndex() > 0 ? at.getStartIndex() - 1 : 0);
  return token;
}

// The lexer set to count positions from where the piece starts in the whole text.
TvmsLexer& starting_at(TvmsLexer& lexer, const ParsedFile::Piece& where) {
  lexer.removeErrorListeners();
  lexer.setLine(where.line);
  lexer.setCharPositionInLine(where.col);
  return lexer;
}

}  // namespace

struct StatementReader::State {
  State(std::string_view whole, ParsedFile::Piece where, OpenPolicy open_policy, bool piece_is_indented)
      : text(whole.substr(where.begin, where.end - where.begin)),
        piece(where),
        policy(open_policy),
        input(text),
        lexer(&input),
        source(starting_at(lexer, where), piece_is_indented) {}

  std::string_view text;    // the piece
  ParsedFile::Piece piece;  // where the piece is in the whole text
  OpenPolicy policy;
  Utf8CharStream input;
  TvmsLexer lexer;
  LogicalLineSource source;
  TokenPtr lookahead;
  int depth = 0;                 // INDENTs minus DEDENTs taken so far
  std::vector<int> open_blocks;  // the depth inside each opened block, innermost last
  // Where code point `cursor_cp` of the piece starts in bytes: asked for in increasing order.
  size_t cursor_cp = 0, cursor_byte = 0;

  const antlr4::Token& peek() {
    if (!lookahead) lookahead = source.next();
    return *lookahead;
  }
  TokenPtr take() {
    peek();
    size_t type = lookahead->getType();
    if (type == TvmsLexer::INDENT) ++depth;
    if (type == TvmsLexer::DEDENT) --depth;
    return std::move(lookahead);
  }

  // The byte offset in the whole text of code point `code_point` of the piece.
  size_t byte_of(size_t code_point) {
    while (cursor_cp < code_point && cursor_byte < text.size()) {
      ++cursor_byte;
      while (cursor_byte < text.size() && is_utf8_continuation(static_cast<unsigned char>(text[cursor_byte]))) {
        ++cursor_byte;
      }
      ++cursor_cp;
    }
    return piece.begin + cursor_byte;
  }

  // The end of a statement: an EOF where the next token is, spelled as that token (parse.cc's
  // describe_token), so that an error at the end reads as in a parse of the whole text.
  TokenPtr end_of_statement() {
    const antlr4::Token& next = peek();
    return token_at(antlr4::Token::EOF, next.getType() == TvmsLexer::DEDENT ? "<dedent>" : next.getText(), next);
  }

  bool opens(size_t line_first, int decorator_lines, bool only_decorators) const {
    if (!only_decorators) return false;
    switch (line_first) {
      case TvmsLexer::CLASS: return policy.module_classes && decorator_lines > 0;
      case TvmsLexer::DEF: return policy.functions;
      case TvmsLexer::WITH: return policy.with_statements && decorator_lines == 0;
      default: return false;
    }
  }

  ReadStatement finish(std::vector<TokenPtr> tokens, ParsedFile::Piece where, bool opened) {
    where.end = byte_of(std::min(peek().getStartIndex(), input.size()));
    if (opened) {
      // The head alone, with the body `pass`, so that the builders see the contexts they know.
      const antlr4::Token& body = peek();
      tokens.push_back(token_at(TvmsLexer::INDENT, "<indent>", body));
      tokens.push_back(token_at(TvmsLexer::PASS, "pass", body));
      tokens.push_back(token_at(TvmsLexer::NEWLINE, "\n", body));
      tokens.push_back(token_at(TvmsLexer::DEDENT, "<dedent>", body));
    }
    tokens.push_back(end_of_statement());
    return ReadStatement{ParsedFile::parse_tokens(std::move(tokens)), opened, where};
  }

  ReadStatement read_statement();
};

// One statement at the current depth, with every line of its blocks. A statement ends at the
// end of a line at its own depth unless a block follows (INDENT), the line was a decorator,
// or an `elif`/`else` continues it; an opened one ends before its block.
ReadStatement StatementReader::State::read_statement() {
  const antlr4::Token& first = peek();
  ParsedFile::Piece where{byte_of(first.getStartIndex()), 0, first.getLine(), first.getCharPositionInLine()};
  const int level = depth;
  std::vector<TokenPtr> tokens;
  size_t line_first = 0, before_newline = 0;
  bool line_start = true, only_decorators = true;
  int decorator_lines = 0;
  for (;;) {
    TokenPtr token = take();
    size_t type = token->getType();
    if (line_start && type != TvmsLexer::INDENT && type != TvmsLexer::DEDENT) {
      if (depth == level) line_first = type;
      line_start = false;
    }
    if (type != TvmsLexer::NEWLINE) before_newline = type;
    tokens.push_back(std::move(token));
    if (type == TvmsLexer::NEWLINE) line_start = true;
    if ((type != TvmsLexer::NEWLINE && type != TvmsLexer::DEDENT) || depth != level) continue;
    size_t next = peek().getType();
    bool decorator_line = type == TvmsLexer::NEWLINE && line_first == TvmsLexer::AT;
    if (type == TvmsLexer::NEWLINE && !decorator_line) {
      if (next == TvmsLexer::INDENT && before_newline == TvmsLexer::COLON &&
          opens(line_first, decorator_lines, only_decorators)) {
        ReadStatement head = finish(std::move(tokens), where, /*opened=*/true);
        take();  // the block's INDENT
        open_blocks.push_back(depth);
        return head;
      }
      only_decorators = false;
    }
    if (decorator_line) ++decorator_lines;
    if (next == TvmsLexer::INDENT) continue;
    if (next == antlr4::Token::EOF || next == TvmsLexer::DEDENT) break;
    if (decorator_line || next == TvmsLexer::ELIF || next == TvmsLexer::ELSE) continue;
    break;
  }
  return finish(std::move(tokens), where, /*opened=*/false);
}

StatementReader::StatementReader(std::string_view text, ParsedFile::Piece piece, OpenPolicy policy)
    : state_(std::make_unique<State>(text, piece, policy, /*piece_is_indented=*/true)) {}

StatementReader::StatementReader(std::string_view text, OpenPolicy policy)
    : state_(std::make_unique<State>(text, ParsedFile::Piece{0, text.size(), 1, 0}, policy, /*piece_is_indented=*/false)) {}

StatementReader::~StatementReader() = default;

bool StatementReader::at_end() { return state_->peek().getType() == antlr4::Token::EOF; }

std::optional<ReadStatement> StatementReader::next() {
  State& s = *state_;
  size_t type = s.peek().getType();
  if (type == antlr4::Token::EOF) return std::nullopt;
  if (type == TvmsLexer::DEDENT && !s.open_blocks.empty() && s.depth == s.open_blocks.back()) {
    s.take();
    s.open_blocks.pop_back();
    return std::nullopt;
  }
  return s.read_statement();
}

}  // namespace relaxc

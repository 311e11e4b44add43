#include "compiler/frontend/indent_token_source.h"

#include <cstdio>
#include <deque>
#include <string>

#include "TvmsLexer.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {
namespace {

using grammar::TvmsLexer;

SourceLoc loc_of(const antlr4::Token& token) {
  return {static_cast<uint32_t>(token.getLine()), static_cast<uint32_t>(token.getCharPositionInLine() + 1)};
}

std::string describe_char(const std::string& text) {
  unsigned char c = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
  if (c >= 0x21 && c < 0x7f) return "'" + text + "'";
  char buf[32];
  if (c < 0x80) {
    std::snprintf(buf, sizeof buf, "control character 0x%02x", c);
    return buf;
  }
  return "character '" + text + "'";
}

char closer_for(size_t type) {
  switch (type) {
    case TvmsLexer::LPAREN: return ')';
    case TvmsLexer::LBRACK: return ']';
    default: return '}';
  }
}

class LogicalLineBuilder {
 public:
  LogicalLineBuilder(antlr4::Lexer& lexer, bool base_on_first_token)
      : lexer_(lexer), base_on_first_token_(base_on_first_token) {}

  std::unique_ptr<antlr4::Token> next() {
    while (pending_.empty()) read_one();
    std::unique_ptr<antlr4::Token> token = std::move(pending_.front());
    pending_.pop_front();
    return token;
  }

 private:
  // Reads one token of the lexer and queues what it turns into: nothing (a line break inside
  // brackets), itself, or itself after the NEWLINE/INDENT/DEDENT tokens it implies.
  void read_one() {
    std::unique_ptr<antlr4::Token> token = lexer_.nextToken();
    size_t type = token->getType();
    switch (type) {
      case TvmsLexer::NEWLINE:
        check_indent_text(*token);
        if (open_brackets_.empty()) {
          if (last_type_ != 0 && last_type_ != TvmsLexer::NEWLINE) push(make(TvmsLexer::NEWLINE, "\n", *token));
          at_line_start_ = true;
          operators_in_statement_ = 0;
        }
        return;
      case TvmsLexer::TAB:
        throw CompileError(loc_of(*token), "tab character; .tvms files indent and separate with spaces only");
      case TvmsLexer::ERROR_CHAR:
        throw CompileError(loc_of(*token), "unexpected " + describe_char(token->getText()));
      case TvmsLexer::UNTERMINATED_STRING:
        throw CompileError(loc_of(*token), "unterminated string literal");
      case antlr4::Token::EOF:
        finish(*token);
        return;
      default:
        break;
    }
    if (base_on_first_token_) {
      indents_ = {token->getCharPositionInLine()};
      base_on_first_token_ = false;
    }
    if (at_line_start_) {
      indent_to(*token);
      at_line_start_ = false;
    }
    track_brackets(*token);
    count_operators(*token);
    push(std::move(token));
  }

  void push(std::unique_ptr<antlr4::Token> token) {
    last_type_ = token->getType();
    pending_.push_back(std::move(token));
  }

  std::unique_ptr<antlr4::Token> make(size_t type, const std::string& text, const antlr4::Token& at) {
    auto token = std::make_unique<antlr4::CommonToken>(type, text);
    token->setLine(at.getLine());
    token->setCharPositionInLine(at.getCharPositionInLine());
    token->setStartIndex(at.getStartIndex());
    token->setStopIndex(at.getStartIndex() > 0 ? at.getStartIndex() - 1 : 0);
    return token;
  }

  void check_indent_text(const antlr4::Token& newline) {
    std::string text = newline.getText();
    size_t tab = text.find('\t');
    if (tab == std::string::npos) return;
    size_t line_break = text.find_last_of("\r\n");
    uint32_t col = static_cast<uint32_t>(tab - line_break);
    throw CompileError({static_cast<uint32_t>(newline.getLine() + 1), col},
                       "tab character in indentation; .tvms files indent with spaces only");
  }

  void indent_to(const antlr4::Token& token) {
    size_t col = token.getCharPositionInLine();
    if (col > indents_.back()) {
      if (indents_.size() > static_cast<size_t>(kMaxIndentDepth)) {
        throw CompileError(loc_of(token), "more than " + std::to_string(kMaxIndentDepth) +
                                              " levels of indentation (Python's limit, so TVM could not read this either)");
      }
      indents_.push_back(col);
      push(make(TvmsLexer::INDENT, "<indent>", token));
      return;
    }
    while (col < indents_.back()) {
      indents_.pop_back();
      push(make(TvmsLexer::DEDENT, "<dedent>", token));
    }
    if (col != indents_.back()) {
      throw CompileError(loc_of(token), "unindent does not match any outer indentation level");
    }
  }

  // Every operator, attribute access and chained call or subscript nests the expression one
  // level deeper (a sum of n terms is n levels), and the parser and every pass after it walk
  // that nesting recursively; so the operators of one statement are limited where they are
  // read. A list of many elements is not nesting and is not counted.
  void count_operators(const antlr4::Token& token) {
    size_t type = token.getType();
    size_t before = last_type_;
    if (type == TvmsLexer::SEMI && open_brackets_.empty()) {
      operators_in_statement_ = 0;
      return;
    }
    bool chained_bracket = (type == TvmsLexer::LPAREN || type == TvmsLexer::LBRACK) &&
                           (before == TvmsLexer::RPAREN || before == TvmsLexer::RBRACK);
    if (!chained_bracket && !is_operator(type)) return;
    if (++operators_in_statement_ > kMaxOperatorsPerStatement) {
      throw CompileError(loc_of(token), "more than " + std::to_string(kMaxOperatorsPerStatement) +
                                            " operators in one statement; split the expression into several "
                                            "statements (relaxc's limit on how deeply an expression nests)");
    }
  }

  static bool is_operator(size_t type) {
    switch (type) {
      case TvmsLexer::DOT: case TvmsLexer::POWER: case TvmsLexer::STAR: case TvmsLexer::DOUBLESLASH:
      case TvmsLexer::SLASH: case TvmsLexer::PERCENT: case TvmsLexer::PLUS: case TvmsLexer::MINUS:
      case TvmsLexer::TILDE: case TvmsLexer::AMP: case TvmsLexer::PIPE: case TvmsLexer::CARET:
      case TvmsLexer::LSHIFT: case TvmsLexer::RSHIFT: case TvmsLexer::EQ: case TvmsLexer::NE:
      case TvmsLexer::LE: case TvmsLexer::GE: case TvmsLexer::LT: case TvmsLexer::GT: case TvmsLexer::AT:
      case TvmsLexer::AND: case TvmsLexer::OR: case TvmsLexer::NOT: case TvmsLexer::IF:
      case TvmsLexer::LAMBDA: case TvmsLexer::IS: case TvmsLexer::IN:
        return true;
      default:
        return false;
    }
  }

  void track_brackets(const antlr4::Token& token) {
    size_t type = token.getType();
    if (type == TvmsLexer::LPAREN || type == TvmsLexer::LBRACK || type == TvmsLexer::LBRACE) {
      if (open_brackets_.size() >= static_cast<size_t>(kMaxBracketDepth)) {
        throw CompileError(loc_of(token), "brackets nested more than " + std::to_string(kMaxBracketDepth) +
                                              " levels deep");
      }
      open_brackets_.push_back({closer_for(type), loc_of(token)});
      return;
    }
    if (type != TvmsLexer::RPAREN && type != TvmsLexer::RBRACK && type != TvmsLexer::RBRACE) return;
    std::string closer = token.getText();
    if (open_brackets_.empty()) throw CompileError(loc_of(token), "unmatched '" + closer + "'");
    if (open_brackets_.back().closer != closer[0]) {
      SourceLoc open = open_brackets_.back().loc;
      throw CompileError(loc_of(token), "closing '" + closer + "' does not match the bracket opened at line " +
                                            std::to_string(open.line) + ", column " + std::to_string(open.col) +
                                            " (expected '" + std::string(1, open_brackets_.back().closer) + "')");
    }
    open_brackets_.pop_back();
  }

  void finish(const antlr4::Token& eof) {
    if (!open_brackets_.empty()) {
      const OpenBracket& open = open_brackets_.back();
      throw CompileError(open.loc, "bracket is never closed (expected '" + std::string(1, open.closer) +
                                       "' before the end of the file)");
    }
    if (last_type_ != 0 && last_type_ != TvmsLexer::NEWLINE) push(make(TvmsLexer::NEWLINE, "\n", eof));
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(make(TvmsLexer::DEDENT, "<dedent>", eof));
    }
    push(make(antlr4::Token::EOF, "<EOF>", eof));
  }

  struct OpenBracket {
    char closer;
    SourceLoc loc;
  };

  antlr4::Lexer& lexer_;
  bool base_on_first_token_;
  std::deque<std::unique_ptr<antlr4::Token>> pending_;
  size_t last_type_ = 0;  // of the last token queued; 0 before the first
  bool at_line_start_ = true;
  std::vector<size_t> indents_{0};
  std::vector<OpenBracket> open_brackets_;
  int operators_in_statement_ = 0;
};

}  // namespace

struct LogicalLineSource::Builder : LogicalLineBuilder {
  using LogicalLineBuilder::LogicalLineBuilder;
};

LogicalLineSource::LogicalLineSource(antlr4::Lexer& lexer, bool base_on_first_token)
    : builder_(std::make_unique<Builder>(lexer, base_on_first_token)) {}
LogicalLineSource::~LogicalLineSource() = default;

std::unique_ptr<antlr4::Token> LogicalLineSource::next() { return builder_->next(); }

std::vector<std::unique_ptr<antlr4::Token>> tokenize_logical_lines(antlr4::Lexer& lexer) {
  LogicalLineSource source(lexer);
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  do {
    tokens.push_back(source.next());
  } while (tokens.back()->getType() != antlr4::Token::EOF);
  return tokens;
}

}  // namespace relaxc

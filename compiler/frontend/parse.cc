#include "compiler/frontend/parse.h"

#include <string>

#include "TvmsLexer.h"
#include "TvmsParser.h"
#include "antlr4-runtime.h"
#include "compiler/frontend/indent_token_source.h"
#include "compiler/frontend/utf8_char_stream.h"
#include "compiler/support/diagnostics.h"
#include "compiler/support/utf8.h"

namespace relaxc {
namespace {

using grammar::TvmsLexer;
using grammar::TvmsParser;

SourceLoc loc_of_offset(const std::string& text, size_t offset) {
  SourceLoc loc{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.col = 1;
    } else if (!is_utf8_continuation(static_cast<unsigned char>(text[i]))) {
      ++loc.col;
    }
  }
  return loc;
}

std::string describe_token(const antlr4::Token* token) {
  switch (token->getType()) {
    case TvmsLexer::INDENT: return "indent";
    case TvmsLexer::DEDENT: return "end of the indented block";
    case TvmsLexer::NEWLINE: return "end of line";
    case antlr4::Token::EOF:
      // The end of one piece of a file (chunk_reader.cc) is spelled as what follows it.
      if (token->getText() == "<EOF>") return "end of file";
      if (token->getText() == "<dedent>") return "end of the indented block";
      return "'" + token->getText() + "'";
    default: return "'" + token->getText() + "'";
  }
}

std::string describe_expected(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  switch (type) {
    case TvmsLexer::NAME: return "a name";
    case TvmsLexer::INTEGER: return "an integer";
    case TvmsLexer::FLOAT: return "a number";
    case TvmsLexer::STRING: return "a string";
    case TvmsLexer::NEWLINE: return "end of line";
    case TvmsLexer::INDENT: return "an indented block";
    case TvmsLexer::DEDENT: return "end of block";
    case antlr4::Token::EOF: return "end of file";
    default: return vocabulary.getLiteralName(type);
  }
}

class ThrowingErrorListener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t col,
                   const std::string&, std::exception_ptr) override {
    SourceLoc loc{static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1)};
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser == nullptr || offending == nullptr) throw CompileError(loc, "invalid syntax");
    if (offending->getType() == TvmsLexer::INDENT) throw CompileError(loc, "unexpected indent");
    antlr4::misc::IntervalSet expected = parser->getExpectedTokens();
    if (expected.contains(static_cast<size_t>(TvmsLexer::INDENT)) && expected.size() <= 2) {
      throw CompileError(loc, "expected an indented block");
    }
    std::string message = "invalid syntax: unexpected " + describe_token(offending);
    std::vector<ssize_t> types = expected.toList();
    if (!types.empty() && types.size() <= 4) {
      message += "; expected ";
      for (size_t i = 0; i < types.size(); ++i) {
        if (i > 0) message += i + 1 == types.size() ? " or " : ", ";
        message += describe_expected(parser->getVocabulary(), static_cast<size_t>(types[i]));
      }
    }
    throw CompileError(loc, message);
  }
};

}  // namespace

struct ParsedFile::State {
  std::unique_ptr<Utf8CharStream> input;  // null when the tokens came from elsewhere
  std::unique_ptr<TvmsLexer> lexer;
  std::unique_ptr<antlr4::ListTokenSource> token_source;
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
  std::unique_ptr<TvmsParser> parser;
  ThrowingErrorListener listener;
  antlr4::tree::ParseTree* tree = nullptr;
};

ParsedFile::ParsedFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
ParsedFile::ParsedFile(ParsedFile&&) noexcept = default;
ParsedFile& ParsedFile::operator=(ParsedFile&&) noexcept = default;
ParsedFile::~ParsedFile() = default;

antlr4::tree::ParseTree* ParsedFile::tree() const { return state_->tree; }

void check_utf8(const std::string& text) {
  size_t bad = find_invalid_utf8(text);
  if (bad != std::string::npos) {
    throw CompileError(loc_of_offset(text, bad), describe_invalid_utf8(text, bad) + "; a .tvms file is UTF-8 text");
  }
}

ParsedFile ParsedFile::parse(const SourceFile& file) {
  const std::string& text = file.text();
  check_utf8(text);
  auto state = std::make_unique<State>();
  state->input = std::make_unique<Utf8CharStream>(text);
  state->lexer = std::make_unique<TvmsLexer>(state->input.get());
  state->lexer->removeErrorListeners();
  state->token_source = std::make_unique<antlr4::ListTokenSource>(tokenize_logical_lines(*state->lexer));
  return run(std::move(state));
}

ParsedFile ParsedFile::parse_tokens(std::vector<std::unique_ptr<antlr4::Token>> tokens) {
  auto state = std::make_unique<State>();
  state->token_source = std::make_unique<antlr4::ListTokenSource>(std::move(tokens));
  return run(std::move(state));
}

ParsedFile ParsedFile::run(std::unique_ptr<State> state) {
  state->tokens = std::make_unique<antlr4::CommonTokenStream>(state->token_source.get());
  state->parser = std::make_unique<TvmsParser>(state->tokens.get());
  TvmsParser& parser = *state->parser;

  // Fast path: SLL prediction that gives up at the first error.
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    state->tree = parser.file();
    return ParsedFile(std::move(state));
  } catch (const antlr4::ParseCancellationException&) {
  }
  // Slow path: full LL, so the error is reported where a person would put it.
  state->tokens->seek(0);
  parser.reset();
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  parser.addErrorListener(&state->listener);
  state->tree = parser.file();
  return ParsedFile(std::move(state));
}

}  // namespace relaxc

#include "compiler/frontend/syntax.h"

#include "compiler/ir/spelling.h"

#include <limits>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace relaxc::frontend {

SourceLoc loc_of(antlr4::ParserRuleContext* ctx) { return loc_of(ctx->getStart()); }

SourceLoc loc_of(const antlr4::Token* token) {
  return {static_cast<uint32_t>(token->getLine()), static_cast<uint32_t>(token->getCharPositionInLine() + 1)};
}

void fail(SourceLoc loc, const std::string& message) { throw CompileError(loc, message); }

namespace {
std::optional<std::string> spelled_name(P::ExprContext* expr) {
  if (auto* atom = dynamic_cast<P::AtomExprContext*>(expr)) {
    if (auto* name = dynamic_cast<P::NameAtomContext*>(atom->atom())) return name->NAME()->getText();
    return std::nullopt;
  }
  if (auto* attr = dynamic_cast<P::AttributeExprContext*>(expr)) {
    std::optional<std::string> base = spelled_name(attr->expr());
    if (!base) return std::nullopt;
    return *base + "." + attr->NAME()->getText();
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> dotted_name(P::ExprContext* expr) {
  std::optional<std::string> name = spelled_name(expr);
  if (name) *name = canonical_spelling(*name);
  return name;
}

std::string canonical_spelling(const std::string& name) { return chapter_spelling(kRenamedNames, name); }

std::string canonical_keyword(const std::string& keyword) { return chapter_spelling(kRenamedKeywords, keyword); }

P::ExprContext* CallSyntax::keyword(const std::string& name) const {
  for (const auto& [key, value] : keywords) {
    if (key == name) return value;
  }
  return nullptr;
}

std::optional<CallSyntax> as_call(P::ExprContext* expr) {
  auto* call = dynamic_cast<P::CallExprContext*>(expr);
  if (call == nullptr) return std::nullopt;
  CallSyntax out;
  out.callee = call->expr();
  out.callee_name = dotted_name(call->expr()).value_or("");
  out.loc = loc_of(call);
  if (P::ArgumentsContext* args = call->arguments()) {
    for (P::ArgumentContext* arg : args->argument()) {
      // T.grid(*A.shape), as TVM's legalizer writes it, is the one unpacking TensorIR has.
      if (arg->STAR() && out.callee_name == "T.grid" && !arg->NAME()) {
        out.starred.push_back(out.positional.size());
      } else if (arg->STAR() || arg->POWER()) {
        fail(loc_of(arg), "argument unpacking with '*' or '**' is not supported (except in T.grid(*A.shape))");
      }
      if (arg->NAME()) {
        out.keywords.emplace_back(canonical_keyword(arg->NAME()->getText()), arg->expr());
        out.keyword_locs.push_back(loc_of(arg));
        continue;
      }
      if (!out.keywords.empty()) fail(loc_of(arg), "positional argument follows keyword argument");
      out.positional.push_back(arg->expr());
    }
  }
  return out;
}

void expect_arguments(const CallSyntax& call, size_t min_positional, size_t max_positional,
                      const std::vector<std::string>& allowed_keywords) {
  for (size_t i = 0; i < call.keywords.size(); ++i) {
    const std::string& key = call.keywords[i].first;
    if (std::find(allowed_keywords.begin(), allowed_keywords.end(), key) == allowed_keywords.end()) {
      fail(call.keyword_locs[i], call.callee_name + "() got an unexpected keyword argument '" + key + "'" +
                                     did_you_mean(key, allowed_keywords));
    }
    for (size_t j = 0; j < i; ++j) {
      if (call.keywords[j].first == key) fail(call.keyword_locs[i], "keyword argument '" + key + "' repeated");
    }
  }
  size_t given = call.positional.size();
  if (given > max_positional) {
    fail(loc_of(call.positional[max_positional]),
         call.callee_name + "() takes at most " + std::to_string(max_positional) + " positional argument" +
             (max_positional == 1 ? "" : "s") + " but " + std::to_string(given) + " were given");
  }
  if (given < min_positional) {
    fail(call.loc, call.callee_name + "() takes at least " + std::to_string(min_positional) + " argument" +
                       (min_positional == 1 ? "" : "s") + " but " + std::to_string(given) +
                       (given == 1 ? " was" : " were") + " given");
  }
}

std::vector<P::ExprContext*> list_elements(P::ExprListContext* list) {
  if (list == nullptr) return {};
  return list->expr();
}

std::optional<std::vector<P::ExprContext*>> sequence_elements(P::ExprContext* expr) {
  auto* atom_expr = dynamic_cast<P::AtomExprContext*>(expr);
  if (atom_expr == nullptr) return std::nullopt;
  if (auto* paren = dynamic_cast<P::ParenAtomContext*>(atom_expr->atom())) {
    P::ExprListContext* list = paren->exprList();
    if (list == nullptr) return std::vector<P::ExprContext*>{};
    if (list->COMMA().empty()) return std::nullopt;  // `(a)`: parentheses only
    return list->expr();
  }
  if (auto* bracket = dynamic_cast<P::ListAtomContext*>(atom_expr->atom())) {
    return list_elements(bracket->exprList());
  }
  return std::nullopt;
}

P::ExprContext* strip_parens(P::ExprContext* expr) {
  for (;;) {
    auto* atom_expr = dynamic_cast<P::AtomExprContext*>(expr);
    if (atom_expr == nullptr) return expr;
    auto* paren = dynamic_cast<P::ParenAtomContext*>(atom_expr->atom());
    if (paren == nullptr || paren->exprList() == nullptr || !paren->exprList()->COMMA().empty()) return expr;
    expr = paren->exprList()->expr(0);
  }
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

// Python's escapes in a non-raw literal: \n \t \r \0, \xHH (a byte: TVM's printer writes every
// non-ASCII byte of its metadata so), backslash-newline (a line continuation), and \<other>,
// which keeps the character.
std::string unquote(const std::string& text) {
  std::string out;
  bool triple = text.size() >= 6 && (text.compare(0, 3, "\"\"\"") == 0 || text.compare(0, 3, "'''") == 0);
  size_t quote = triple ? 3 : 1;
  if (text.size() < 2 * quote) return out;
  size_t end = text.size() - quote;
  for (size_t i = quote; i < end; ++i) {
    char c = text[i];
    if (c != '\\' || i + 1 >= end) {
      out.push_back(c);
      continue;
    }
    char next = text[++i];
    switch (next) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '0': out.push_back('\0'); break;
      case '\n': break;
      case 'x': {
        int hi = i + 1 < end ? hex_value(text[i + 1]) : -1;
        int lo = i + 2 < end ? hex_value(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          out += "\\x";
          break;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default: out.push_back(next); break;
    }
  }
  return out;
}

std::optional<std::string> string_literal(P::ExprContext* expr) {
  auto* atom_expr = dynamic_cast<P::AtomExprContext*>(strip_parens(expr));
  if (atom_expr == nullptr) return std::nullopt;
  auto* str = dynamic_cast<P::StringAtomContext*>(atom_expr->atom());
  if (str == nullptr) return std::nullopt;
  std::string out;
  for (antlr4::tree::TerminalNode* piece : str->STRING()) out += unquote(piece->getText());
  return out;
}

namespace {
std::string without_underscores(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  return text;
}

// The atom of a literal written `x` or `-x` (in parentheses or not); null for anything else.
P::AtomContext* signed_atom(P::ExprContext* expr, bool& negative) {
  expr = strip_parens(expr);
  negative = false;
  if (auto* unary = dynamic_cast<P::UnaryExprContext*>(expr)) {
    if (unary->op->getType() != P::MINUS) return nullptr;
    negative = true;
    expr = strip_parens(unary->expr());
  }
  auto* atom_expr = dynamic_cast<P::AtomExprContext*>(expr);
  return atom_expr ? atom_expr->atom() : nullptr;
}
}  // namespace

std::optional<int64_t> integer_literal(P::ExprContext* expr) {
  bool negative = false;
  auto* integer = dynamic_cast<P::IntegerAtomContext*>(signed_atom(expr, negative));
  if (integer == nullptr) return std::nullopt;
  std::string text = without_underscores(integer->INTEGER()->getText());
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), nullptr, 0);
  if (errno == ERANGE || value > static_cast<unsigned long long>(INT64_MAX)) {
    fail(loc_of(integer), "integer literal " + text + " does not fit in 64 bits");
  }
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

std::optional<bool> bool_literal(P::ExprContext* expr) {
  auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(expr));
  auto* boolean = atom ? dynamic_cast<P::BoolAtomContext*>(atom->atom()) : nullptr;
  if (boolean == nullptr) return std::nullopt;
  return boolean->TRUE() != nullptr;
}

std::optional<double> float_literal(P::ExprContext* expr) {
  bool negative = false;
  auto* number = dynamic_cast<P::FloatAtomContext*>(signed_atom(expr, negative));
  if (number == nullptr) return std::nullopt;
  double value = std::strtod(without_underscores(number->FLOAT()->getText()).c_str(), nullptr);
  return negative ? -value : value;
}

bool is_none_literal(P::ExprContext* expr) {
  auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(expr));
  return atom && dynamic_cast<P::NoneAtomContext*>(atom->atom()) != nullptr;
}

std::optional<double> special_float_literal(P::ExprContext* expr) {
  std::optional<std::string> text = string_literal(expr);
  if (!text) {
    // float("inf"), as TVM prints a non-finite R.const.
    std::optional<CallSyntax> call = as_call(expr);
    if (!call || call->callee_name != "float" || call->positional.size() != 1 || !call->keywords.empty()) return std::nullopt;
    text = string_literal(call->positional[0]);
    if (!text) return std::nullopt;
  }
  if (*text == "inf" || *text == "+inf" || *text == "infinity") return std::numeric_limits<double>::infinity();
  if (*text == "-inf" || *text == "-infinity") return -std::numeric_limits<double>::infinity();
  if (*text == "nan" || *text == "+nan" || *text == "-nan") return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
  // Close means at most a third of the name differs (one edit for short names), and never a
  // whole-name replacement: 'j' is not a near miss of 'X'.
  std::string best;
  size_t best_distance = std::min(std::max<size_t>(1, name.size() / 3), name.size() - 1) + 1;
  if (name.size() <= 1) return best;
  for (const std::string& candidate : candidates) {
    size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best = closest_name(name, candidates);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

std::vector<P::SubscriptContext*> buffer_subscripts(P::SubscriptsContext* subscripts) {
  std::vector<P::SubscriptContext*> subs = subscripts->subscript();
  if (subs.size() == 1 && subs[0]->COLON().empty() && subs[0]->expr(0)) {
    auto* atom = dynamic_cast<P::AtomExprContext*>(subs[0]->expr(0));
    auto* paren = atom ? dynamic_cast<P::ParenAtomContext*>(atom->atom()) : nullptr;
    if (paren && !paren->exprList()) return {};
  }
  return subs;
}

}  // namespace relaxc::frontend

// Small queries over the ANTLR parse tree shared by the TensorIR and Relax builders:
// positions, dotted names (`T.match_buffer`), call arguments, tuple elements, literals.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "TvmsParser.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::frontend {

using P = grammar::TvmsParser;

SourceLoc loc_of(antlr4::ParserRuleContext* ctx);
SourceLoc loc_of(const antlr4::Token* token);

// "T.match_buffer" for `T.match_buffer`, "x" for `x`; nullopt for anything else. Names of
// TVM's current spelling come back in the older one ("T.block" for `T.sblock`), so the
// builders know one spelling; see canonical_spelling.
std::optional<std::string> dotted_name(P::ExprContext* expr);
// The older spelling of a name TVM renamed in 2026: T.sblock, T.sblock_attr,
// T.sblock_alloc_buffer, R.Any; any other name unchanged.
std::string canonical_spelling(const std::string& name);
// The same for call keywords: out_ty= is out_sinfo=, ty_args= is sinfo_args=. CallSyntax
// holds keywords in the older spelling.
std::string canonical_keyword(const std::string& keyword);

// The callee and arguments of `f(a, b, key=c)`; nullptr callee when `expr` is not a call.
struct CallSyntax {
  P::ExprContext* callee = nullptr;
  std::string callee_name;  // dotted name of the callee, or "" when it has none
  std::vector<P::ExprContext*> positional;
  std::vector<std::pair<std::string, P::ExprContext*>> keywords;
  std::vector<SourceLoc> keyword_locs;
  std::vector<size_t> starred;  // positions of `*x` among `positional` (only T.grid has them)
  SourceLoc loc;

  P::ExprContext* keyword(const std::string& name) const;
};
std::optional<CallSyntax> as_call(P::ExprContext* expr);

// Rejects keywords outside `allowed` and more than `max_positional` positional arguments.
void expect_arguments(const CallSyntax& call, size_t min_positional, size_t max_positional,
                      const std::vector<std::string>& allowed_keywords);

// Elements of `(a, b)`, `[a, b]` or `a, b`; nullopt when `expr` is not a tuple or list.
std::optional<std::vector<P::ExprContext*>> sequence_elements(P::ExprContext* expr);
std::vector<P::ExprContext*> list_elements(P::ExprListContext* list);
// True for `(a)` without a trailing comma: just parentheses.
P::ExprContext* strip_parens(P::ExprContext* expr);
// The subscripts of `A[...]`, with `A[()]` (a 0-d buffer's one element) as none.
std::vector<P::SubscriptContext*> buffer_subscripts(P::SubscriptsContext* subscripts);

std::optional<std::string> string_literal(P::ExprContext* expr);
std::optional<int64_t> integer_literal(P::ExprContext* expr);  // also `-3`
std::optional<double> float_literal(P::ExprContext* expr);
std::optional<bool> bool_literal(P::ExprContext* expr);  // `True` / `False`, in parentheses or not
// "inf", "-inf", "nan" or float("inf"): the spellings of a non-finite float in TVMScript.
std::optional<double> special_float_literal(P::ExprContext* expr);
bool is_none_literal(P::ExprContext* expr);  // `None`

// Decodes the body of one quoted literal token, with Python escapes.
std::string unquote(const std::string& token_text);

// The closest of `candidates` to `name`, for "did you mean" hints; "" when none is close.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

[[noreturn]] void fail(SourceLoc loc, const std::string& message);

}  // namespace relaxc::frontend

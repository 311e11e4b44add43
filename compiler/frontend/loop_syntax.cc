#include "compiler/frontend/loop_syntax.h"

#include <algorithm>

#include "compiler/frontend/attr_builder.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_build.h"

namespace relaxc::frontend {

using namespace relaxc::tir;

namespace {

// The extents of T.grid(a, b, ...), with `*A.shape` standing for the dimensions of buffer A.
std::vector<Expr> grid_extents(const CallSyntax& call, TirExprBuilder& exprs) {
  std::vector<Expr> extents;
  for (size_t i = 0; i < call.positional.size(); ++i) {
    P::ExprContext* extent = call.positional[i];
    if (std::find(call.starred.begin(), call.starred.end(), i) == call.starred.end()) {
      extents.push_back(exprs.build_index(extent));
      continue;
    }
    auto* attr = dynamic_cast<P::AttributeExprContext*>(extent);
    if (attr == nullptr || attr->NAME()->getText() != "shape") fail(loc_of(extent), "T.grid unpacks only a buffer's shape, as in T.grid(*A.shape)");
    BufferPtr buffer = exprs.lookup_buffer(attr->expr(), "unpacked");
    for (const Expr& dim : buffer->shape) extents.push_back(dim);
  }
  return extents;
}


}  // namespace

// hi - lo, folded when both are constants or lo is 0.
Expr extent_between(const Expr& lo, const Expr& hi, SourceLoc loc) {
  const auto* a = lo->as<IntImm>();
  const auto* b = hi->as<IntImm>();
  if (a && b) return tir::build::imm(b->value - a->value, hi->dtype, loc);
  if (a && a->value == 0) return hi;  // `0:n`
  // `lo:lo + e`, as the printer writes a region, has extent e.
  if (const auto* sum = hi->as<Binary>(); sum && sum->op == BinaryOp::Add && printing::print_tir_expr(sum->a) == printing::print_tir_expr(lo)) {
    return sum->b;
  }
  return make_binary(BinaryOp::Sub, {hi, false}, {lo, false}, loc);
}

std::vector<LoopLevel> loop_levels(const CallSyntax& call, P::ForStatementContext* loop, size_t targets, TirExprBuilder& exprs) {
  std::vector<LoopLevel> levels;
  const std::string& callee = call.callee_name;
  if (callee == "T.grid") {
    expect_arguments(call, 1, 64, {});
    std::vector<Expr> extents = grid_extents(call, exprs);
    if (targets != extents.size()) {
      fail(loc_of(loop->targets), "T.grid has " + std::to_string(extents.size()) + " extents but " +
                                      std::to_string(targets) + " loop variables");
    }
    for (const Expr& e : extents) levels.push_back({tir::build::imm(0, e->dtype, e->loc), e, ForKind::Serial, "", {}});
  } else {
    ForKind kind;
    std::vector<std::string> keywords = {"annotations"};
    if (callee == "range") keywords.clear();
    if (callee == "range" || callee == "T.serial") kind = ForKind::Serial;
    else if (callee == "T.parallel") kind = ForKind::Parallel;
    else if (callee == "T.vectorized") kind = ForKind::Vectorized;
    else if (callee == "T.unroll") kind = ForKind::Unrolled;
    else if (callee == "T.thread_binding") kind = ForKind::ThreadBinding, keywords = {"thread", "annotations"};
    else {
      fail(call.loc, "unsupported loop iterator '" + callee + "'; expected T.grid, range, T.serial, T.parallel, T.vectorized, T.unroll or T.thread_binding");
    }
    expect_arguments(call, 1, 2, keywords);
    if (targets != 1) fail(loc_of(loop->targets), callee + " binds one loop variable, not " + std::to_string(targets));
    LoopLevel level{nullptr, nullptr, kind, "", {}};
    if (call.positional.size() == 1) {
      level.extent = exprs.build_index(call.positional[0]);
      level.min = tir::build::imm(0, level.extent->dtype, call.loc);
    } else {
      level.min = exprs.build_index(call.positional[0]);
      Expr hi = exprs.build_index(call.positional[1]);
      level.extent = extent_between(level.min, hi, loc_of(call.positional[1]));
    }
    if (kind == ForKind::ThreadBinding) {
      P::ExprContext* thread = call.keyword("thread");
      std::optional<std::string> text = thread ? string_literal(thread) : std::nullopt;
      if (!text) fail(call.loc, "T.thread_binding needs thread=\"blockIdx.x\" (or threadIdx.x, ...)");
      level.thread = *text;
    }
    // Loop annotations are hints to TVM's lowering (unrolling, pragmas); they are kept and
    // printed, and do not change what the loop computes.
    if (P::ExprContext* annotations = call.keyword("annotations")) level.annotations = build_attr_dict(annotations, "annotations=");
    levels.push_back(level);
  }
  return levels;
}

void check_attr_hints(const CallSyntax& call) {
  std::vector<std::pair<std::string, SourceLoc>> keys;
  if (call.positional.size() == 1) {
    for (const auto& entry : build_attr_dict(call.positional[0], "T.attr's argument")) keys.push_back({entry.first, entry.second->loc});
  } else {
    expect_arguments(call, 3, 3, {});
    std::optional<std::string> key = string_literal(call.positional[1]);
    if (!key) fail(loc_of(call.positional[1]), "T.attr's key is a string, as in T.attr(0, \"pragma_unroll_explicit\", 1)");
    keys.push_back({*key, loc_of(call.positional[1])});
  }
  static const char* const kHints[] = {"pragma_", "software_pipeline_", "double_buffer_scope", "storage_alignment", "compute_scope"};
  for (const auto& [key, loc] : keys) {
    const std::string& name = key;  // a lambda may capture a structured binding only from C++20
    bool hint = std::any_of(std::begin(kHints), std::end(kHints), [&](const char* prefix) { return name.rfind(prefix, 0) == 0; });
    if (!hint) {
      fail(loc, "T.attr key \"" + key + "\" is not supported; relaxc reads the hints that do not change what the body computes "
                "(pragma_*, software_pipeline_*, double_buffer_scope, storage_alignment, compute_scope)");
    }
  }
}

}  // namespace relaxc::frontend

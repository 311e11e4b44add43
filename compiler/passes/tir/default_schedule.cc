#include "compiler/passes/tir/default_schedule.h"

#include <map>

#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/parallelize_outer_loops.h"
#include "compiler/passes/tir/outer_product_tiles.h"
#include "compiler/passes/tir/reduction_nest.h"
#include "compiler/passes/tir/tile_reductions.h"
#include "compiler/schedule/rules/rules.h"

namespace relaxc {

namespace {

// Whether tile_reductions.cc gives some nest of `func` register tiles; with `windows`, also a
// nest with several reduction axes (a convolution's window), which otherwise goes to the rules.
bool register_tiled(const tir::PrimFunc& func, bool windows = false) {
  bool found = false;
  tir::visit_stmt(func.body, [&](const tir::StmtNode& s) {
    const auto* f = s.as<tir::For>();
    std::optional<tir::Reduction> r = f ? tir::match_reduction(*f) : std::nullopt;
    if (!r || !(tir::worth_tiling(*r) || tir::worth_outer_product_tiles(*r))) return;
    int reductions = 0;
    for (const tir::Axis& a : r->axes) reductions += a.kind == tir::IterKind::Reduce;
    found = found || windows || reductions == 1;
  });
  return found;
}

}  // namespace

bool scheduled_by_rule(const tir::PrimFunc& func) {
  return !func.scheduled && !tir::calls_runtime(func) && !register_tiled(func) && schedule::rule_applies(func);
}

Module default_schedule(const Module& module, const schedule::Target& target, const ScheduleChoices& choices, ScheduleReport* report) {
  Module out = module;
  std::map<std::string, KernelSchedule> by_rule;
  for (const tir::PrimFuncPtr& func : module.prim_funcs) {
    if (func->scheduled || tir::calls_runtime(*func) || register_tiled(*func)) continue;
    // A tuning database's knobs for the kernel, in the rules' terms.
    schedule::RuleParams params;
    if (auto tuned = choices.find(func->name); tuned != choices.end()) params = {tuned->second.rows_per_tile, tuned->second.parallel};
    if (std::optional<schedule::RuleApplied> applied = schedule::apply_rules(out, func->name, target, params)) {
      by_rule[func->name] = {func->name, "rule " + applied->rule, applied->trace};
    }
  }
  Module older = parallelize_outer_loops(tile_reductions(out, choices), choices);
  if (report) {
    for (size_t i = 0; i < module.prim_funcs.size(); ++i) {
      const tir::PrimFuncPtr& before = module.prim_funcs[i];
      auto rule = by_rule.find(before->name);
      if (rule != by_rule.end()) {
        report->push_back(rule->second);
      } else if (before->scheduled) {
        report->push_back({before->name, "a schedule file (left as it is)", {}});
      } else if (older.prim_funcs[i] != out.prim_funcs[i]) {
        report->push_back({before->name, register_tiled(*before, /*windows=*/true) ? "the register-tile generator of tile_reductions.cc (not yet written as primitives)"
                                                                 : "the per-element schedule of tile_reductions.cc / parallelize_outer_loops.cc (not yet written as primitives)",
                           {}});
      } else {
        report->push_back({before->name, "nothing (left as written)", {}});
      }
    }
  }
  return older;
}

}  // namespace relaxc

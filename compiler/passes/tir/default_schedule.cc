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
bool register_tiled(const tir::PrimFunc& func, const schedule::Target& target, bool windows = false) {
  bool found = false;
  tir::visit_stmt(func.body, [&](const tir::StmtNode& s) {
    const auto* f = s.as<tir::For>();
    std::optional<tir::Reduction> r = f ? tir::match_reduction(*f) : std::nullopt;
    if (!r || !(tir::worth_tiling(*r, target) || tir::worth_outer_product_tiles(*r))) return;
    int reductions = 0;
    for (const tir::Axis& a : r->axes) reductions += a.kind == tir::IterKind::Reduce;
    found = found || windows || reductions == 1;
  });
  return found;
}

// Whether the rules get `func` before the older generators.
bool rules_first(const tir::PrimFunc& func, const schedule::Target& target) {
  return !register_tiled(func, target) || schedule::rule_preferred_to_register_tiles(func, target);
}

}  // namespace

bool scheduled_by_rule(const tir::PrimFunc& func, const schedule::Target& target) {
  return !func.scheduled && !tir::calls_runtime(func) && rules_first(func, target) && schedule::rule_applies(func, target);
}

namespace {

// A tuning database's knobs for the kernel, in the rules' terms.
schedule::RuleParams rule_params(const ScheduleChoices& choices, const std::string& kernel) {
  schedule::RuleParams params;
  if (auto tuned = choices.find(kernel); tuned != choices.end()) params = {tuned->second.rows_per_tile, tuned->second.parallel};
  return params;
}

std::string older_generator(const tir::PrimFunc& before, const schedule::Target& target) {
  return register_tiled(before, target, /*windows=*/true) ? "the register-tile generator of tile_reductions.cc (not yet written as primitives)"
                                                  : "the per-element schedule of tile_reductions.cc / parallelize_outer_loops.cc (not yet written as primitives)";
}

}  // namespace

Module default_schedule(const Module& module, const schedule::Target& target, const ScheduleChoices& choices, ScheduleReport* report) {
  Module out = module;
  std::map<std::string, KernelSchedule> by_rule;
  auto record = [&](const std::string& name, const std::optional<schedule::RuleApplied>& applied) {
    if (applied) by_rule[name] = {name, "rule " + applied->rule, applied->trace};
  };
  for (const tir::PrimFuncPtr& func : module.prim_funcs) {
    if (func->scheduled || tir::calls_runtime(*func) || !rules_first(*func, target)) continue;
    record(func->name, schedule::apply_rules(out, func->name, target, rule_params(choices, func->name)));
  }
  Module older = parallelize_outer_loops(tile_reductions(out, target, choices), target, choices);
  // What the older code left as written, the fallback rules may take.
  std::vector<bool> untouched;
  for (size_t i = 0; i < module.prim_funcs.size(); ++i) untouched.push_back(older.prim_funcs[i] == out.prim_funcs[i]);
  for (size_t i = 0; i < module.prim_funcs.size(); ++i) {
    const std::string& name = module.prim_funcs[i]->name;
    if (untouched[i] && !by_rule.count(name)) {
      record(name, schedule::on_kernel_alone(older, name, [&](Module& alone) { return schedule::apply_elementwise_rule(alone, name, target, rule_params(choices, name)); }));
    }
  }
  for (size_t i = 0; report && i < module.prim_funcs.size(); ++i) {
    const tir::PrimFunc& before = *module.prim_funcs[i];
    auto rule = by_rule.find(before.name);
    if (rule != by_rule.end()) report->push_back(rule->second);
    else if (before.scheduled) report->push_back({before.name, "a schedule file (left as it is)", {}});
    else if (!untouched[i]) report->push_back({before.name, older_generator(before, target), {}});
    else report->push_back({before.name, "nothing (left as written)", {}});
  }
  return older;
}

}  // namespace relaxc

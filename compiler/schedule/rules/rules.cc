// The order in which the default schedule tries its rules (rules.h): the first that matches a
// kernel schedules all of it.
#include <algorithm>
#include <functional>

#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

std::optional<RuleApplied> apply_first_rule(Module& module, const std::string& name, const Target& target, const RuleParams& params) {
  const PrimFunc* func = module.find_prim_func(name);
  if (!func || func->scheduled || calls_runtime(*func)) return std::nullopt;
  // Copied: a rule replaces the function in `module`, and with it what `func` points to.
  const PrimFunc before = *func;
  try {
    if (channel_blocked_conv_rule_applies(before, target)) return apply_channel_blocked_conv_rule(module, before, target, params);
  } catch (const ScheduleError&) {
    // a precondition the match did not foresee: the window rule takes the convolution
  }
  try {
    if (window_rule_applies(before)) return apply_window_rule(module, before, target, params);
    if (row_reduction_rule_applies(before)) return apply_row_reduction_rule(module, before, target, params);
    if (dot_matmul_tile_fills_registers(before, target)) return apply_dot_matmul_rule(module, before, target, params);
  } catch (const ScheduleError&) {
    return std::nullopt;  // a precondition the match did not foresee: the function keeps the older schedule
  }
  return apply_elementwise_rule(module, name, target, params);
}

}  // namespace

std::optional<RuleApplied> on_kernel_alone(Module& module, const std::string& name,
                                           const std::function<std::optional<RuleApplied>(Module&)>& rule) {
  auto at = std::find_if(module.prim_funcs.begin(), module.prim_funcs.end(), [&](const PrimFuncPtr& f) { return f->name == name; });
  if (at == module.prim_funcs.end()) return std::nullopt;
  Module alone;
  alone.name = module.name;
  alone.loc = module.loc;
  alone.prim_funcs = {*at};
  std::optional<RuleApplied> applied = rule(alone);
  *at = alone.prim_funcs.front();
  return applied;
}

std::optional<RuleApplied> apply_rules(Module& module, const std::string& name, const Target& target, const RuleParams& params) {
  return on_kernel_alone(module, name, [&](Module& alone) { return apply_first_rule(alone, name, target, params); });
}

bool rule_preferred_to_register_tiles(const PrimFunc& func, const Target& target) {
  if (func.scheduled || calls_runtime(func)) return false;
  return row_reduction_rule_applies(func) || matmul_tile_fills_registers(func, target) || dot_matmul_tile_fills_registers(func, target);
}

bool rule_applies(const PrimFunc& func, const Target& target) {
  if (func.scheduled || calls_runtime(func)) return false;
  return channel_blocked_conv_rule_applies(func, target) || window_rule_applies(func) || row_reduction_rule_applies(func) ||
         dot_matmul_tile_fills_registers(func, target);
}

}  // namespace relaxc::schedule

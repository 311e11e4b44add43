// The rules of the default schedule one by one (rules.h is what the pipeline calls; rules.cc
// tries these in order). Each `apply_*` returns nullopt, leaving `module` as it was, when its
// rule does not match `func`; a ScheduleError from a primitive means the match missed a
// precondition, and the caller keeps the older schedule.
#pragma once

#include <optional>

#include "compiler/schedule/rules/rules.h"

namespace relaxc::schedule {

// Whether `func` is a convolution reading its weight blocked by the target's lanes
// (pack_weights' OIHW<L>o) that the rule can tile.
bool channel_blocked_conv_rule_applies(const tir::PrimFunc& func, const Target& target);
std::optional<RuleApplied> apply_channel_blocked_conv_rule(Module& module, const tir::PrimFunc& func, const Target& target, const RuleParams& params);

bool window_rule_applies(const tir::PrimFunc& func);
// Whether `func` is a matmul whose register tile is at least half the target's accumulators
// (full vectors, extents with divisors that fit).
bool matmul_tile_fills_registers(const tir::PrimFunc& func, const Target& target);
std::optional<RuleApplied> apply_window_rule(Module& module, const tir::PrimFunc& func, const Target& target, const RuleParams& params);

// Whether `func` is a matmul with k contiguous in both operands whose tile is at least half the
// target's accumulators; the rule applies only then.
bool dot_matmul_tile_fills_registers(const tir::PrimFunc& func, const Target& target);
std::optional<RuleApplied> apply_dot_matmul_rule(Module& module, const tir::PrimFunc& func, const Target& target, const RuleParams& params);

bool row_reduction_rule_applies(const tir::PrimFunc& func);
std::optional<RuleApplied> apply_row_reduction_rule(Module& module, const tir::PrimFunc& func, const Target& target, const RuleParams& params);

bool elementwise_rule_applies(const tir::PrimFunc& func);

}  // namespace relaxc::schedule

// The rules of the default schedule, each composed from the schedule primitives (as TVM's DLight
// and MetaSchedule rules are) and parameterised by a Target. A rule recognises a kind of
// computation in a prim_func and schedules the whole function; what it did is recorded as
// schedule-file lines (TracedSchedule), which relaxc --print-schedule prints and --schedule
// reads back to the same module.
//
// Rules so far:
//   channel-blocked-conv  (channel_blocked_conv.cc) a convolution whose weight pack_weights
//                     blocked by the vector's lanes (OIHW16o): vectors of output channels by a row
//                     of output columns in registers, the input broadcast, the reduction inside,
//                     the elementwise stages computed from the accumulators, a row of the tile
//                     per channel (transposed by shuffles) stored into the NCHW output, the
//                     outer loops parallel.
//   window-reduction  a reduction whose output's last axis walks its inputs contiguously or with
//                     a small stride: convolutions of every form (1x1, kxk, strided, depthwise,
//                     grouped) and pooling, with the spatial stages before it (padding) and the
//                     elementwise stages after it (bias, activation). The output's last axis is
//                     vectorized, another output axis (the one the vector load does not use, so
//                     that one load feeds several accumulators) is blocked into registers, the
//                     reduction runs inside, and the outer output loops are fused and parallel.
//   matmul            the same match with one reduction axis (a matmul with a k-major operand,
//                     batched or not): a tile of rows x several vectors of columns, as square
//                     as the extents allow, in half the registers; column panels outermost.
//   matmul-dot        (matmul_dot.cc) a matmul with k contiguous in both operands (R.nn.linear's
//                     W[j, k]): k split into vector partial sums (rfactor), a square tile of
//                     them in registers, the lanes added per output after the reduction.
//   row-reduction     (row_reduction.cc) softmax, layer_norm, rms_norm and reductions over the
//                     last axis: every stage computed per row under the last stage's row loop,
//                     each reduction split into vector partial sums (rfactor), inner loops
//                     vectorized, the rows fused and parallel when large.
//   elementwise       (elementwise.cc) spatial nests storing one element each: innermost loop
//                     vectorized, the outer loops fused and parallel when large.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/schedule/target.h"

namespace relaxc::schedule {

struct RuleApplied {
  std::string rule;                // its name
  std::vector<std::string> trace;  // the primitives it called, as schedule-file lines
};

// What a tuner may choose instead of the target's defaults (relaxc --tune): the most register
// accumulators a tile blocks (window-reduction's output axis), and whether loops are parallel.
struct RuleParams {
  int64_t accumulators = 0;  // 0: the target's accumulator_registers()
  bool parallel = true;
};

// The first rule that applies to prim_func `func` (in the order above) schedules it in
// `module`; nullopt (and the module unchanged) when none does.
std::optional<RuleApplied> apply_rules(Module& module, const std::string& func, const Target& target, const RuleParams& params = {});

// The elementwise rule alone, for what the older generators of tile_reductions.cc leave as
// written.
std::optional<RuleApplied> apply_elementwise_rule(Module& module, const std::string& func, const Target& target, const RuleParams& params = {});
// Runs `rule` on a module holding only the prim_func `name` (a rule never looks beyond the
// kernel it schedules), then puts the result back: a Schedule copies the module it works on,
// so scheduling every kernel of a large module stays linear in its size (and the module's
// constants are not copied once per kernel). nullopt when there is no such prim_func.
std::optional<RuleApplied> on_kernel_alone(Module& module, const std::string& name,
                                           const std::function<std::optional<RuleApplied>(Module&)>& rule);

// Whether a rule schedules `func` although the older register tiles of tile_reductions.cc also
// match it: a reduction over rows (row-reduction), or a matmul of either layout whose tile fills
// half the target's accumulators (matmul, matmul-dot); the older tiles keep the rest (a symbolic batch, extents without
// divisors that fit) until the rules handle remainders.
bool rule_preferred_to_register_tiles(const tir::PrimFunc& func, const Target& target);

// Whether a rule with parameters (all but elementwise) applies to `func`: a kernel
// a tuner can try them on.
bool rule_applies(const tir::PrimFunc& func, const Target& target);

}  // namespace relaxc::schedule

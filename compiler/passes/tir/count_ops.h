// The floating-point operations of one call of a prim_func, counted as the kernel is written
// (before scheduling, so the count is the algorithm's, not its schedule's), for relaxrun
// --profile's GFLOP/s. Requires a checked prim_func. Guarantees nothing about the function: it
// is only read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/module.h"

namespace relaxc {

// `count` is an int64 expression over `slot_vars`; slot k is dimension slot_dims[k] of parameter
// slot_params[k] (slot_dims[k] == -1: the value of that scalar parameter), so the count can be
// evaluated from a call's arguments.
struct KernelOpCount {
  tir::Expr count;
  std::vector<tir::VarPtr> slot_vars;
  std::vector<int64_t> slot_params, slot_dims;
};
using KernelOpCounts = std::map<std::string, KernelOpCount>;

// Each store adds (arithmetic operations on floats in its value) x (iterations of the loops
// around it); a reduction's init adds nothing, an `if` its larger branch. nullopt when a loop's
// extent depends on another loop or on a size no argument carries, or the kernel calls the
// runtime (whose work is not known).
std::optional<KernelOpCount> count_float_ops(const tir::PrimFunc& func);

// Every prim_func of `module` whose count is known.
KernelOpCounts count_float_ops(const Module& module);

}  // namespace relaxc

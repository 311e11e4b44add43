// TensorIR integer expressions as the VM's postfix shape programs (runtime/bytecode.h): the
// output shapes of destination-passing calls and the operation counts relaxrun --profile
// evaluates from a kernel's arguments.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::codegen {

// Why an expression has no program: a variable without a heap slot, or another kind of node.
struct ShapeProgramFailure {
  const tir::ExprNode* node = nullptr;
  bool unbound_variable = false;
};

// Appends `e` (integer constants, variables with a slot, + - * // % min max, integer casts) to
// `program`; the offending node otherwise, with `program` unspecified.
std::optional<ShapeProgramFailure> append_shape_program(const tir::Expr& e, const std::function<std::optional<int64_t>(const tir::Var*)>& slot_of,
                                                        std::vector<int64_t>& program);

}  // namespace relaxc::codegen

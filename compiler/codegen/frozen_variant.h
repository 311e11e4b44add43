// relaxc.frozen_variant, the attribute pack_weights gives a function without "num_input"
// (pack_weights.h): {"function": name, "frozen_params": [positions], "packed_from_rows":
// [position, rows]}. The function's first instructions call the named variant, which reads the
// weights packed, when every argument at "frozen_params" is frozen, or, with
// "packed_from_rows", when the argument at that position has at least `rows` rows: then
// packing weights that may change costs little beside the call (they are packed on that call).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/module.h"

namespace relaxc::codegen {

struct FrozenVariant {
  std::string function;
  std::vector<int64_t> frozen_params;
  int64_t rows_param = -1;  // -1: no rows criterion
  int64_t min_rows = 0;
};

// The attribute of `func`, checked against the module (CompileError at the attribute naming
// what is wrong); nullopt when `func` has none.
std::optional<FrozenVariant> frozen_variant_of(const relax::Function& func, const Module& module);

}  // namespace relaxc::codegen

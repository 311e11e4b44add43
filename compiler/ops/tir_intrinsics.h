// The TensorIR intrinsics (T.exp, T.erf, T.isnan, T.pow, ...): one table that the front end
// (which names parse, how many arguments), the checker (which argument types) and both code
// generators (how each is emitted, scalar and vector) read. Adding an intrinsic is one row here
// plus, for a Custom lowering, one case in codegen/kernel_intrinsics.cc.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/dtype.h"

namespace relaxc::ops {

enum class IntrinsicArgs {
  Float,    // floating-point arguments (an integer literal is read as float32)
  Numeric,  // any numeric type
  Int,      // integers and bool
};

enum class IntrinsicResult {
  SameAsArgs,
  Bool,
};

enum class IntrinsicLowering {
  Llvm,    // an LLVM intrinsic over the argument type, scalar or vector: `llvm_name`
  Libm,    // the C math library (`name` + "f" for float32), one lane at a time for vectors
  Custom,  // written out by the code generator (sigmoid, rsqrt, sign, isnan, ...)
};

struct TirIntrinsic {
  const char* name;  // T.<name>
  int arity;
  IntrinsicArgs args;
  IntrinsicResult result;
  IntrinsicLowering lowering;
  const char* llvm_name;  // for Llvm: "llvm.exp"
};

const std::vector<TirIntrinsic>& tir_intrinsics();
const TirIntrinsic* find_tir_intrinsic(const std::string& name);  // without "T."

}  // namespace relaxc::ops

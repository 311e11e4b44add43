#include "compiler/ops/tir_intrinsics.h"

namespace relaxc::ops {

namespace {

constexpr IntrinsicArgs F = IntrinsicArgs::Float;
constexpr IntrinsicArgs N = IntrinsicArgs::Numeric;
constexpr IntrinsicArgs I = IntrinsicArgs::Int;
constexpr IntrinsicResult Same = IntrinsicResult::SameAsArgs;
constexpr IntrinsicResult Bool = IntrinsicResult::Bool;
constexpr IntrinsicLowering Llvm = IntrinsicLowering::Llvm;
constexpr IntrinsicLowering Libm = IntrinsicLowering::Libm;
constexpr IntrinsicLowering Custom = IntrinsicLowering::Custom;

}  // namespace

const std::vector<TirIntrinsic>& tir_intrinsics() {
  // T.round rounds half to even, as TVM lowers it (llvm.nearbyint) and as numpy does.
  static const std::vector<TirIntrinsic> table = {
      {"exp", 1, F, Same, Llvm, "llvm.exp"},
      {"exp2", 1, F, Same, Llvm, "llvm.exp2"},
      {"exp10", 1, F, Same, Libm, nullptr},
      {"log", 1, F, Same, Llvm, "llvm.log"},
      {"log2", 1, F, Same, Llvm, "llvm.log2"},
      {"log10", 1, F, Same, Llvm, "llvm.log10"},
      {"log1p", 1, F, Same, Libm, nullptr},
      {"sqrt", 1, F, Same, Llvm, "llvm.sqrt"},
      {"rsqrt", 1, F, Same, Custom, nullptr},
      {"sin", 1, F, Same, Llvm, "llvm.sin"},
      {"cos", 1, F, Same, Llvm, "llvm.cos"},
      {"tan", 1, F, Same, Libm, nullptr},
      {"asin", 1, F, Same, Libm, nullptr},
      {"acos", 1, F, Same, Libm, nullptr},
      {"atan", 1, F, Same, Libm, nullptr},
      {"sinh", 1, F, Same, Libm, nullptr},
      {"cosh", 1, F, Same, Libm, nullptr},
      {"tanh", 1, F, Same, Libm, nullptr},
      {"asinh", 1, F, Same, Libm, nullptr},
      {"acosh", 1, F, Same, Libm, nullptr},
      {"atanh", 1, F, Same, Libm, nullptr},
      {"erf", 1, F, Same, Libm, nullptr},
      {"sigmoid", 1, F, Same, Custom, nullptr},
      {"fabs", 1, F, Same, Llvm, "llvm.fabs"},
      {"abs", 1, N, Same, Custom, nullptr},
      {"floor", 1, F, Same, Llvm, "llvm.floor"},
      {"ceil", 1, F, Same, Llvm, "llvm.ceil"},
      {"trunc", 1, F, Same, Llvm, "llvm.trunc"},
      {"round", 1, F, Same, Llvm, "llvm.nearbyint"},
      {"nearbyint", 1, F, Same, Llvm, "llvm.nearbyint"},
      {"isnan", 1, F, Bool, Custom, nullptr},
      {"isinf", 1, F, Bool, Custom, nullptr},
      {"isfinite", 1, F, Bool, Custom, nullptr},
      {"pow", 2, F, Same, Llvm, "llvm.pow"},
      {"atan2", 2, F, Same, Libm, nullptr},
      {"fmod", 2, F, Same, Libm, nullptr},
      {"copysign", 2, F, Same, Llvm, "llvm.copysign"},
      {"hypot", 2, F, Same, Libm, nullptr},
      // Shifts by a negative amount or by the width or more give 0 (-1 for a negative value
      // shifted right), where LLVM's shifts would be undefined.
      {"bitwise_and", 2, I, Same, Custom, nullptr},
      {"bitwise_or", 2, I, Same, Custom, nullptr},
      {"bitwise_xor", 2, I, Same, Custom, nullptr},
      {"bitwise_not", 1, I, Same, Custom, nullptr},
      {"shift_left", 2, I, Same, Custom, nullptr},
      {"shift_right", 2, I, Same, Custom, nullptr},
  };
  return table;
}

const TirIntrinsic* find_tir_intrinsic(const std::string& name) {
  for (const TirIntrinsic& intrinsic : tir_intrinsics()) {
    if (name == intrinsic.name) return &intrinsic;
  }
  return nullptr;
}

}  // namespace relaxc::ops

// exp, erf and tanh of float32 vectors as straight-line LLVM IR (polynomials), where LLVM would
// otherwise call expf, erff or tanhf once per lane: softmax's exp and GELU's erf or tanh are the
// bulk of a transformer's non-matmul time. Each keeps numpy's special values (NaN stays NaN,
// exp(inf) = inf, exp(-inf) = 0, erf(±inf) = ±1, tanh(±inf) = ±1) and its results are within a
// few units in the last place of float32 (exp and tanh: 3; erf: 6e-7 relative), which
// testdata/codegen/vector_math.tvms checks against numpy across the whole float32 range.
// Scalars keep the C library's functions.
#pragma once

#include <llvm/IR/IRBuilder.h>

namespace relaxc::codegen {

// Whether `x` is a vector of float32 (what these functions take).
bool float32_vector(const llvm::Value* x);

llvm::Value* vector_exp(llvm::IRBuilder<>& b, llvm::Value* x);
llvm::Value* vector_erf(llvm::IRBuilder<>& b, llvm::Value* x);
llvm::Value* vector_tanh(llvm::IRBuilder<>& b, llvm::Value* x);

}  // namespace relaxc::codegen

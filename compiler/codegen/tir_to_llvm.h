// TensorIR → LLVM IR. Takes a checked module; every prim_func becomes one exported function with
// the kernel ABI of runtime/include/relaxrt/kernel_abi.h. Guarantees: the function checks, at
// entry, every assumption its buffers make (argument count and kinds, rank, dtype, compact
// layout, and each shape dimension against constants and the symbolic variables bound by earlier
// dimensions) and returns an error naming the function, argument, buffer and dimension instead
// of reading out of bounds. Blocks become loop nests; `T.init` runs at the first iteration of
// the block's reduction axes.
#pragma once

#include <memory>

#include "compiler/ir/module.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace relaxc::codegen {

// Throws CompileError for TensorIR the code generator cannot lower (with the node's position).
std::unique_ptr<llvm::Module> lower_tir_to_llvm(const Module& module, llvm::LLVMContext& context,
                                                const llvm::TargetMachine& target);

}  // namespace relaxc::codegen

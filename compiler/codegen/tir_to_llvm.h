// TensorIR → LLVM IR. Takes a checked module; every prim_func becomes one exported function with
// the kernel ABI of runtime/include/relaxrt/kernel_abi.h. Guarantees: the function checks, at
// entry, every assumption its buffers make (argument count and kinds, rank, dtype, compact
// layout, and each shape dimension against constants and the symbolic variables bound by earlier
// dimensions) and returns an error naming the function, argument, buffer and dimension instead
// of reading out of bounds. Blocks become loop nests; `T.init` runs at the first iteration of
// the block's reduction axes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/module.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace relaxc::codegen {

// Both throw CompileError for TensorIR the code generator cannot lower (with the node's
// position). The kernels alone, without the table of runtime functions (compile_kernels.cc
// gives a library one table for all its modules):
std::unique_ptr<llvm::Module> lower_kernels_to_llvm(const std::vector<tir::PrimFuncPtr>& kernels, const std::string& name, llvm::LLVMContext& context,
                                                    const llvm::TargetMachine& target);
// Every prim_func of the module, and the table:
std::unique_ptr<llvm::Module> lower_tir_to_llvm(const Module& module, llvm::LLVMContext& context,
                                                const llvm::TargetMachine& target);

}  // namespace relaxc::codegen

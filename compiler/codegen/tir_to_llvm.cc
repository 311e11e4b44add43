#include "compiler/codegen/tir_to_llvm.h"

#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/passes/tir/compact_buffers.h"
#include "compiler/passes/tir/partition_loops.h"
#include "compiler/schedule/target.h"

namespace relaxc::codegen {

std::unique_ptr<llvm::Module> lower_kernels_to_llvm(const std::vector<tir::PrimFuncPtr>& kernels, const std::string& name, llvm::LLVMContext& context,
                                                    const llvm::TargetMachine& target) {
  auto out = std::make_unique<llvm::Module>(name, context);
  out->setTargetTriple(target.getTargetTriple().str());
  out->setDataLayout(target.createDataLayout());
  // Features the CPU name implies count too (-mcpu=skylake-avx512 lists none of its own).
  bool masked_vectors = target.getMCSubtargetInfo()->checkFeatures("+avx512f");
  int64_t min_parallel_work = schedule::Target::parallel_min_statements(target.getTargetCPU().str());
  for (const tir::PrimFuncPtr& scheduled : kernels) {
    tir::PrimFuncPtr func = partition_loops(compact_buffers(scheduled));
    KernelEmitter emitter(*func, *out, masked_vectors, min_parallel_work);
    llvm::Function* fn = emitter.emit();
    std::string problems;
    llvm::raw_string_ostream stream(problems);
    if (llvm::verifyFunction(*fn, &stream)) {
      throw std::logic_error("LLVM IR of " + func->name + " is invalid: " + stream.str());
    }
  }
  return out;
}

std::unique_ptr<llvm::Module> lower_tir_to_llvm(const Module& module, llvm::LLVMContext& context, const llvm::TargetMachine& target) {
  std::unique_ptr<llvm::Module> out = lower_kernels_to_llvm(module.prim_funcs, module.name, context, target);
  emit_packed_function_table(*out);
  return out;
}

}  // namespace relaxc::codegen

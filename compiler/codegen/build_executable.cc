#include "compiler/codegen/build_executable.h"

#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/codegen/compile_kernels.h"
#include "compiler/codegen/lower_relax_to_bytecode.h"
#include "compiler/codegen/shape_program.h"
#include "compiler/codegen/tir_to_llvm.h"
#include "compiler/passes/pipeline.h"
#include "runtime/disassemble.h"
#include "runtime/executable.h"

namespace relaxc::codegen {

namespace {

// The operation count of every kernel the bytecode calls, as programs over its arguments.
void record_kernel_costs(const KernelOpCounts& counts, relaxrt::Executable& exe) {
  for (const relaxrt::FunctionRef& ref : exe.function_table) {
    auto it = counts.find(ref.name);
    if (ref.kind != relaxrt::FunctionRef::Kind::Kernel || it == counts.end()) continue;
    const KernelOpCount& count = it->second;
    relaxrt::KernelCost cost;
    cost.kernel = ref.name;
    cost.slot_args = count.slot_params;
    cost.slot_dims = count.slot_dims;
    auto slot_of = [&](const tir::Var* var) -> std::optional<int64_t> {
      for (size_t k = 0; k < count.slot_vars.size(); ++k) {
        if (count.slot_vars[k].get() == var) return static_cast<int64_t>(k);
      }
      return std::nullopt;
    };
    // A count the VM's shape programs cannot compute is left out: the profile shows no GFLOP/s.
    if (!append_shape_program(count.count, slot_of, cost.program)) exe.kernel_costs.push_back(std::move(cost));
  }
}

}  // namespace

std::string build_stage(const Module& checked, const SourceFile& file, const TargetOptions& options, Stage stage,
                        const std::string& producer, PipelineOptions pipeline) {
  pipeline.opt_level = options.opt_level;
  pipeline.last_stage = "schedule";
  if (!pipeline.target) pipeline.target = schedule_target(options);
  KernelOpCounts op_counts;
  pipeline.op_counts = &op_counts;
  Module module = run_pipeline(checked, pipeline);
  relaxrt::Executable exe;
  exe.producer = producer;
  exe.source_name = file.path();
  // The executable views its large byte blobs; this keeps them alive until it is serialised.
  struct Blobs {
    std::string constants, library;
  };
  auto blobs = std::make_shared<Blobs>();
  if (stage == Stage::Bytecode) {
    lower_relax_to_bytecode(module, file, exe, blobs->constants, options.opt_level >= 1);
    return relaxrt::disassemble(exe);
  }
  NativeTarget target = make_native_target(options);
  if (stage == Stage::Rx) {
    lower_relax_to_bytecode(module, file, exe, blobs->constants, options.opt_level >= 1);
    record_kernel_costs(op_counts, exe);
    if (!module.prim_funcs.empty()) blobs->library = compile_kernel_library(module, options);
    exe.constant_data = blobs->constants;
    exe.native_code = blobs->library;
    exe.storage = blobs;
    exe.target_triple = target.triple;
    exe.target_cpu = target.cpu;
    exe.target_features = target.features;
    return relaxrt::serialize_executable(exe);
  }
  // The forms shown as text or one object: the kernels in one module.
  llvm::LLVMContext context;
  std::string llvm_errors;
  context.setDiagnosticHandlerCallBack(keep_llvm_errors_only, &llvm_errors);
  std::unique_ptr<llvm::Module> llvm_module = lower_tir_to_llvm(module, context, *target.machine);
  optimize_module(*llvm_module, target);
  throw_llvm_errors(llvm_errors);
  if (stage == Stage::LLVM) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    llvm_module->print(stream, nullptr);
    return stream.str();
  }
  if (stage == Stage::Asm) {
    std::string text = emit_machine_code(*llvm_module, target, true);
    throw_llvm_errors(llvm_errors);
    return text;
  }
  std::string object = emit_machine_code(*llvm_module, target, false);
  throw_llvm_errors(llvm_errors);
  return object;
}

std::string build_kernel_library(const Module& scheduled, const TargetOptions& options) { return compile_kernel_library(scheduled, options); }

}  // namespace relaxc::codegen

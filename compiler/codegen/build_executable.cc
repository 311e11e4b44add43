#include "compiler/codegen/build_executable.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/codegen/link_shared_object.h"
#include "compiler/codegen/lower_relax_to_bytecode.h"
#include "compiler/codegen/tir_to_llvm.h"
#include "compiler/passes/pipeline.h"
#include "runtime/disassemble.h"
#include "runtime/executable.h"

namespace relaxc::codegen {

std::string build_stage(const Module& checked, const SourceFile& file, const TargetOptions& options, Stage stage,
                        const std::string& producer, PipelineOptions pipeline) {
  pipeline.opt_level = options.opt_level;
  pipeline.last_stage = "schedule";
  if (!pipeline.target) pipeline.target = schedule_target(options);
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
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvm_module = lower_tir_to_llvm(module, context, *target.machine);
  optimize_module(*llvm_module, target);
  if (stage == Stage::LLVM) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    llvm_module->print(stream, nullptr);
    return stream.str();
  }
  if (stage == Stage::Asm) return emit_machine_code(*llvm_module, target, true);
  std::string object = emit_machine_code(*llvm_module, target, false);
  if (stage == Stage::Obj) return object;

  lower_relax_to_bytecode(module, file, exe, blobs->constants, options.opt_level >= 1);
  if (!module.prim_funcs.empty()) blobs->library = link_shared_object(object);
  exe.constant_data = blobs->constants;
  exe.native_code = blobs->library;
  exe.storage = blobs;
  exe.target_triple = target.triple;
  exe.target_cpu = target.cpu;
  exe.target_features = target.features;
  return relaxrt::serialize_executable(exe);
}

std::string build_kernel_library(const Module& scheduled, const TargetOptions& options) {
  NativeTarget target = make_native_target(options);
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvm_module = lower_tir_to_llvm(scheduled, context, *target.machine);
  optimize_module(*llvm_module, target);
  return link_shared_object(emit_machine_code(*llvm_module, target, false));
}

}  // namespace relaxc::codegen

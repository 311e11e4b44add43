#include "compiler/codegen/compile_kernels.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <exception>
#include <set>
#include <thread>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/codegen/link_shared_object.h"
#include "compiler/codegen/tir_to_llvm.h"
#include "compiler/support/large_stack.h"

namespace relaxc::codegen {

namespace {

struct Part {
  std::vector<tir::PrimFuncPtr> kernels;
  std::string object;
  std::vector<std::string> packed_names;
  std::exception_ptr failure;
};

// One module's kernels compiled to an object, in a context and target machine of its own.
void compile_part(Part& part, const TargetOptions& options, size_t index) {
  NativeTarget target = make_native_target(options);
  llvm::LLVMContext context;
  std::string errors;
  context.setDiagnosticHandlerCallBack(keep_llvm_errors_only, &errors);
  std::unique_ptr<llvm::Module> module = lower_kernels_to_llvm(part.kernels, "kernels." + std::to_string(index), context, *target.machine);
  part.packed_names = packed_function_names(*module);
  optimize_module(*module, target);
  part.object = emit_machine_code(*module, target, false);
  throw_llvm_errors(errors);
}

// The object of the table of every runtime function the parts' kernels call.
std::string table_object(const std::vector<Part>& parts, const TargetOptions& options) {
  std::set<std::string> names;
  for (const Part& part : parts) names.insert(part.packed_names.begin(), part.packed_names.end());
  NativeTarget target = make_native_target(options);
  llvm::LLVMContext context;
  auto module = std::make_unique<llvm::Module>("packed_functions", context);
  module->setTargetTriple(target.machine->getTargetTriple().str());
  module->setDataLayout(target.machine->createDataLayout());
  emit_packed_function_table(*module, std::vector<std::string>(names.begin(), names.end()));
  return emit_machine_code(*module, target, false);
}

// Kernels dealt round-robin over the threads, so that each gets a share of the large and the
// small. By default a module of few kernels stays on one thread (a target machine costs
// milliseconds); `jobs` asks for that many threads (at most one per kernel).
std::vector<Part> split(const Module& module, int jobs) {
  constexpr size_t kKernelsPerThread = 4;
  size_t kernels = std::max<size_t>(1, module.prim_funcs.size());
  size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  size_t count = jobs > 0 ? std::min<size_t>(static_cast<size_t>(jobs), kernels) : std::clamp<size_t>(kernels / kKernelsPerThread, 1, cores);
  std::vector<Part> parts(count);
  for (size_t i = 0; i < module.prim_funcs.size(); ++i) parts[i % count].kernels.push_back(module.prim_funcs[i]);
  return parts;
}

}  // namespace

std::string compile_kernel_library(const Module& scheduled, const TargetOptions& options) {
  std::vector<Part> parts = split(scheduled, options.jobs);
  // Lowering recurses over statements as deep as the input nests: each part on a thread with
  // the tools' large stack, whose failure is kept for this thread to rethrow.
  auto run = [&](size_t i) {
    run_with_stack(kToolStackBytes, [&] {
      try {
        compile_part(parts[i], options, i);
      } catch (...) {
        parts[i].failure = std::current_exception();
      }
      return 0;
    });
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < parts.size(); ++i) threads.emplace_back(run, i);
  run(0);
  for (std::thread& t : threads) t.join();
  std::vector<std::string> objects;
  for (Part& part : parts) {
    if (part.failure) std::rethrow_exception(part.failure);
    objects.push_back(std::move(part.object));
  }
  objects.push_back(table_object(parts, options));
  return link_shared_object(objects);
}

}  // namespace relaxc::codegen

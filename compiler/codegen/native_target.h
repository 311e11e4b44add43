// The machine native code is generated for: an LLVM target triple, a CPU and its features
// (the host's by default), and the optimisation level. Also runs LLVM's optimisation pipeline
// and emits object code or assembly.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/schedule/target.h"

namespace llvm {
class DiagnosticInfo;
class Module;
class TargetMachine;
}  // namespace llvm

namespace relaxc::codegen {

struct TargetOptions {
  std::string triple;  // empty: the host
  std::string cpu = "native";
  int opt_level = 2;   // 0..3
  int jobs = 0;        // threads compiling kernels (compile_kernels.h); 0: every core
};

struct NativeTarget {
  std::unique_ptr<llvm::TargetMachine> machine;
  std::string triple;
  std::string cpu;
  // The CPU features code may use ("avx2", "fma", ...), recorded in the .rx so relaxrun can
  // refuse code its host cannot run.
  std::vector<std::string> features;
  int opt_level = 2;
};

// Throws std::runtime_error with a user-facing message for an unknown triple or CPU.
NativeTarget make_native_target(const TargetOptions& options);
// What code for `options` is made for: the triple, the CPU ("znver5" for -mcpu=native on such
// a host) and the features it may use.
struct TargetInfo {
  std::string triple, cpu;
  std::vector<std::string> features;
};
TargetInfo target_info(const TargetOptions& options);
// The machine as the default schedule's rules see it: vector width and registers from the
// target's features, cores and cache sizes of the machine relaxc runs on.
schedule::Target schedule_target(const TargetOptions& options);
// A function with loops nested deeper than this is not optimised (see native_target.cc).
constexpr unsigned kMaxOptimisedLoopDepth = 64;
void optimize_module(llvm::Module& module, NativeTarget& target);
// "obj" or "asm".
std::string emit_machine_code(llvm::Module& module, NativeTarget& target, bool assembly);

// A context's diagnostic handler: LLVM's remarks and optimization warnings ("loop not
// vectorized" for a loop relaxc handed to its vectorizer) carry no .tvms position and name
// nothing a user wrote, so they are dropped; its errors are appended to the std::string
// `errors` points to (nothing may unwind through LLVM), for throw_llvm_errors once it returns.
void keep_llvm_errors_only(const llvm::DiagnosticInfo* info, void* errors);
// Throws the kept errors as one std::runtime_error, if there are any.
void throw_llvm_errors(const std::string& errors);

}  // namespace relaxc::codegen

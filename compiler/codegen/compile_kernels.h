// The shared object of a module's kernels, compiled on every core: the prim_funcs are split
// into one LLVM module per thread (each with its own context and target machine), optimised
// and compiled side by side, and linked with a small module holding the one table of runtime
// functions the kernels call (kernel_emitter.h: slots and hooks are weak, so each module
// defines those it uses and the linker keeps one of each).
//
// Requires: a scheduled module (the pipeline has run). Guarantees: the same kernels, with the
// same code, as compiling them in one module; errors as lower_tir_to_llvm and LLVM give them,
// the first in the module's order when several threads fail.
#pragma once

#include <string>

#include "compiler/codegen/native_target.h"
#include "compiler/ir/module.h"

namespace relaxc::codegen {

std::string compile_kernel_library(const Module& scheduled, const TargetOptions& options);

}  // namespace relaxc::codegen

// The back end in order: TensorIR → LLVM IR → optimised → object → shared object, and Relax →
// bytecode; together they make the Executable written as a .rx. Each stage can be shown.
#pragma once

#include <string>

#include "compiler/codegen/native_target.h"
#include "compiler/ir/module.h"
#include "compiler/passes/pipeline.h"
#include "compiler/support/source.h"

namespace relaxc::codegen {

enum class Stage { LLVM, Asm, Obj, Bytecode, Rx };

// The text or bytes of `stage` for a checked module, run through the pipeline with `pipeline`
// (its opt_level taken from `options`, its target from `options` when it names none).
// Throws CompileError for IR the back end cannot lower and std::runtime_error for target or
// linker problems.
std::string build_stage(const Module& module, const SourceFile& file, const TargetOptions& options, Stage stage,
                        const std::string& producer, PipelineOptions pipeline = {});

// The shared object of a module's prim_funcs as they are (already scheduled): what a tuner loads
// to time a kernel.
std::string build_kernel_library(const Module& scheduled, const TargetOptions& options);

}  // namespace relaxc::codegen

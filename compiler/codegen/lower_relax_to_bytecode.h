// Relax → VM bytecode. Takes a checked module (struct info complete) and appends one VM
// function per Relax function to `exe`, with its signature (parameter names, declared types,
// source positions) for run-time checks and messages. Each function first binds its symbolic
// variables from the actual arguments (vm.builtin.match_shape), then computes output shapes of
// destination-passing calls from them, allocates the outputs and calls the kernel.
#pragma once

#include "compiler/ir/module.h"
#include "compiler/support/source.h"
#include "runtime/executable.h"

namespace relaxc::codegen {

// Throws CompileError for Relax the VM cannot run yet (with the node's position).
// Tensor constants go to `constant_data`, each at a multiple of 64 bytes. With `plan_memory`
// (from -O1 on) intermediates share storage as plan_memory.h decides.
void lower_relax_to_bytecode(const Module& module, const SourceFile& file, relaxrt::Executable& exe, std::string& constant_data,
                             bool plan_memory);

}  // namespace relaxc::codegen

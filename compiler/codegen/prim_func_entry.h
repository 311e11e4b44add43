// Entries that let relaxrun run a prim_func by itself (`relaxrun s.rx --function relu0`), as
// TVM runs one directly (rt_mod["mm_relu"](a, b, c)): for each public prim_func of buffers, a
// VM function of the same name that takes the buffers it only reads, allocates those it writes
// from their match_buffer shapes (symbolic sizes bound by the inputs) and returns them (a tuple
// when several). Requires a checked module; guarantees nothing else changes.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/module.h"

namespace relaxc::codegen {

struct PrimFuncEntry {
  relax::FunctionPtr function;  // null when the prim_func cannot run alone
  std::string prim_func;
  std::string why_not;          // what keeps it from running alone
};

// One per public prim_func that no Relax function shadows.
std::vector<PrimFuncEntry> prim_func_entries(const Module& module);

}  // namespace relaxc::codegen

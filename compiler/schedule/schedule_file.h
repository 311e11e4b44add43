// relaxc --schedule FILE.py: schedule statements as TVM users write them, in the course's form
// (`block_Y = sch.get_block("Y", func_name="mm_relu")`, `j0, j1 = sch.split(j, factors=[None,
// 4])`) and in the form `sch.trace.show()` prints (`def apply_trace(sch):` with
// `l4, l5 = sch.split(loop=l2, factors=[v3, 4], preserve_unit_iters=True)`), read with the
// TVMScript grammar and run on the module. Lines that only display (`sch.mod.show()`,
// `IPython.display.Code(...)`, `print(...)`) and imports are skipped. Functions of schedule
// statements (the course's `def blocking(sch, tile_x, ...)`) run when called, as in Python;
// `def apply_trace(sch):`, which trace.show() prints without a call, runs at the end.
#pragma once

#include <set>
#include <string>

#include "compiler/ir/module.h"
#include "compiler/support/diagnostics.h"
#include "compiler/support/source.h"

namespace relaxc::schedule {

// A primitive named a prim_func the module does not have.
class UnknownFunctionInFile : public CompileError {
 public:
  using CompileError::CompileError;
};

// The scheduled module; the functions it changed are marked scheduled and listed in
// `scheduled`. Throws CompileError with a position in `file` (a syntax error, an unknown
// primitive or argument, or a primitive's precondition that does not hold).
Module apply_schedule_file(const Module& module, const SourceFile& file, std::set<std::string>* scheduled = nullptr);

}  // namespace relaxc::schedule

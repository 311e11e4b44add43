// .tvms text → Module, read a statement at a time (chunk_reader.h). Accepts the optional
// imports, then either one `@I.ir_module` / `@tvm.script.ir_module` class or top-level
// decorated functions.
#pragma once

#include <optional>

#include "compiler/ir/module.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {

// Reads, parses and builds; every error is reported to `diags`. Returns nullopt on error.
// With `keep_after_errors`, a module whose builder reported errors and went on (unknown
// operators, bad attributes) is still returned, so that the checker can report its own errors
// in the same run; the caller must not compile it.
std::optional<Module> parse_module(const SourceFile& file, Diagnostics& diags, bool keep_after_errors = false);

}  // namespace relaxc

// The compiler's stages in order, for the tools: parse, check, then the passes each
// emitted form needs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/ir/printer/printer.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {

// The Relax operators of the registry, sorted (relaxc --list-operators).
std::vector<std::string> operator_names();

// Parses and checks; nullopt when `diags` holds an error.
std::optional<Module> load_and_check(const SourceFile& file, Diagnostics& diags);
// The canonical TVMScript text of a checked module (with metadata values when `show_meta`).
std::string emit_tvms(const Module& module, bool show_meta = false, Spelling spelling = Spelling::Chapter);

}  // namespace relaxc

// Prints a module as TVMScript in the canonical form TVM's printer writes (see LANGUAGE.md,
// "The printer"). Printing is a fixed point: the printed text parses and prints to itself.
#pragma once

#include <string>

#include "compiler/ir/module.h"

namespace relaxc {

// The two spellings of TVMScript (LANGUAGE.md, "Both spellings"): the chapter's, which TVM
// printed until 2026, and the current one (T.sblock, out_ty=, "tirx." keys, T.let[...]).
enum class Spelling { Chapter, Current };

// With `show_meta`, TVM's metadata section with the values of the constants comes first
// instead of the "# Metadata omitted" line after the module.
std::string print_module(const Module& module, bool show_meta = false, Spelling spelling = Spelling::Chapter);

}  // namespace relaxc

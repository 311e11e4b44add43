// Prints a module as TVMScript in the canonical form TVM's printer writes (see LANGUAGE.md,
// "The printer"). Printing is a fixed point: the printed text parses and prints to itself.
#pragma once

#include <string>

#include "compiler/ir/module.h"

namespace relaxc {

// With `show_meta`, the values of metadata constants follow the module (in a form relaxc reads
// back) instead of TVM's "# Metadata omitted" line.
std::string print_module(const Module& module, bool show_meta = false);

}  // namespace relaxc

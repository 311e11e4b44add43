// Prints a module as TVMScript in the canonical form TVM's printer writes (see LANGUAGE.md,
// "The printer"). Printing is a fixed point: the printed text parses and prints to itself.
#pragma once

#include <string>

#include "compiler/ir/module.h"

namespace relaxc {

std::string print_module(const Module& module);

}  // namespace relaxc

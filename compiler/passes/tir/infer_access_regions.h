#pragma once

#include "compiler/ir/module.h"

namespace relaxc {

// Fills in T.reads / T.writes of every block that does not state them.
Module infer_access_regions(const Module& module);

}  // namespace relaxc

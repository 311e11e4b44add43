// A readable listing of an Executable's functions, constants and bytecode
// (`relaxc --emit=bytecode`).
#pragma once

#include <string>

#include "runtime/executable.h"

namespace relaxrt {

std::string disassemble(const Executable& exe);

}  // namespace relaxrt

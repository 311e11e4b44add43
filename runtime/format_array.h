// Prints an array the way numpy's print() does (numpy 1.24 defaults: 8 significant digits at
// most, shortest round-trip digits, aligned decimal points, 75-column lines, arrays of more
// than 1000 elements summarised with 3 edge items), so outputs compare with the chapter's.
#pragma once

#include <string>

#include "runtime/value.h"

namespace relaxrt {

std::string format_array(const Tensor& tensor);

}  // namespace relaxrt

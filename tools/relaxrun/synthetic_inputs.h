// `relaxrun --benchmark N` or `--profile` without --input or --params: every argument made from
// the function's signature — a tensor of its declared dtype and shape, symbolic sizes given by
// `--dim NAME=N` — filled with seeded values (uniform in [-1, 1) for floats, 0..9 for integers,
// false for booleans), and frozen as arrays from files are, so that weight transforms run once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/executable.h"
#include "runtime/value.h"

namespace relaxrun {

// The arguments of `fn`; throws std::runtime_error naming the parameter and what it needs (a
// --dim, a known dtype, a tensor rather than a tuple) when one cannot be made.
std::vector<relaxrt::Value> synthetic_arguments(const relaxrt::VMFunction& fn, const std::map<std::string, int64_t>& dims);

// `--dim NAME=N` options as a map; throws std::runtime_error for a malformed one.
std::map<std::string, int64_t> parse_dims(const std::vector<std::string>& specs);

}  // namespace relaxrun

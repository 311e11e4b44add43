// Runs a tool's work on a thread with a large stack.
//
// The front end limits how deeply its input nests (indent_token_source.h, the statement limit of
// the TensorIR builder), but passes, the printer and destructors of expression trees still
// recurse to those depths; under AddressSanitizer a frame is several times larger. A generous
// stack, reserved (not committed) up front, keeps every accepted input far from its end.
#pragma once

#include <cstddef>
#include <functional>

namespace relaxc {

constexpr size_t kToolStackBytes = size_t{1} << 30;  // 1 GiB of address space; pages come as used

// Calls `body` on a new thread with a stack of `stack_bytes` and returns its result; calls it on
// the current thread if such a thread cannot be made.
int run_with_stack(size_t stack_bytes, const std::function<int()>& body);

}  // namespace relaxc

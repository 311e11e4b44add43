// Shared by the libFuzzer targets (fuzz/README.md): inputs as text or aligned bytes, and the
// large stack the tools run on (compiler/support/large_stack.h), so that a target explores what
// relaxc and relaxrun would do with the same input. An exception a target does not catch is a
// crash: only the errors an input may legitimately cause are caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "compiler/support/large_stack.h"

namespace fuzz {

inline std::string text_of(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// A copy 64-byte aligned, as a mapped file is (the readers view constants in place).
inline std::shared_ptr<char> aligned_copy(const uint8_t* data, size_t size) {
  void* copy = std::aligned_alloc(64, (size + 64) / 64 * 64);
  if (size) std::memcpy(copy, data, size);
  return std::shared_ptr<char>(static_cast<char*>(copy), std::free);
}

template <class Body>
void on_tool_stack(Body&& body) {
  relaxc::run_with_stack(relaxc::kToolStackBytes, [&] {
    body();
    return 0;
  });
}

}  // namespace fuzz

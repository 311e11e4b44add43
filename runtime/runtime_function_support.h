// What the built-in runtime functions (env_functions.cc, sort_functions.cc) share: reporting a
// failure through RxError and checking a tensor's layout.
#pragma once

#include <dlpack/dlpack.h>

#include <string>

#include "relaxrt/kernel_abi.h"

namespace relaxrt {

// Messages must outlive the call; one per thread is enough since the caller copies it at once.
inline int32_t fail_with(RxError* error, const std::string& message) {
  thread_local std::string text;
  text = message;
  error->message = text.c_str();
  error->has_values = 0;
  return 1;
}

// Dense row-major (a dimension of extent 1 may have any stride).
inline bool is_compact(const DLTensor& t) {
  if (!t.strides) return true;
  int64_t expected = 1;
  for (int d = t.ndim - 1; d >= 0; --d) {
    if (t.shape[d] != 1 && t.strides[d] != expected) return false;
    expected *= t.shape[d];
  }
  return true;
}

}  // namespace relaxrt

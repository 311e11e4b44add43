// Loads the native code of a .rx (a shared object held in memory) without a temporary file:
// the bytes go into an anonymous memfd, which dlopen opens through /proc/self/fd.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relaxrt/kernel_abi.h"

namespace relaxrt {

class NativeLibrary {
 public:
  NativeLibrary() = default;
  // Throws std::runtime_error with the loader's message.
  explicit NativeLibrary(std::string_view shared_object);
  NativeLibrary(const NativeLibrary&) = delete;
  NativeLibrary& operator=(const NativeLibrary&) = delete;
  ~NativeLibrary();

  // nullptr when the library has no such symbol.
  RxFunction kernel(const std::string& prim_func) const;
  // The runtime functions the kernels call with T.call_packed, whose slots the VM fills from
  // its registry before any kernel runs.
  std::vector<RxPackedFunctionSlot*> packed_function_slots() const;
  bool loaded() const { return handle_ != nullptr; }

 private:
  void* handle_ = nullptr;
};

}  // namespace relaxrt

#include "runtime/native_library.h"

#include "runtime/kernel_checks.h"

#include "runtime/thread_pool.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace relaxrt {

namespace {

// A runtime function failed inside a kernel: "kernel: T.call_packed("f"): <its message>". The
// text lives per thread until the next failure, which is after the VM has copied it.
void add_packed_call_context(const char* context, RxError* error) {
  thread_local std::string text;
  std::string message = error->message ? error->message : "failed without a message";
  if (error->has_values) message += ": expected " + std::to_string(error->expected) + " but got " + std::to_string(error->actual);
  text = std::string(context) + ": " + message;
  error->message = text.c_str();
  error->has_values = 0;
}

}  // namespace

NativeLibrary::NativeLibrary(std::string_view shared_object) {
  int fd = memfd_create("relax_kernels", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("cannot create an in-memory file for the native code: ") + std::strerror(errno));
  size_t written = 0;
  while (written < shared_object.size()) {
    ssize_t n = write(fd, shared_object.data() + written, shared_object.size() - written);
    if (n <= 0) {
      close(fd);
      throw std::runtime_error(std::string("cannot write the native code to memory: ") + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  close(fd);  // the mapping keeps the library alive
  if (!handle_) {
    const char* error = dlerror();
    throw std::runtime_error(std::string("cannot load the native code: ") + (error ? error : "unknown error"));
  }
  // Parallel loops call back into the runtime's thread pool through this pointer.
  using ParallelForWork = int32_t (*)(int64_t, int64_t, ParallelBody, void*);
  if (auto* slot = reinterpret_cast<ParallelForWork*>(dlsym(handle_, "__rx_parallel_for_work"))) *slot = parallel_for_work;
  using ParallelFor = int32_t (*)(int64_t, ParallelBody, void*);  // libraries of older relaxc
  if (auto* slot = reinterpret_cast<ParallelFor*>(dlsym(handle_, "__rx_parallel_for"))) *slot = parallel_for;
  // Kernels check their arguments against tables through this pointer (kernel_abi.h).
  if (auto* slot = reinterpret_cast<RxCheckArgs*>(dlsym(handle_, RX_CHECK_ARGS_SYMBOL))) *slot = check_kernel_args;
  if (auto* hook = reinterpret_cast<RxPackedFailureHook*>(dlsym(handle_, RX_PACKED_FAILURE_HOOK_SYMBOL))) *hook = add_packed_call_context;
}

std::vector<RxPackedFunctionSlot*> NativeLibrary::packed_function_slots() const {
  std::vector<RxPackedFunctionSlot*> slots;
  auto* table = handle_ ? reinterpret_cast<RxPackedFunctionSlot*>(dlsym(handle_, RX_PACKED_FUNCTIONS_SYMBOL)) : nullptr;
  for (; table && table->name; ++table) slots.push_back(table);
  return slots;
}

NativeLibrary::~NativeLibrary() {
  if (handle_) dlclose(handle_);
}

RxFunction NativeLibrary::kernel(const std::string& prim_func) const {
  if (!handle_) return nullptr;
  return reinterpret_cast<RxFunction>(dlsym(handle_, (RX_KERNEL_SYMBOL_PREFIX + prim_func).c_str()));
}

}  // namespace relaxrt

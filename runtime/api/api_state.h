// What the handles of the C API (relaxrt/relaxrt.h) hold, and the one place where a C++
// exception becomes a status and the thread's last error: every entry point runs its body
// through `guarded`, so nothing thrown ever crosses into C.
#pragma once

#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "relaxrt/relaxrt.h"
#include "runtime/executable.h"
#include "runtime/function_registry.h"
#include "runtime/native_library.h"
#include "runtime/value.h"
#include "runtime/vm.h"

namespace relaxrt::api {

// A failure with the status it maps to.
class ApiError : public std::runtime_error {
 public:
  ApiError(RxrtStatus status, const std::string& message) : std::runtime_error(message), status_(status) {}
  RxrtStatus status() const { return status_; }

 private:
  RxrtStatus status_;
};

RxrtStatus fail(RxrtStatus status, const std::string& message);  // records the message
void clear_error();

// Runs `body`, mapping what it throws to a status; RXRT_OK when it returns.
template <class Body>
RxrtStatus guarded(Body&& body) noexcept {
  try {
    body();
    return RXRT_OK;
  } catch (const ApiError& e) {
    return fail(e.status(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(RXRT_ERROR_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(RXRT_ERROR_RUNTIME, e.what());
  } catch (...) {
    return fail(RXRT_ERROR_RUNTIME, "an unknown exception");
  }
}

// A parameter's declared shape, in the form RxrtParamInfo points into.
struct ParamView {
  std::vector<int64_t> shape;
  std::vector<const char*> dims;
  DLDataType dtype{0, 0, 0};
};

}  // namespace relaxrt::api

struct RxrtModule {
  std::string name;  // the path, or the name given with the bytes
  relaxrt::Executable exe;
  relaxrt::FunctionRegistry registry;
  std::unique_ptr<relaxrt::NativeLibrary> library;
  std::unique_ptr<relaxrt::VirtualMachine> vm;
  std::vector<std::vector<relaxrt::api::ParamView>> params;  // by function, by parameter
  // RXRT_ARG_CONSTANT arguments by their memory: the same tensor object each call (while its
  // layout is the same), so that the VM's cache of weight transforms, keyed by tensor, finds
  // them again.
  std::unordered_map<const void*, std::shared_ptr<relaxrt::Tensor>> constants;
  std::mutex calls;  // one call at a time: the VM's frames and buffers are reused
};

struct RxrtValue {
  relaxrt::Value value;
  std::vector<std::unique_ptr<RxrtValue>> fields;  // of a tuple
  bool is_field = false;  // owned by its tuple: relaxrt_value_free ignores it
};

struct RxrtArrays {
  std::vector<std::string> names;
  std::vector<std::shared_ptr<relaxrt::Tensor>> tensors;
};

// The register VM that runs the bytecode of a .rx. Construction resolves every function the
// executable calls — its own VM functions, compiled kernels, builtins, runtime functions — and
// reports all missing ones at once, before anything runs.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "relaxrt/kernel_abi.h"
#include "runtime/executable.h"
#include "runtime/function_registry.h"
#include "runtime/native_library.h"
#include "runtime/profiler.h"
#include "runtime/value.h"

namespace relaxrt {

class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The storage of a frame's planned tensors (relaxc's plan_memory): a block per token, grown to
// the largest tensor placed in it and kept for the next call at the same depth.
struct PlannedStorage {
  std::shared_ptr<void> block;
  size_t bytes = 0;
};

struct BuiltinCall {
  const Executable& exe;
  const VMFunction& fn;
  std::vector<Value>& registers;  // the caller's frame
  std::vector<Value>& args;
  // The tensor this call site allocated last time; alloc_tensor reuses it when nothing else
  // holds it any more and the shape repeats, so steady-state calls allocate nothing.
  std::shared_ptr<Tensor>& recycled;
  // The same for the shape heap or shape this call site made last time.
  std::shared_ptr<void>& reused;
  std::vector<PlannedStorage>& planned;  // the frame's
};
using Builtin = Value (*)(BuiltinCall& call);
// nullptr when `name` is not a builtin (builtins.cc).
Builtin find_builtin(const std::string& name);


// Sees the arguments of every call of a kernel, runtime function or builtin once it returns,
// the outputs it wrote among them (relaxrun --dump-intermediates, --compare-intermediates). It
// may throw to stop the run.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void returned(int64_t address, const std::vector<Value>& args) = 0;
};

class VirtualMachine {
 public:
  VirtualMachine(const Executable& exe, const NativeLibrary& library, const FunctionRegistry& registry);
  // Runs function `name`; throws RuntimeError (or ArgumentError for a bad argument).
  Value invoke(const std::string& name, const std::vector<Value>& args);
  // Every call the VM makes from now on is timed into `profiler` (nullptr: none, the default).
  void set_profiler(Profiler* profiler) { profiler_ = profiler; }
  void set_observer(CallObserver* observer) { observer_ = observer; }

 private:
  struct Callable {
    FunctionRef::Kind kind;
    std::string name;
    const VMFunction* vm = nullptr;
    RxFunction native = nullptr;
    Builtin builtin = nullptr;
  };
  // run(), or for a function that caches its results, the result of an earlier call with the
  // same frozen tensors.
  Value call_function(const VMFunction& fn, const std::vector<Value>& args, int depth);
  Value run(const VMFunction& fn, const std::vector<Value>& args, int depth);
  Value call_native(const Callable& callee, const std::vector<Value>& args);

  const Executable& exe_;
  std::vector<Callable> table_;
  std::vector<Value> constants_;
  std::vector<std::shared_ptr<Tensor>> recycled_;  // by instruction address
  std::vector<std::shared_ptr<void>> reused_;       // by instruction address
  // Register files and argument lists by call depth, kept between calls so that running a
  // function allocates nothing for them once warmed up.
  struct Frame {
    std::vector<Value> registers, call_args;
    std::vector<PlannedStorage> planned;
  };
  std::vector<Frame> frames_;
  // Results of cache_results functions, with the arguments that made them (held, so that their
  // addresses are not reused while they are keys).
  struct CachedResult {
    std::vector<std::shared_ptr<Tensor>> args;
    Value result;
  };
  std::map<const VMFunction*, std::vector<CachedResult>> cache_;
  Profiler* profiler_ = nullptr;
  CallObserver* observer_ = nullptr;
};

}  // namespace relaxrt

#include "runtime/vm.h"

#include "runtime/bytecode.h"

namespace relaxrt {

namespace {
constexpr int kMaxCallDepth = 256;
}  // namespace

VirtualMachine::VirtualMachine(const Executable& exe, const NativeLibrary& library, const FunctionRegistry& registry) : exe_(exe) {
  std::vector<std::string> missing;
  for (const FunctionRef& ref : exe.function_table) {
    Callable callable{ref.kind, ref.name};
    switch (ref.kind) {
      case FunctionRef::Kind::VM: callable.vm = exe.find_function(ref.name); break;
      case FunctionRef::Kind::Kernel:
        callable.native = library.kernel(ref.name);
        if (!callable.native) missing.push_back(ref.name + " (a compiled prim_func missing from the native code)");
        break;
      case FunctionRef::Kind::Builtin:
        callable.builtin = find_builtin(ref.name);
        if (!callable.builtin) missing.push_back(ref.name + " (a VM builtin this relaxrun does not have)");
        break;
      case FunctionRef::Kind::Runtime: {
        const FunctionRegistry::Entry* entry = registry.find(ref.name);
        if (!entry) missing.push_back(ref.name);
        else callable.native = entry->function;
        break;
      }
    }
    table_.push_back(std::move(callable));
  }
  for (RxPackedFunctionSlot* slot : library.packed_function_slots()) {
    const FunctionRegistry::Entry* entry = registry.find(slot->name);
    if (!entry) missing.push_back(std::string(slot->name) + " (called by T.call_packed in a prim_func)");
    else *slot->slot = entry->function;
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
    throw RuntimeError("the program needs functions that are not available: " + list +
                       " (register runtime functions with a plugin: relaxrun --lib libname.so)");
  }
  recycled_.resize(exe.bytecode.size());
  reused_.resize(exe.bytecode.size());
  for (const ConstantEntry& c : exe.constants) {
    Value v;
    switch (c.kind) {
      case ConstantEntry::Kind::Tensor: {
        ElementType type = *parse_element_type(c.dtype);
        // Constants are read-only views into the mapped file: kernels never write their inputs.
        void* data = const_cast<char*>(exe.constant_data.data() + c.data_offset);
        v = Value::of(Tensor::view(type, c.shape, data, exe.storage));
        v.tensor->frozen = true;
        break;
      }
      case ConstantEntry::Kind::Ints: v = Value::of_shape(c.ints); break;
      case ConstantEntry::Kind::String:
        v.kind = Value::Kind::String;
        v.str = std::make_shared<const std::string>(c.text);
        break;
    }
    constants_.push_back(std::move(v));
  }
}

Value VirtualMachine::invoke(const std::string& name, const std::vector<Value>& args) {
  const VMFunction* fn = exe_.find_function(name);
  if (!fn) throw RuntimeError("there is no function @" + name);
  return call_function(*fn, args, 0);
}

Value VirtualMachine::call_native(const Callable& callee, const std::vector<Value>& args) {
  constexpr size_t kOnStack = 16;
  RxValue values_on_stack[kOnStack];
  int32_t kinds_on_stack[kOnStack];
  std::vector<RxValue> values_on_heap;
  std::vector<int32_t> kinds_on_heap;
  RxValue* values = values_on_stack;
  int32_t* kinds = kinds_on_stack;
  if (args.size() > kOnStack) {
    values_on_heap.resize(args.size());
    kinds_on_heap.resize(args.size());
    values = values_on_heap.data();
    kinds = kinds_on_heap.data();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const Value& arg = args[i];
    switch (arg.kind) {
      case Value::Kind::Tensor: values[i].tensor = &arg.tensor->dl; kinds[i] = RX_ARG_TENSOR; break;
      case Value::Kind::Int: values[i].i64 = arg.i; kinds[i] = RX_ARG_INT; break;
      case Value::Kind::Float: values[i].f64 = arg.f; kinds[i] = RX_ARG_FLOAT; break;
      default: throw RuntimeError("in " + callee.name + ": argument " + std::to_string(i) + " is " + describe(arg) + ", which cannot be passed to a native function");
    }
  }
  RxError error{};
  if (callee.native(values, kinds, static_cast<int32_t>(args.size()), &error) != 0) {
    std::string message = error.message ? error.message : "failed without a message";
    if (error.has_values) message += ": expected " + std::to_string(error.expected) + " but got " + std::to_string(error.actual);
    // Compiled kernels name themselves in their messages; other functions may not.
    throw RuntimeError(callee.kind == FunctionRef::Kind::Kernel ? message : "in " + callee.name + ": " + message);
  }
  return Value();
}

Value VirtualMachine::call_function(const VMFunction& fn, const std::vector<Value>& args, int depth) {
  if (!fn.cache_results) return run(fn, args, depth);
  bool frozen = std::all_of(args.begin(), args.end(), [](const Value& v) { return v.kind == Value::Kind::Tensor && v.tensor->frozen; });
  if (!frozen) return run(fn, args, depth);
  std::vector<CachedResult>& cached = cache_[&fn];
  for (const CachedResult& c : cached) {
    bool same = c.args.size() == args.size();
    for (size_t i = 0; same && i < args.size(); ++i) same = c.args[i] == args[i].tensor;
    if (same) return c.result;
  }
  CachedResult entry;
  for (const Value& v : args) entry.args.push_back(v.tensor);
  entry.result = run(fn, args, depth);
  // The result is shared from now on, so nothing may write it: freeze it (its allocation site
  // no longer recycles it, as the cache holds it).
  if (entry.result.kind == Value::Kind::Tensor) entry.result.tensor->frozen = true;
  if (entry.result.kind == Value::Kind::Tuple) {
    for (const Value& field : *entry.result.tuple) {
      if (field.kind == Value::Kind::Tensor) field.tensor->frozen = true;
    }
  }
  cached.push_back(entry);
  return entry.result;
}

Value VirtualMachine::run(const VMFunction& fn, const std::vector<Value>& args, int depth) {
  if (depth > kMaxCallDepth) throw RuntimeError("calls nested more than " + std::to_string(kMaxCallDepth) + " deep in @" + fn.name);
  if (args.size() != fn.params.size()) {
    throw RuntimeError("@" + fn.name + " takes " + std::to_string(fn.params.size()) + " arguments but " + std::to_string(args.size()) + " were given");
  }
  if (frames_.size() <= static_cast<size_t>(depth)) frames_.resize(static_cast<size_t>(depth) + 1);
  // A reference into frames_ stays valid: deeper calls only grow frames_ before this one runs.
  std::vector<Value> registers = std::move(frames_[static_cast<size_t>(depth)].registers);
  std::vector<Value> call_args = std::move(frames_[static_cast<size_t>(depth)].call_args);
  std::vector<PlannedStorage> planned = std::move(frames_[static_cast<size_t>(depth)].planned);
  registers.resize(static_cast<size_t>(fn.num_registers));
  std::copy(args.begin(), args.end(), registers.begin());
  // Hands the storage back for the next call, with no value kept alive.
  struct Release {
    std::vector<Value>& registers;
    std::vector<Value>& call_args;
    std::vector<PlannedStorage>& planned;
    Frame& frame;
    ~Release() {
      for (Value& v : registers) v = Value();
      call_args.clear();
      frame.registers = std::move(registers);
      frame.call_args = std::move(call_args);
      frame.planned = std::move(planned);
    }
  };
  const int64_t* code = exe_.bytecode.data();
  int64_t pc = fn.code_begin;
  while (true) {
    const int64_t* w = code + pc;
    switch (static_cast<Opcode>(w[0])) {
      case Opcode::Call: {
        call_args.clear();
        for (int64_t a = 0; a < w[3]; ++a) {
          int64_t word = w[4 + a];
          int64_t v = arg_value(word);
          switch (arg_kind(word)) {
            case ArgKind::Register: call_args.push_back(registers[static_cast<size_t>(v)]); break;
            case ArgKind::Immediate: {
              Value imm;
              imm.kind = Value::Kind::Int;
              imm.i = v;
              call_args.push_back(std::move(imm));
              break;
            }
            case ArgKind::Constant: call_args.push_back(constants_[static_cast<size_t>(v)]); break;
            case ArgKind::Function: throw RuntimeError("function values are not supported");
          }
        }
        const Callable& callee = table_[static_cast<size_t>(w[2])];
        const int64_t start_ns = profiler_ ? profiler_->now_ns() : 0;
        Value result;
        switch (callee.kind) {
          case FunctionRef::Kind::VM: result = call_function(*callee.vm, call_args, depth + 1); break;
          case FunctionRef::Kind::Builtin: {
            BuiltinCall call{exe_, fn, registers, call_args, recycled_[static_cast<size_t>(pc)], reused_[static_cast<size_t>(pc)], planned};
            result = callee.builtin(call);
            break;
          }
          case FunctionRef::Kind::Kernel:
          case FunctionRef::Kind::Runtime: result = call_native(callee, call_args); break;
        }
        if (profiler_) profiler_->record(pc, w[2], call_args, start_ns, depth);
        if (observer_ && callee.kind != FunctionRef::Kind::VM) observer_->returned(pc, call_args);
        if (w[1] != kVoidRegister) registers[static_cast<size_t>(w[1])] = std::move(result);
        pc += 4 + w[3];
        break;
      }
      case Opcode::Ret: {
        Value result = std::move(registers[static_cast<size_t>(w[1])]);
        Release release{registers, call_args, planned, frames_[static_cast<size_t>(depth)]};
        return result;
      }
      case Opcode::Goto: pc += w[1]; break;
      case Opcode::If: {
        const Value& cond = registers[static_cast<size_t>(w[1])];
        if (cond.kind != Value::Kind::Int) throw RuntimeError("a condition in @" + fn.name + " is " + describe(cond) + ", not a boolean");
        pc += cond.i != 0 ? 3 : w[2];
        break;
      }
    }
  }
}

}  // namespace relaxrt

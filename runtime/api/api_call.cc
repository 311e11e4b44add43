// The C API's calls: DLTensor arguments checked and used in place, the function run under the
// module's lock, and the result handed over as a tree of RxrtValue. A result tensor the caller
// may not own outright — a constant of the .rx, a cached weight transform, or memory of an
// argument (a function that returns its input or a view of it) — is copied; any other is the
// VM's own allocation, passed on without a copy.
#include <algorithm>
#include <climits>
#include <cstring>

#include "runtime/api/api_state.h"
#include "runtime/bind_arguments.h"
#include "runtime/match_signature.h"  // ArgumentError
#include "runtime/runtime_function_support.h"
#include "runtime/source_note.h"

using relaxrt::api::ApiError;
using relaxrt::api::guarded;

namespace relaxrt::api {

namespace {

constexpr int32_t kMaxDims = 64;
constexpr int kMaxResultDepth = 1000;  // tuple nesting, which only a damaged module reaches

std::string argument_name(const VMFunction& fn, size_t index) {
  return "argument " + std::to_string(index) + " ('" + fn.params[index].name + "') of @" + fn.name;
}

std::string dtype_text(DLDataType t) {
  return "DLPack type code " + std::to_string(t.code) + " with " + std::to_string(t.bits) + " bits and " + std::to_string(t.lanes) + " lanes";
}

// The caller's tensor described as the runtime describes one, after checking that the runtime
// can read it as it is.
struct ArgumentLayout {
  ElementType type;
  const int64_t* shape;
  int32_t ndim;
  char* data;
};

ArgumentLayout check_argument(const VMFunction& fn, size_t index, const DLTensor& t) {
  auto bad = [&](const std::string& what) { return ApiError(RXRT_ERROR_ARGUMENT, argument_name(fn, index) + ": " + what); };
  if (t.device.device_type != kDLCPU) throw bad("the tensor is on DLPack device " + std::to_string(t.device.device_type) + "; relaxrt runs on the CPU (kDLCPU)");
  if (t.ndim < 0 || t.ndim > kMaxDims) throw bad("ndim is " + std::to_string(t.ndim) + "; expected 0 to " + std::to_string(kMaxDims));
  if (t.ndim > 0 && !t.shape) throw bad("shape is NULL for " + std::to_string(t.ndim) + " dimensions");
  std::optional<ElementType> type = t.dtype.lanes == 1 ? element_type_of(t.dtype) : std::nullopt;
  if (!type) throw bad("unsupported element type: " + dtype_text(t.dtype));
  int64_t count = 1;
  for (int32_t d = 0; d < t.ndim; ++d) {
    if (t.shape[d] < 0 || (t.shape[d] > 0 && count > INT64_MAX / t.shape[d])) {
      throw bad("shape " + shape_text(std::vector<int64_t>(t.shape, t.shape + t.ndim)) + " has a negative extent or more elements than int64 counts");
    }
    count *= t.shape[d];
  }
  if (!is_compact(t)) throw bad("strides are not those of a dense row-major tensor; copy it into one first");
  if (!t.data && count > 0) throw bad("data is NULL for " + std::to_string(count) + " elements");
  return {*type, t.shape, t.ndim, static_cast<char*>(t.data) + t.byte_offset};
}

bool same_layout(const Tensor& known, const ArgumentLayout& a) {
  return known.type.code == a.type.code && known.type.bits == a.type.bits && known.shape.size() == static_cast<size_t>(a.ndim) &&
         std::equal(known.shape.begin(), known.shape.end(), a.shape);
}

// A view of the caller's memory; for a constant argument the same tensor object as the last
// call's when the memory and its layout are the same.
Value argument_value(RxrtModule& module, const VMFunction& fn, size_t index, const DLTensor& t, uint32_t flags) {
  if (flags & ~RXRT_ARG_CONSTANT) throw ApiError(RXRT_ERROR_INVALID, argument_name(fn, index) + ": unknown flags " + std::to_string(flags));
  ArgumentLayout layout = check_argument(fn, index, t);
  std::shared_ptr<Tensor> tensor;
  if (flags & RXRT_ARG_CONSTANT) {
    std::shared_ptr<Tensor>& known = module.constants[layout.data];
    if (!known || !same_layout(*known, layout)) {
      known = Tensor::view(layout.type, std::vector<int64_t>(layout.shape, layout.shape + layout.ndim), layout.data, nullptr);
      known->frozen = true;
    }
    tensor = known;
  } else {
    tensor = Tensor::view(layout.type, std::vector<int64_t>(layout.shape, layout.shape + layout.ndim), layout.data, nullptr);
  }
  Value value = Value::of(std::move(tensor));
  // An R.Prim parameter takes its scalar from a 0-d tensor, as relaxrun's .npy inputs give it.
  return fn.params[index].type.kind == TypeSpec::Kind::Prim ? scalar_of_0d(value) : value;
}

bool overlaps_argument(const Tensor& t, const std::vector<Value>& args) {
  const char* begin = static_cast<const char*>(t.data);
  const char* end = begin + t.byte_size();
  for (const Value& a : args) {
    if (a.kind != Value::Kind::Tensor) continue;
    const char* a_begin = static_cast<const char*>(a.tensor->data);
    if (begin < a_begin + a.tensor->byte_size() && a_begin < end) return true;
  }
  return false;
}

std::unique_ptr<RxrtValue> result_value(const Value& value, const std::vector<Value>& args, int depth) {
  if (depth > kMaxResultDepth) throw ApiError(RXRT_ERROR_RUNTIME, "the result nests tuples more than " + std::to_string(kMaxResultDepth) + " deep");
  auto out = std::make_unique<RxrtValue>();
  out->value = value;
  if (value.kind == Value::Kind::Tensor && (value.tensor->frozen || overlaps_argument(*value.tensor, args))) {
    std::shared_ptr<Tensor> copy = Tensor::allocate(value.tensor->type, value.tensor->shape);
    if (copy->byte_size()) std::memcpy(copy->data, value.tensor->data, copy->byte_size());
    out->value = Value::of(copy);
  } else if (value.kind == Value::Kind::Tuple) {
    for (const Value& field : *value.tuple) {
      out->fields.push_back(result_value(field, args, depth + 1));
      out->fields.back()->is_field = true;
    }
  }
  return out;
}

// Runs the call with the module locked; argument and run-time failures as API errors.
Value invoke(RxrtModule& module, const VMFunction& fn, const std::vector<Value>& args) {
  std::lock_guard<std::mutex> one_call(module.calls);
  try {
    // The function's bytecode matches every parameter before anything else runs (relaxc's
    // lowering emits vm.builtin.match_shape for each), so no kernel sees an argument that does
    // not fit.
    return module.vm->invoke(fn.name, args);
  } catch (const ArgumentError& e) {
    std::string message = e.what();
    if (e.param() < fn.params.size()) {
      const ParamSpec& p = fn.params[e.param()];
      std::string note = source_note(module.exe.source_name, p.loc, "parameter '" + p.name + "' is declared here as " + p.type.text);
      if (!note.empty()) message += "\n" + note.substr(0, note.size() - 1);
    }
    throw ApiError(RXRT_ERROR_ARGUMENT, message);
  } catch (const RuntimeError& e) {
    throw ApiError(RXRT_ERROR_RUNTIME, "running @" + fn.name + ": " + e.what());
  }
}

}  // namespace
}  // namespace relaxrt::api

using namespace relaxrt;

extern "C" {

RxrtStatus relaxrt_call(RxrtModule* module, const char* function, const DLTensor* args, int32_t num_args, const uint32_t* flags, RxrtValue** result) {
  return guarded([&] {
    if (!module || !function || !result) throw ApiError(RXRT_ERROR_INVALID, "relaxrt_call: module, function and result must not be NULL");
    *result = nullptr;
    if (num_args < 0 || (num_args > 0 && !args)) throw ApiError(RXRT_ERROR_INVALID, "relaxrt_call: args is NULL or num_args negative");
    int32_t index = 0;
    if (relaxrt_find_function(module, function, &index) != RXRT_OK) throw ApiError(RXRT_ERROR_NOT_FOUND, relaxrt_last_error());
    const VMFunction& fn = module->exe.functions[static_cast<size_t>(index)];
    if (static_cast<size_t>(num_args) != fn.params.size()) {
      std::string names;
      for (const ParamSpec& p : fn.params) names += (names.empty() ? "" : ", ") + p.name;
      throw ApiError(RXRT_ERROR_ARGUMENT, "@" + fn.name + " takes " + std::to_string(fn.params.size()) + " arguments (" + names + ") but " +
                                              std::to_string(num_args) + (num_args == 1 ? " was" : " were") + " given");
    }
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(num_args));
    for (int32_t i = 0; i < num_args; ++i) values.push_back(api::argument_value(*module, fn, static_cast<size_t>(i), args[i], flags ? flags[i] : 0));
    Value returned = api::invoke(*module, fn, values);
    *result = api::result_value(returned, values, 0).release();
  });
}

RxrtValueKind relaxrt_value_kind(const RxrtValue* value) {
  if (!value) return RXRT_VALUE_NONE;
  switch (value->value.kind) {
    case Value::Kind::Tensor: return RXRT_VALUE_TENSOR;
    case Value::Kind::Tuple: return RXRT_VALUE_TUPLE;
    case Value::Kind::Shape: return RXRT_VALUE_SHAPE;
    case Value::Kind::Int: return RXRT_VALUE_INT;
    case Value::Kind::Float: return RXRT_VALUE_FLOAT;
    case Value::Kind::String: return RXRT_VALUE_STRING;
    default: return RXRT_VALUE_NONE;
  }
}

const DLTensor* relaxrt_value_tensor(const RxrtValue* value) {
  return relaxrt_value_kind(value) == RXRT_VALUE_TENSOR ? &value->value.tensor->dl : nullptr;
}

int32_t relaxrt_value_tuple_size(const RxrtValue* value) {
  return relaxrt_value_kind(value) == RXRT_VALUE_TUPLE ? static_cast<int32_t>(value->fields.size()) : 0;
}

const RxrtValue* relaxrt_value_field(const RxrtValue* value, int32_t index) {
  if (relaxrt_value_kind(value) != RXRT_VALUE_TUPLE || index < 0 || static_cast<size_t>(index) >= value->fields.size()) return nullptr;
  return value->fields[static_cast<size_t>(index)].get();
}

const int64_t* relaxrt_value_shape(const RxrtValue* value, int32_t* ndim) {
  bool shape = relaxrt_value_kind(value) == RXRT_VALUE_SHAPE;
  if (ndim) *ndim = shape ? static_cast<int32_t>(value->value.shape->size()) : 0;
  return shape ? value->value.shape->data() : nullptr;
}

int64_t relaxrt_value_int(const RxrtValue* value) { return relaxrt_value_kind(value) == RXRT_VALUE_INT ? value->value.i : 0; }

double relaxrt_value_float(const RxrtValue* value) { return relaxrt_value_kind(value) == RXRT_VALUE_FLOAT ? value->value.f : 0.0; }

const char* relaxrt_value_string(const RxrtValue* value) {
  return relaxrt_value_kind(value) == RXRT_VALUE_STRING ? value->value.str->c_str() : nullptr;
}

DLManagedTensor* relaxrt_value_take_tensor(const RxrtValue* value) {
  if (relaxrt_value_kind(value) != RXRT_VALUE_TENSOR) return nullptr;
  try {
    auto owner = std::make_unique<std::shared_ptr<Tensor>>(value->value.tensor);
    auto managed = std::make_unique<DLManagedTensor>();
    managed->dl_tensor = (*owner)->dl;  // its shape points into the tensor the owner keeps
    managed->manager_ctx = owner.release();
    managed->deleter = [](DLManagedTensor* self) {
      delete static_cast<std::shared_ptr<Tensor>*>(self->manager_ctx);
      delete self;
    };
    return managed.release();
  } catch (const std::bad_alloc&) {
    api::fail(RXRT_ERROR_MEMORY, "out of memory");
    return nullptr;
  }
}

void relaxrt_value_free(RxrtValue* value) {
  if (value && !value->is_field) delete value;
}

void relaxrt_tensor_free(DLManagedTensor* tensor) {
  if (tensor && tensor->deleter) tensor->deleter(tensor);
}

}  // extern "C"

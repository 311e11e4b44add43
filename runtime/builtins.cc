// The VM's builtins (vm.builtin.*): shape heap and shape matching, shapes computed from
// symbolic variables, tensor allocation, tuples. Each checks the kinds of its arguments, since
// a hand-made .rx could pass anything.
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "runtime/match_signature.h"
#include "runtime/vm.h"

namespace relaxrt {

namespace {

constexpr int64_t kMaxPlannedTokens = 1 << 16;

const Value& arg(BuiltinCall& call, size_t i, Value::Kind kind, const char* builtin) {
  if (i >= call.args.size() || call.args[i].kind != kind) {
    throw RuntimeError(std::string(builtin) + ": argument " + std::to_string(i) + " must be " + kind_name(kind));
  }
  return call.args[i];
}

// The object this call site made last time, when only the site still holds it.
template <typename T>
std::shared_ptr<T> reusable(BuiltinCall& call) {
  std::shared_ptr<T> last = std::static_pointer_cast<T>(call.reused);
  return last && last.use_count() == 2 ? last : nullptr;  // the site's copy and this one
}

Value alloc_shape_heap(BuiltinCall& call) {
  Value v;
  v.kind = Value::Kind::Heap;
  v.heap = reusable<ShapeHeap>(call);
  if (v.heap && v.heap->values.size() == static_cast<size_t>(call.fn.heap_size)) {
    std::fill(v.heap->bound.begin(), v.heap->bound.end(), false);
  } else {
    v.heap = std::make_shared<ShapeHeap>(make_heap(call.fn));
    call.reused = v.heap;
  }
  return v;
}

// Whether `type` (or a field of it) has a dimension written as an expression.
bool has_expression_dims(const TypeSpec& type) {
  for (const DimSpec& d : type.dims) {
    if (d.kind == DimSpec::Kind::Expr) return true;
  }
  return std::any_of(type.fields.begin(), type.fields.end(), [](const TypeSpec& field) { return has_expression_dims(field); });
}

// Whether some parameter has such a dimension (checked once every variable is bound, after the
// last parameter).
bool has_expression_dims(const VMFunction& fn) {
  return std::any_of(fn.params.begin(), fn.params.end(), [](const ParamSpec& p) { return has_expression_dims(p.type); });
}

// match_shape(value, heap, parameter index): binds and checks the parameter's declared type;
// after the last parameter, also the dimensions given by expressions.
Value match_shape(BuiltinCall& call) {
  const Value& heap = arg(call, 1, Value::Kind::Heap, "vm.builtin.match_shape");
  int64_t index = arg(call, 2, Value::Kind::Int, "vm.builtin.match_shape").i;
  if (index < 0 || static_cast<size_t>(index) >= call.fn.params.size()) throw RuntimeError("vm.builtin.match_shape: bad parameter index");
  match_parameter(call.fn, static_cast<size_t>(index), call.args[0], *heap.heap);
  if (static_cast<size_t>(index) + 1 == call.fn.params.size() && has_expression_dims(call.fn)) {
    std::vector<Value> params(call.registers.begin(), call.registers.begin() + static_cast<std::ptrdiff_t>(call.fn.params.size()));
    std::vector<size_t> order;
    for (size_t i = 0; i < params.size(); ++i) order.push_back(i);
    match_arguments(call.fn, params, order, *heap.heap);
  }
  return Value();
}

// match_cast(value, heap, cast index): the value itself, once it fits the cast's type.
Value match_cast_builtin(BuiltinCall& call) {
  const Value& heap = arg(call, 1, Value::Kind::Heap, "vm.builtin.match_cast");
  int64_t index = arg(call, 2, Value::Kind::Int, "vm.builtin.match_cast").i;
  if (index < 0 || static_cast<size_t>(index) >= call.fn.casts.size()) throw RuntimeError("vm.builtin.match_cast: bad cast index");
  try {
    match_cast(call.fn, call.fn.casts[static_cast<size_t>(index)], call.args[0], *heap.heap);
  } catch (const ArgumentError& e) {
    throw RuntimeError(e.what());
  }
  return call.args[0];
}

// make_shape(heap, program): program = [ndim, (length, words...) per dimension].
Value make_shape(BuiltinCall& call) {
  const Value& heap = arg(call, 0, Value::Kind::Heap, "vm.builtin.make_shape");
  const std::vector<int64_t>& program = *arg(call, 1, Value::Kind::Shape, "vm.builtin.make_shape").shape;
  std::vector<int64_t> dims;
  size_t pos = 1;
  int64_t ndim = program.empty() ? -1 : program[0];
  if (ndim > 0 && static_cast<size_t>(ndim) < program.size()) dims.reserve(static_cast<size_t>(ndim));
  for (int64_t d = 0; d < ndim; ++d) {
    if (pos >= program.size() || program[pos] < 0 || static_cast<uint64_t>(program[pos]) > program.size() - pos - 1) {
      throw RuntimeError("vm.builtin.make_shape: malformed shape program");
    }
    const int64_t* begin = program.data() + pos + 1;
    const int64_t* end = begin + program[pos];
    int64_t extent = eval_shape_program(begin, end, *heap.heap);
    if (extent < 0) throw RuntimeError("in @" + call.fn.name + ": a computed output dimension is negative (" + std::to_string(extent) + ")");
    dims.push_back(extent);
    pos += 1 + static_cast<size_t>(program[pos]);
  }
  if (ndim < 0 || pos != program.size()) throw RuntimeError("vm.builtin.make_shape: malformed shape program");
  Value v;
  v.kind = Value::Kind::Shape;
  std::shared_ptr<const std::vector<int64_t>> last = reusable<const std::vector<int64_t>>(call);
  if (last && *last == dims) {
    v.shape = last;
  } else {
    v.shape = std::make_shared<const std::vector<int64_t>>(std::move(dims));
    call.reused = std::const_pointer_cast<std::vector<int64_t>>(v.shape);
  }
  return v;
}

// shape_value(heap, program of one dimension): an integer computed from the shape heap.
Value shape_value(BuiltinCall& call) {
  Value shape = make_shape(call);
  if (shape.shape->size() != 1) throw RuntimeError("vm.builtin.shape_value: malformed program");
  Value v;
  v.kind = Value::Kind::Int;
  v.i = (*shape.shape)[0];
  return v;
}

// The tensor an allocation site made last call, when nobody else holds it and it has this
// shape and dtype.
bool can_reuse(const std::shared_ptr<Tensor>& last, const std::vector<int64_t>& shape, const std::string& dtype) {
  return last && last.use_count() == 1 && last->shape == shape && dtype == last->type.name;
}

ElementType allocation_type(const std::string& dtype, const char* builtin) {
  std::optional<ElementType> type = parse_element_type(dtype);
  if (!type) throw RuntimeError(std::string(builtin) + ": unknown dtype '" + dtype + "'");
  return *type;
}

[[noreturn]] void out_of_memory(const BuiltinCall& call, const std::string& dtype, const std::vector<int64_t>& shape) {
  throw RuntimeError("in @" + call.fn.name + ": out of memory allocating a " + dtype + " tensor of shape " + shape_text(shape));
}

Value alloc_tensor(BuiltinCall& call) {
  const std::vector<int64_t>& shape = *arg(call, 0, Value::Kind::Shape, "vm.builtin.alloc_tensor").shape;
  const std::string& dtype = *arg(call, 1, Value::Kind::String, "vm.builtin.alloc_tensor").str;
  std::shared_ptr<Tensor>& last = call.recycled;
  if (can_reuse(last, shape, dtype)) return Value::of(last);
  ElementType type = allocation_type(dtype, "vm.builtin.alloc_tensor");
  try {
    last = Tensor::allocate(type, shape);
    return Value::of(last);
  } catch (const std::bad_alloc&) {
    out_of_memory(call, dtype, shape);
  }
}

// alloc_planned(shape, dtype, token): a tensor in the storage of the frame's token `token`.
// The compiler gives a token only to tensors that die before the next tensor placed in it is
// made and never leave the function, so the storage is free whenever this runs. Steady-state
// calls get back the same tensor object.
Value alloc_planned(BuiltinCall& call) {
  const std::vector<int64_t>& shape = *arg(call, 0, Value::Kind::Shape, "vm.builtin.alloc_planned").shape;
  const std::string& dtype = *arg(call, 1, Value::Kind::String, "vm.builtin.alloc_planned").str;
  int64_t token = arg(call, 2, Value::Kind::Int, "vm.builtin.alloc_planned").i;
  // The tensor this site made last call, when nobody holds it and it still fits its token.
  std::shared_ptr<Tensor>& last = call.recycled;
  if (can_reuse(last, shape, dtype) && token >= 0 && static_cast<size_t>(token) < call.planned.size() &&
      last->data == call.planned[static_cast<size_t>(token)].block.get()) {
    return Value::of(last);
  }
  ElementType type = allocation_type(dtype, "vm.builtin.alloc_planned");
  if (token < 0 || token >= kMaxPlannedTokens) throw RuntimeError("vm.builtin.alloc_planned: storage token " + std::to_string(token) + " out of range");
  std::optional<int64_t> count = element_count(shape);
  if (!count || *count > INT64_MAX / 8) throw RuntimeError("in @" + call.fn.name + ": a tensor of shape " + shape_text(shape) + " is too large");
  size_t bytes = static_cast<size_t>(*count) * static_cast<size_t>(type.bytes);
  if (call.planned.size() <= static_cast<size_t>(token)) call.planned.resize(static_cast<size_t>(token) + 1);
  PlannedStorage& storage = call.planned[static_cast<size_t>(token)];
  if (!storage.block || storage.bytes < bytes) {
    size_t rounded = (std::max<size_t>(bytes, 64) + 63) / 64 * 64;
    void* memory = std::aligned_alloc(64, rounded);
    if (!memory) out_of_memory(call, dtype, shape);
    storage.block = std::shared_ptr<void>(memory, std::free);
    storage.bytes = rounded;
  }
  last = Tensor::view(type, shape, storage.block.get(), storage.block);
  return Value::of(last);
}

// reshape(tensor, shape): the same elements under a new shape, sharing the tensor's storage.
// The view holds the tensor itself, so an allocation site does not recycle storage a view
// still reads.
Value reshape(BuiltinCall& call) {
  const Value& source = arg(call, 0, Value::Kind::Tensor, "vm.builtin.reshape");
  const std::vector<int64_t>& shape = *arg(call, 1, Value::Kind::Shape, "vm.builtin.reshape").shape;
  const std::shared_ptr<Tensor>& tensor = source.tensor;
  std::optional<int64_t> count = element_count(shape);
  if (!count || *count != tensor->element_count()) {
    throw RuntimeError("in @" + call.fn.name + ": cannot reshape a tensor of shape " + shape_text(tensor->shape) + " (" +
                       std::to_string(tensor->element_count()) + " elements) to shape " + shape_text(shape));
  }
  // Not cached at the call site: a cached view would keep the source alive between calls and
  // stop its own allocation site from recycling it.
  std::shared_ptr<Tensor> view = Tensor::view(tensor->type, shape, tensor->data, tensor);
  view->frozen = tensor->frozen;
  return Value::of(std::move(view));
}

Value make_tuple(BuiltinCall& call) { return Value::of_tuple(call.args); }

// The values of a 1-d integer tensor as a shape; a negative value is no dimension.
Value tensor_to_shape(BuiltinCall& call) {
  const Tensor& t = *arg(call, 0, Value::Kind::Tensor, "vm.builtin.tensor_to_shape").tensor;
  if (t.shape.size() != 1 || t.type.code != kDLInt || (t.type.bytes != 8 && t.type.bytes != 4)) {
    throw RuntimeError("in @" + call.fn.name + ": R.tensor_to_shape takes a 1-d int64 or int32 tensor, not a " + t.type.name +
                       " tensor of shape " + shape_text(t.shape));
  }
  std::vector<int64_t> dims(static_cast<size_t>(t.shape[0]));
  for (size_t i = 0; i < dims.size(); ++i) {
    if (t.type.bytes == 8) dims[i] = static_cast<const int64_t*>(t.data)[i];
    else dims[i] = static_cast<const int32_t*>(t.data)[i];
    if (dims[i] < 0) {
      throw RuntimeError("in @" + call.fn.name + ": R.tensor_to_shape: value " + std::to_string(i) + " is " + std::to_string(dims[i]) +
                         ", not a dimension");
    }
  }
  return Value::of_shape(std::move(dims));
}

Value shape_of(BuiltinCall& call) {
  return Value::of_shape(arg(call, 0, Value::Kind::Tensor, "vm.builtin.shape_of").tensor->shape);
}

// A constant (or any value) into a register.
Value copy(BuiltinCall& call) {
  if (call.args.size() != 1) throw RuntimeError("vm.builtin.copy takes one argument");
  return call.args[0];
}

Value tuple_getitem(BuiltinCall& call) {
  const Value& tuple = arg(call, 0, Value::Kind::Tuple, "vm.builtin.tuple_getitem");
  int64_t index = arg(call, 1, Value::Kind::Int, "vm.builtin.tuple_getitem").i;
  if (index < 0 || static_cast<size_t>(index) >= tuple.tuple->size()) {
    throw RuntimeError("in @" + call.fn.name + ": tuple index " + std::to_string(index) + " out of range for a tuple of " +
                       std::to_string(tuple.tuple->size()));
  }
  return (*tuple.tuple)[static_cast<size_t>(index)];
}

// relaxc.frozen_variant's guard: (min_rows, rows_of, weights...) -> 1 when every weight is a
// frozen tensor, or when min_rows > 0 and rows_of is a tensor of at least min_rows rows; else
// 0. Anything unexpected goes the way that checks it (the function's own body).
Value use_frozen_variant(BuiltinCall& call) {
  Value v;
  v.kind = Value::Kind::Int;
  if (call.args.size() < 2 || call.args[0].kind != Value::Kind::Int) return v;
  auto weights = call.args.begin() + 2;
  bool frozen = std::all_of(weights, call.args.end(), [](const Value& w) { return w.kind == Value::Kind::Tensor && w.tensor->frozen; });
  const Value& rows_of = call.args[1];
  bool many_rows = call.args[0].i > 0 && rows_of.kind == Value::Kind::Tensor && !rows_of.tensor->shape.empty() && rows_of.tensor->shape[0] >= call.args[0].i;
  v.i = frozen || many_rows ? 1 : 0;
  return v;
}

struct NamedBuiltin {
  const char* name;
  Builtin fn;
};
constexpr NamedBuiltin kBuiltins[] = {
    {"vm.builtin.alloc_shape_heap", alloc_shape_heap}, {"vm.builtin.match_shape", match_shape},
    {"vm.builtin.make_shape", make_shape},             {"vm.builtin.alloc_tensor", alloc_tensor},
    {"vm.builtin.make_tuple", make_tuple},             {"vm.builtin.tuple_getitem", tuple_getitem},
    {"vm.builtin.copy", copy},                         {"vm.builtin.match_cast", match_cast_builtin},
    {"vm.builtin.shape_value", shape_value},           {"vm.builtin.reshape", reshape},
    {"vm.builtin.alloc_planned", alloc_planned},       {"vm.builtin.shape_of", shape_of},
    {"vm.builtin.tensor_to_shape", tensor_to_shape}, {"vm.builtin.use_frozen_variant", use_frozen_variant},
};

}  // namespace

Builtin find_builtin(const std::string& name) {
  for (const NamedBuiltin& b : kBuiltins) {
    if (name == b.name) return b.fn;
  }
  return nullptr;
}

}  // namespace relaxrt

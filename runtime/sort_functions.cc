// tvm.contrib.sort.sort and tvm.contrib.sort.argsort, the runtime functions TVM's legalized
// sort operators call with T.call_packed(name, input, output, axis, is_ascend). Both sort along
// one axis with a stable sort (equal elements keep their order, as TVM's std::stable_sort and
// numpy's kind="stable"); NaN is above every number, so ascending puts it last, as numpy does,
// and descending first, the order relaxc's own sort kernels give.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "runtime/function_registry.h"
#include "runtime/runtime_function_support.h"
#include "runtime/value.h"

namespace relaxrt {

namespace {

// The arguments both functions take, checked.
struct SortCall {
  const DLTensor* input = nullptr;
  DLTensor* output = nullptr;
  int axis = 0;
  bool ascending = true;
  int64_t before = 1, extent = 1, after = 1;  // elements before, along and after the axis
};

int32_t read_sort_call(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error, SortCall* call) {
  if (n != 4) return fail_with(error, "expects 4 arguments (input, output, axis, is_ascend) but got " + std::to_string(n));
  for (int i = 0; i < 2; ++i) {
    const char* name = i == 0 ? "argument 0 'input'" : "argument 1 'output'";
    if (kinds[i] != RX_ARG_TENSOR || !args[i].tensor) return fail_with(error, std::string(name) + " must be a tensor");
    if (!is_compact(*args[i].tensor)) return fail_with(error, std::string(name) + " must be a compact row-major tensor");
  }
  if (kinds[2] != RX_ARG_INT || kinds[3] != RX_ARG_INT) return fail_with(error, "arguments 2 'axis' and 3 'is_ascend' must be integers");
  call->input = args[0].tensor;
  call->output = args[1].tensor;
  const DLTensor& in = *call->input;
  std::vector<int64_t> in_shape(in.shape, in.shape + in.ndim), out_shape(call->output->shape, call->output->shape + call->output->ndim);
  if (in_shape != out_shape) return fail_with(error, "argument 1 'output' has shape " + shape_text(out_shape) + " but argument 0 'input' has " + shape_text(in_shape));
  int64_t axis = args[2].i64 < 0 ? args[2].i64 + in.ndim : args[2].i64;
  if (axis < 0 || axis >= in.ndim) return fail_with(error, "axis " + std::to_string(args[2].i64) + " is out of range for a " + std::to_string(in.ndim) + "-d input");
  call->axis = static_cast<int>(axis);
  call->ascending = args[3].i64 != 0;
  for (int d = 0; d < in.ndim; ++d) {
    if (d < axis) call->before *= in.shape[d];
    if (d == axis) call->extent = in.shape[d];
    if (d > axis) call->after *= in.shape[d];
  }
  return 0;
}

template <typename T>
const T* elements(const DLTensor& t) {
  return reinterpret_cast<const T*>(static_cast<const char*>(t.data) + t.byte_offset);
}

// Whether a comes strictly before b: NaN above every number, equal values unordered.
template <typename T>
bool before_in_order(T a, T b, bool ascending) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return ascending ? !std::isnan(a) : !std::isnan(b);
  }
  return ascending ? a < b : b < a;
}

// Calls `emit(position, source index)` for each sorted line of the input.
template <typename T, typename Emit>
void sort_lines(const SortCall& call, Emit emit) {
  const T* data = elements<T>(*call.input);
  std::vector<int64_t> order(static_cast<size_t>(call.extent));
  for (int64_t i = 0; i < call.before; ++i) {
    for (int64_t j = 0; j < call.after; ++j) {
      int64_t base = i * call.extent * call.after + j;
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return before_in_order(data[base + a * call.after], data[base + b * call.after], call.ascending);
      });
      for (int64_t k = 0; k < call.extent; ++k) emit(base + k * call.after, base, order[static_cast<size_t>(k)]);
    }
  }
}

template <typename T, typename Out>
void write_indices(const SortCall& call) {
  Out* out = reinterpret_cast<Out*>(static_cast<char*>(call.output->data) + call.output->byte_offset);
  sort_lines<T>(call, [&](int64_t at, int64_t, int64_t index) { out[at] = static_cast<Out>(index); });
}

template <typename T>
void write_values(const SortCall& call) {
  const T* data = elements<T>(*call.input);
  T* out = reinterpret_cast<T*>(static_cast<char*>(call.output->data) + call.output->byte_offset);
  // Sorted into a copy first: the output may be the input.
  std::vector<T> sorted(static_cast<size_t>(element_count(std::vector<int64_t>(call.input->shape, call.input->shape + call.input->ndim)).value_or(0)));
  sort_lines<T>(call, [&](int64_t at, int64_t base, int64_t index) { sorted[static_cast<size_t>(at)] = data[base + index * call.after]; });
  if (!sorted.empty()) std::memcpy(out, sorted.data(), sorted.size() * sizeof(T));
}

int dtype_key(const DLDataType& t) { return t.code * 256 + t.bits; }

// Calls f.template operator()<T>() for the element type of `t`; false when it is not sortable.
template <typename F>
bool with_element_type(const DLDataType& t, F&& f) {
  switch (dtype_key(t)) {
    case kDLFloat * 256 + 32: f(float{}); return true;
    case kDLFloat * 256 + 64: f(double{}); return true;
    case kDLInt * 256 + 8: f(int8_t{}); return true;
    case kDLInt * 256 + 16: f(int16_t{}); return true;
    case kDLInt * 256 + 32: f(int32_t{}); return true;
    case kDLInt * 256 + 64: f(int64_t{}); return true;
    case kDLUInt * 256 + 8: f(uint8_t{}); return true;
    default: return false;
  }
}

std::string dtype_text(const DLDataType& t) {
  std::optional<ElementType> type = element_type_of(t);
  return type ? type->name : "an unknown dtype";
}

int32_t contrib_sort(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  SortCall call;
  if (int32_t status = read_sort_call(args, kinds, n, error, &call)) return status;
  if (dtype_key(call.input->dtype) != dtype_key(call.output->dtype)) {
    return fail_with(error, "argument 1 'output' holds " + dtype_text(call.output->dtype) + " but argument 0 'input' holds " + dtype_text(call.input->dtype));
  }
  bool known = with_element_type(call.input->dtype, [&](auto sample) { write_values<decltype(sample)>(call); });
  return known ? 0 : fail_with(error, "cannot sort " + dtype_text(call.input->dtype) + " elements");
}

int32_t contrib_argsort(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  SortCall call;
  if (int32_t status = read_sort_call(args, kinds, n, error, &call)) return status;
  int out = dtype_key(call.output->dtype);
  bool output_ok = out == kDLInt * 256 + 32 || out == kDLInt * 256 + 64 || out == kDLFloat * 256 + 32 || out == kDLFloat * 256 + 64;
  if (!output_ok) return fail_with(error, "argument 1 'output' holds " + dtype_text(call.output->dtype) + "; indices are written as int32, int64, float32 or float64");
  bool known = with_element_type(call.input->dtype, [&](auto sample) {
    using T = decltype(sample);
    if (out == kDLInt * 256 + 32) write_indices<T, int32_t>(call);
    if (out == kDLInt * 256 + 64) write_indices<T, int64_t>(call);
    if (out == kDLFloat * 256 + 32) write_indices<T, float>(call);
    if (out == kDLFloat * 256 + 64) write_indices<T, double>(call);
  });
  return known ? 0 : fail_with(error, "cannot sort " + dtype_text(call.input->dtype) + " elements");
}

}  // namespace

void register_sort_functions(FunctionRegistry& registry) {
  registry.add("tvm.contrib.sort.sort", contrib_sort, "built-in", false);
  registry.add("tvm.contrib.sort.argsort", contrib_argsort, "built-in", false);
}

}  // namespace relaxrt

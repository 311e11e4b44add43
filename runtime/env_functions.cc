// The runtime's own "existing library" functions, as the chapter's torch-backed env.linear and
// env.relu: destination-passing, float32, over OpenBLAS's cblas_sgemm. Each checks kinds,
// dtypes, ranks, shapes and layout, and names the argument that is wrong. OpenBLAS is loaded
// the first time env.linear runs, so programs that do not use it start without its set-up.
#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/dtype.h"
#include "runtime/format_array.h"
#include "runtime/function_registry.h"
#include "runtime/runtime_function_support.h"
#include "runtime/value.h"

namespace relaxrt {

namespace {

std::vector<int64_t> shape_of(const DLTensor& t) { return std::vector<int64_t>(t.shape, t.shape + t.ndim); }

// Checks argument `i` is a compact float32 tensor; on failure writes the message and returns null.
const DLTensor* float_tensor(const RxValue* args, const int32_t* kinds, int32_t i, const char* name, RxError* error, int32_t* status) {
  std::string who = "argument " + std::to_string(i) + " '" + name + "'";
  if (kinds[i] != RX_ARG_TENSOR || !args[i].tensor) {
    *status = fail_with(error, who + " must be a tensor");
    return nullptr;
  }
  const DLTensor& t = *args[i].tensor;
  if (t.dtype.code != kDLFloat || t.dtype.bits != 32 || t.dtype.lanes != 1) {
    std::optional<ElementType> type = element_type_of(t.dtype);
    *status = fail_with(error, who + " must be a float32 tensor, not " + (type ? type->name : "an unknown dtype"));
    return nullptr;
  }
  if (!is_compact(t)) {
    *status = fail_with(error, who + " must be a compact row-major tensor");
    return nullptr;
  }
  return &t;
}

using SgemmFunction = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, float, const float*, blasint,
                               const float*, blasint, float, float*, blasint);

SgemmFunction openblas_sgemm() {
  static SgemmFunction function = [] {
    for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
      if (void* library = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return reinterpret_cast<SgemmFunction>(dlsym(library, "cblas_sgemm"));
    }
    return SgemmFunction{nullptr};
  }();
  return function;
}

float* data_of(const DLTensor& t) { return reinterpret_cast<float*>(static_cast<char*>(t.data) + t.byte_offset); }

// out = x @ w.T + b, for x of shape (..., K), w (N, K), b (N,), out (..., N).
int32_t env_linear(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  if (n != 4) return fail_with(error, "expects 4 arguments (x, w, b, out) but got " + std::to_string(n));
  int32_t status = 0;
  const DLTensor* x = float_tensor(args, kinds, 0, "x", error, &status);
  const DLTensor* w = x ? float_tensor(args, kinds, 1, "w", error, &status) : nullptr;
  const DLTensor* b = w ? float_tensor(args, kinds, 2, "b", error, &status) : nullptr;
  const DLTensor* out = b ? float_tensor(args, kinds, 3, "out", error, &status) : nullptr;
  if (!out) return status;
  if (x->ndim < 1) return fail_with(error, "argument 0 'x' must have at least one dimension");
  if (w->ndim != 2) return fail_with(error, "argument 1 'w' must be a matrix (N, K) but has shape " + shape_text(shape_of(*w)));
  int64_t k = x->shape[x->ndim - 1], units = w->shape[0];
  if (w->shape[1] != k) {
    return fail_with(error, "argument 1 'w' has shape " + shape_text(shape_of(*w)) + " but argument 0 'x' has " + std::to_string(k) +
                           " features (shape " + shape_text(shape_of(*x)) + "); expected w of shape (N, " + std::to_string(k) + ")");
  }
  if (b->ndim != 1 || b->shape[0] != units) {
    return fail_with(error, "argument 2 'b' has shape " + shape_text(shape_of(*b)) + " but expected (" + std::to_string(units) + ",) to match w");
  }
  std::vector<int64_t> want = shape_of(*x);
  want.back() = units;
  if (shape_of(*out) != want) {
    return fail_with(error, "argument 3 'out' has shape " + shape_text(shape_of(*out)) + " but expected " + shape_text(want));
  }
  int64_t rows = 1;
  for (int d = 0; d + 1 < x->ndim; ++d) rows *= x->shape[d];
  float* z = data_of(*out);
  const float* bias = data_of(*b);
  for (int64_t r = 0; r < rows; ++r) std::memcpy(z + r * units, bias, static_cast<size_t>(units) * sizeof(float));
  if (rows == 0 || units == 0 || k == 0) return 0;
  SgemmFunction cblas_sgemm = openblas_sgemm();
  if (!cblas_sgemm) return fail_with(error, "needs OpenBLAS, but libopenblas.so.0 cannot be loaded (install libopenblas0)");
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(rows), static_cast<blasint>(units), static_cast<blasint>(k), 1.0f,
              data_of(*x), static_cast<blasint>(k), data_of(*w), static_cast<blasint>(k), 1.0f, z, static_cast<blasint>(units));
  return 0;
}

// out = the scalar, converted to out's dtype, for a 0-d out: how LegalizeOps passes a scalar
// that is known only at run time (an R.Prim parameter) to an elementwise kernel.
int32_t env_fill_scalar(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  if (n != 2) return fail_with(error, "expects 2 arguments (value, out) but got " + std::to_string(n));
  if (kinds[0] != RX_ARG_INT && kinds[0] != RX_ARG_FLOAT) return fail_with(error, "argument 0 'value' must be a scalar");
  if (kinds[1] != RX_ARG_TENSOR || args[1].tensor == nullptr || args[1].tensor->ndim != 0) return fail_with(error, "argument 1 'out' must be a 0-d tensor");
  DLTensor& out = *args[1].tensor;
  bool is_float_value = kinds[0] == RX_ARG_FLOAT;
  double f = is_float_value ? args[0].f64 : static_cast<double>(args[0].i64);
  int64_t i = is_float_value ? static_cast<int64_t>(args[0].f64) : args[0].i64;
  char* data = static_cast<char*>(out.data) + out.byte_offset;
  auto store = [&](auto value) { std::memcpy(data, &value, sizeof value); };
  switch (out.dtype.code * 256 + out.dtype.bits) {
    case kDLFloat * 256 + 32: store(static_cast<float>(f)); break;
    case kDLFloat * 256 + 64: store(f); break;
    case kDLInt * 256 + 8: store(static_cast<int8_t>(i)); break;
    case kDLInt * 256 + 16: store(static_cast<int16_t>(i)); break;
    case kDLInt * 256 + 32: store(static_cast<int32_t>(i)); break;
    case kDLInt * 256 + 64: store(i); break;
    case kDLUInt * 256 + 8: store(static_cast<uint8_t>(i)); break;
    case kDLUInt * 256 + 1: store(static_cast<uint8_t>(i != 0)); break;
    default: return fail_with(error, "argument 1 'out' has a dtype env.fill_scalar does not write");
  }
  return 0;
}

// out = max(x, 0), elementwise, for any shape.
int32_t env_relu(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  if (n != 2) return fail_with(error, "expects 2 arguments (x, out) but got " + std::to_string(n));
  int32_t status = 0;
  const DLTensor* x = float_tensor(args, kinds, 0, "x", error, &status);
  const DLTensor* out = x ? float_tensor(args, kinds, 1, "out", error, &status) : nullptr;
  if (!out) return status;
  if (shape_of(*out) != shape_of(*x)) {
    return fail_with(error, "argument 1 'out' has shape " + shape_text(shape_of(*out)) + " but argument 0 'x' has " + shape_text(shape_of(*x)));
  }
  int64_t count = element_count(shape_of(*x)).value_or(0);
  const float* in = data_of(*x);
  float* z = data_of(*out);
  for (int64_t i = 0; i < count; ++i) z[i] = std::max(in[i], 0.0f);
  return 0;
}

// Prints each tensor argument as numpy prints it, for R.call_packed("env.print", ...).
int32_t env_print(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  for (int32_t i = 0; i < n; ++i) {
    if (kinds[i] == RX_ARG_INT) {
      std::printf("%lld\n", static_cast<long long>(args[i].i64));
      continue;
    }
    if (kinds[i] != RX_ARG_TENSOR || !args[i].tensor) return fail_with(error, "argument " + std::to_string(i) + " must be a tensor or an integer");
    const DLTensor& t = *args[i].tensor;
    std::optional<ElementType> type = element_type_of(t.dtype);
    if (!type || !is_compact(t)) return fail_with(error, "argument " + std::to_string(i) + " must be a compact tensor of a known dtype");
    auto view = Tensor::view(*type, shape_of(t), static_cast<char*>(t.data) + t.byte_offset, nullptr);
    std::printf("%s\n", format_array(*view).c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void register_env_functions(FunctionRegistry& registry) {
  registry.add("env.print", env_print, "built-in", false);
  registry.add("env.linear", env_linear, "built-in (OpenBLAS cblas_sgemm)", false);
  registry.add("env.relu", env_relu, "built-in", false);
  registry.add("env.fill_scalar", env_fill_scalar, "built-in", false);
}

}  // namespace relaxrt

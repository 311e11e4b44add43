#include "runtime/kernel_checks.h"

#include "runtime/runtime_function_support.h"

namespace relaxrt {
namespace {

int32_t fail(RxError* error, const char* message) {
  error->message = message;
  error->has_values = 0;
  return 1;
}

int32_t fail(RxError* error, const char* message, int64_t expected, int64_t actual) {
  error->message = message;
  error->has_values = 1;
  error->expected = expected;
  error->actual = actual;
  return 1;
}

int32_t check_dims(const RxArgCheck& check, const DLTensor& tensor, int64_t* vars, RxError* error) {
  for (int32_t d = 0; d < check.ndim; ++d) {
    const RxDimCheck& dim = check.dims[d];
    int64_t actual = tensor.shape[d];
    switch (dim.how) {
      case RX_DIM_EQUALS:
        if (actual != dim.value) return fail(error, dim.mismatch, dim.value, actual);
        break;
      case RX_DIM_BINDS:
        vars[dim.slot] = actual;
        break;
      case RX_DIM_EQUALS_VAR:
        if (actual != vars[dim.slot]) return fail(error, dim.mismatch, vars[dim.slot], actual);
        break;
      default:
        break;
    }
  }
  return 0;
}

int32_t check_tensor(const RxArgCheck& check, const DLTensor* tensor, int64_t* vars, RxError* error) {
  if (tensor == nullptr) return fail(error, check.null_message);
  if (tensor->ndim != check.ndim) return fail(error, check.rank_message, check.ndim, tensor->ndim);
  if (tensor->dtype.code != check.dtype_code || tensor->dtype.bits != check.dtype_bits) {
    return fail(error, check.dtype_message);
  }
  if (check_dims(check, *tensor, vars, error) != 0) return 1;
  // Kernels index buffers as dense row-major arrays: strided views are refused, not misread.
  if (!is_compact(*tensor)) return fail(error, check.layout_message);
  return 0;
}

}  // namespace

int32_t check_kernel_args(const RxKernelChecks* checks, const RxValue* args, const int32_t* kinds, int32_t num_args, int64_t* vars, RxError* error) {
  if (num_args != checks->num_args) return fail(error, checks->count_message, checks->num_args, num_args);
  for (int32_t i = 0; i < num_args; ++i) {
    const RxArgCheck& check = checks->args[i];
    if (kinds[i] != check.kind) return fail(error, check.kind_message);
    if (check.kind == RX_ARG_TENSOR && check_tensor(check, args[i].tensor, vars, error) != 0) return 1;
  }
  return 0;
}

}  // namespace relaxrt

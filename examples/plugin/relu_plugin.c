/* An example relaxrun plugin: its own env.relu (replacing the built-in, as TVM's
 * register_func(override=True) does) and example.leaky_relu (slope 0.01).
 * Build: cc -shared -fPIC -I runtime/include relu_plugin.c -o librelu_plugin.so
 * Use:   relaxrun model.rx --lib ./librelu_plugin.so --input ...
 * Set EXAMPLE_PLUGIN_TRACE=1 to see each call on stderr. */
#include <relaxrt/plugin.h>
#include <stdio.h>
#include <stdlib.h>

static int64_t element_count(const DLTensor* t) {
  int64_t count = 1;
  for (int i = 0; i < t->ndim; ++i) count *= t->shape[i];
  return count;
}

static int same_shape(const DLTensor* a, const DLTensor* b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; ++i) {
    if (a->shape[i] != b->shape[i]) return 0;
  }
  return 1;
}

/* Checks (x, out) and returns the element count, or -1 with *error filled in. */
static int64_t check_unary(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  if (n != 2) {
    error->message = "expects 2 arguments (x, out)";
    error->has_values = 1;
    error->expected = 2;
    error->actual = n;
    return -1;
  }
  for (int i = 0; i < 2; ++i) {
    const DLTensor* t = args[i].tensor;
    if (kinds[i] != RX_ARG_TENSOR || !t || t->dtype.code != kDLFloat || t->dtype.bits != 32 || t->strides) {
      error->message = i == 0 ? "argument 0 'x' must be a compact float32 tensor" : "argument 1 'out' must be a compact float32 tensor";
      return -1;
    }
  }
  if (!same_shape(args[0].tensor, args[1].tensor)) {
    error->message = "argument 1 'out' must have the shape of argument 0 'x'";
    return -1;
  }
  return element_count(args[0].tensor);
}

static void trace(const char* name, int64_t count) {
  if (getenv("EXAMPLE_PLUGIN_TRACE")) fprintf(stderr, "example plugin: %s on %lld elements\n", name, (long long)count);
}

static int32_t relu(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  int64_t count = check_unary(args, kinds, n, error);
  if (count < 0) return 1;
  trace("env.relu", count);
  const float* x = (const float*)((const char*)args[0].tensor->data + args[0].tensor->byte_offset);
  float* out = (float*)((char*)args[1].tensor->data + args[1].tensor->byte_offset);
  for (int64_t i = 0; i < count; ++i) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
  return 0;
}

static int32_t leaky_relu(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  int64_t count = check_unary(args, kinds, n, error);
  if (count < 0) return 1;
  trace("example.leaky_relu", count);
  const float* x = (const float*)((const char*)args[0].tensor->data + args[0].tensor->byte_offset);
  float* out = (float*)((char*)args[1].tensor->data + args[1].tensor->byte_offset);
  for (int64_t i = 0; i < count; ++i) out[i] = x[i] > 0.0f ? x[i] : 0.01f * x[i];
  return 0;
}

RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
  if (add(registry, "env.relu", relu, 1) != 0) return 1;
  return add(registry, "example.leaky_relu", leaky_relu, 0);
}

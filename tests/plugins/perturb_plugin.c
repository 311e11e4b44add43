/* A deliberately wrong env.relu, for relaxrun --compare-intermediates' test: relu, then 0.25
 * added to element 3, so that the binding it computes is the first to differ. */
#include <relaxrt/plugin.h>

static int32_t wrong_relu(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  if (n != 2 || kinds[0] != RX_ARG_TENSOR || kinds[1] != RX_ARG_TENSOR) {
    error->message = "expects (x, out) tensors";
    return 1;
  }
  const DLTensor* x = args[0].tensor;
  const DLTensor* out = args[1].tensor;
  int64_t count = 1;
  for (int i = 0; i < x->ndim; ++i) count *= x->shape[i];
  const float* in = (const float*)((const char*)x->data + x->byte_offset);
  float* result = (float*)((char*)out->data + out->byte_offset);
  for (int64_t i = 0; i < count; ++i) result[i] = in[i] > 0.0f ? in[i] : 0.0f;
  if (count > 3) result[3] += 0.25f;
  return 0;
}

RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
  return add(registry, "env.relu", wrong_relu, 1);
}

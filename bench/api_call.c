/* The cost of a call through the C API against the VM's own (relaxrun --benchmark calls the VM
 * directly): times relaxrt_call on the chapter's MLP, the image as a plain argument and the
 * weights as RXRT_ARG_CONSTANT, and prints the median and minimum per call.
 *   api_call MODULE.rx IMAGE.npy PARAMS.npz CALLS */
#include <relaxrt/relaxrt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 5) return fprintf(stderr, "usage: api_call MODULE.rx IMAGE.npy PARAMS.npz CALLS\n"), 2;
  RxrtModule* module;
  RxrtArrays *image, *params;
  if (relaxrt_open_file(argv[1], NULL, &module) || relaxrt_arrays_load(argv[2], &image) || relaxrt_arrays_load(argv[3], &params)) {
    return fprintf(stderr, "api_call: %s\n", relaxrt_last_error()), 1;
  }
  int32_t fn;
  RxrtFunctionInfo info;
  relaxrt_find_function(module, "main", &fn);
  relaxrt_function_info(module, fn, &info);
  DLTensor args[16];
  uint32_t flags[16];
  args[0] = *relaxrt_arrays_tensor(image, 0);
  flags[0] = 0;
  for (int32_t p = 1; p < info.num_params && p < 16; ++p) {
    RxrtParamInfo param;
    relaxrt_param_info(module, fn, p, &param);
    int32_t found = relaxrt_arrays_find(params, param.name);
    if (found < 0) return fprintf(stderr, "api_call: no array '%s'\n", param.name), 1;
    args[p] = *relaxrt_arrays_tensor(params, found);
    flags[p] = RXRT_ARG_CONSTANT;
  }
  int calls = atoi(argv[4]);
  double* times = malloc(sizeof(double) * (size_t)(calls > 0 ? calls : 1));
  for (int i = -100; i < calls; ++i) {
    RxrtValue* result;
    double start = now_us();
    if (relaxrt_call(module, "main", args, info.num_params, flags, &result)) return fprintf(stderr, "api_call: %s\n", relaxrt_last_error()), 1;
    relaxrt_value_free(result);
    if (i >= 0) times[i] = now_us() - start;
  }
  qsort(times, (size_t)calls, sizeof(double), by_value);
  printf("relaxrt_call: median %.2f us, min %.2f us per call (%d calls)\n", times[calls / 2], times[0], calls);
  free(times);
  relaxrt_arrays_free(image);
  relaxrt_arrays_free(params);
  relaxrt_close(module);
  return 0;
}

/* Classifies a FashionMNIST image with a module compiled by relaxc, through the C API.
 *
 *   relaxc examples/mlp.tvms -o mlp.rx
 *   cc -std=c99 examples/embed/classify.c $(pkg-config --cflags --libs relaxrt) -o classify
 *   ./classify mlp.rx examples/img2437.npy examples/mlp_params.npz examples/fashion_mnist_labels.txt
 *
 * @main's first parameter takes the image; every other parameter takes the array of its name
 * from the .npz archive, as relaxrun --params does. */
#include <relaxrt/relaxrt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char* what) {
  fprintf(stderr, "classify: %s: %s\n", what, relaxrt_last_error());
  return 1;
}

/* Line `index` (0-based) of a labels file into `out`, or "?" when there is none. */
static void read_label(const char* path, int64_t index, char* out, size_t size) {
  snprintf(out, size, "?");
  FILE* f = path ? fopen(path, "r") : NULL;
  if (!f) return;
  char line[256];
  for (int64_t i = 0; fgets(line, sizeof line, f); ++i) {
    if (i == index) {
      line[strcspn(line, "\r\n")] = '\0';
      snprintf(out, size, "%s", line);
      break;
    }
  }
  fclose(f);
}

static void print_signature(const RxrtModule* module, int32_t fn) {
  RxrtFunctionInfo info;
  relaxrt_function_info(module, fn, &info);
  printf("@%s(", info.name);
  for (int32_t p = 0; p < info.num_params; ++p) {
    RxrtParamInfo param;
    relaxrt_param_info(module, fn, p, &param);
    printf("%s%s", p ? ", " : "", param.name);
  }
  printf(") -> %s\n", info.return_type);
}

/* The arguments of @main: the image, then the archive's arrays by parameter name. */
static int gather_arguments(const RxrtModule* module, int32_t fn, const RxrtArrays* image, const RxrtArrays* params, DLTensor* args,
                            uint32_t* flags) {
  RxrtFunctionInfo info;
  relaxrt_function_info(module, fn, &info);
  args[0] = *relaxrt_arrays_tensor(image, 0);
  flags[0] = 0;
  for (int32_t p = 1; p < info.num_params; ++p) {
    RxrtParamInfo param;
    relaxrt_param_info(module, fn, p, &param);
    int32_t found = relaxrt_arrays_find(params, param.name);
    if (found < 0) {
      fprintf(stderr, "classify: the archive has no array '%s' for parameter %d of @%s\n", param.name, (int)p, info.name);
      return 1;
    }
    args[p] = *relaxrt_arrays_tensor(params, found);
    flags[p] = RXRT_ARG_CONSTANT; /* weights: packed once, reused by later calls */
  }
  return 0;
}

static void print_result(const DLTensor* logits, const char* labels) {
  if (!logits || logits->dtype.code != kDLFloat || logits->dtype.bits != 32 || logits->ndim != 2) {
    fprintf(stderr, "classify: expected @main to return float32 logits of shape (1, classes)\n");
    return;
  }
  const float* scores = (const float*)logits->data;
  int64_t classes = logits->shape[1], best = 0;
  printf("logits:");
  for (int64_t c = 0; c < classes; ++c) {
    printf(" %.7g", scores[c]);
    if (scores[c] > scores[best]) best = c;
  }
  char label[256];
  read_label(labels, best, label, sizeof label);
  printf("\nclass %lld: %s\n", (long long)best, label);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: classify MODULE.rx IMAGE.npy PARAMS.npz [LABELS.txt]\n");
    return 2;
  }
  RxrtModule* module = NULL;
  RxrtArrays *image = NULL, *params = NULL;
  RxrtValue* result = NULL;
  int status = 1;
  int32_t fn = 0;
  if (relaxrt_open_file(argv[1], NULL, &module) != RXRT_OK) return fail("opening the module");
  if (relaxrt_find_function(module, "main", &fn) != RXRT_OK) {
    status = fail("finding @main");
    goto done;
  }
  print_signature(module, fn);
  if (relaxrt_arrays_load(argv[2], &image) != RXRT_OK || relaxrt_arrays_load(argv[3], &params) != RXRT_OK) {
    status = fail("reading the arrays");
    goto done;
  }
  RxrtFunctionInfo info;
  relaxrt_function_info(module, fn, &info);
  DLTensor* args = calloc((size_t)info.num_params, sizeof *args);
  uint32_t* flags = calloc((size_t)info.num_params, sizeof *flags);
  if (args && flags && gather_arguments(module, fn, image, params, args, flags) == 0) {
    if (relaxrt_call(module, "main", args, info.num_params, flags, &result) == RXRT_OK) {
      const DLTensor* logits = relaxrt_value_tensor(result);
      print_result(logits, argc > 4 ? argv[4] : NULL);
      status = logits ? 0 : 1;
    } else {
      status = fail("running @main");
    }
  }
  free(args);
  free(flags);
done:
  relaxrt_value_free(result);
  relaxrt_arrays_free(params);
  relaxrt_arrays_free(image);
  relaxrt_close(module);
  return status;
}

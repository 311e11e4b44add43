/* Tests of the C API (relaxrt/relaxrt.h) against the shared library: the chapter's MLP against
 * logits numpy computed (mlp_reference.py), how results are handed over, every error path, and
 * two threads calling one module. Run by run_api_tests.sh; under the sanitizer build with
 * AddressSanitizer's leak check, so a handle the API leaks fails the test.
 *
 *   api_test MODULES_DIR PLUGIN.so IMAGE.npy PARAMS.npz EXPECTED.npy */
#include <math.h>
#include <pthread.h>
#include <relaxrt/relaxrt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);      \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

/* The call failed with `status` and a message containing `text`. */
#define CHECK_ERROR(call, status, text)                                                                        \
  do {                                                                                                         \
    RxrtStatus got_ = (call);                                                                                  \
    if (got_ != (status) || !strstr(relaxrt_last_error(), (text))) {                                           \
      fprintf(stderr, "%s:%d: %s: expected status %d with \"%s\", got %d: %s\n", __FILE__, __LINE__, #call, \
              (int)(status), (text), (int)got_, relaxrt_last_error());                                       \
      ++failures;                                                                                              \
    }                                                                                                          \
  } while (0)

static const char* dir;
static char path_buffer[4096];
static const char* module_path(const char* name) {
  snprintf(path_buffer, sizeof path_buffer, "%s/%s", dir, name);
  return path_buffer;
}

static DLTensor float_tensor(float* data, int32_t ndim, int64_t* shape) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.device.device_type = kDLCPU;
  t.ndim = ndim;
  t.dtype.code = kDLFloat;
  t.dtype.bits = 32;
  t.dtype.lanes = 1;
  t.shape = shape;
  return t;
}

/* ---- The MLP ------------------------------------------------------------------------------ */

typedef struct {
  RxrtModule* module;
  DLTensor args[5];
  uint32_t flags[5];
  const float* expected;
  int64_t classes;
  int calls;
  int wrong; /* calls whose logits differed */
} MlpJob;

static int logits_match(const RxrtValue* result, const float* expected, int64_t classes) {
  const DLTensor* t = relaxrt_value_tensor(result);
  if (!t || t->ndim != 2 || t->shape[1] != classes) return 0;
  for (int64_t c = 0; c < classes; ++c) {
    float got = ((const float*)t->data)[c];
    if (fabsf(got - expected[c]) > 1e-4f + 1e-4f * fabsf(expected[c])) return 0;
  }
  return 1;
}

static void* run_mlp(void* arg) {
  MlpJob* job = (MlpJob*)arg;
  for (int i = 0; i < job->calls; ++i) {
    RxrtValue* result = NULL;
    if (relaxrt_call(job->module, "main", job->args, 5, job->flags, &result) != RXRT_OK || !logits_match(result, job->expected, job->classes)) {
      ++job->wrong;
    }
    relaxrt_value_free(result);
  }
  return NULL;
}

/* Fills job->args from the image and the archive, weights by parameter name. */
static int prepare_mlp(MlpJob* job, const RxrtArrays* image, const RxrtArrays* params) {
  int32_t fn = -1;
  if (relaxrt_find_function(job->module, "main", &fn) != RXRT_OK) return 0;
  job->args[0] = *relaxrt_arrays_tensor(image, 0);
  job->flags[0] = 0;
  for (int32_t p = 1; p < 5; ++p) {
    RxrtParamInfo info;
    if (relaxrt_param_info(job->module, fn, p, &info) != RXRT_OK) return 0;
    int32_t found = relaxrt_arrays_find(params, info.name);
    if (found < 0) return 0;
    job->args[p] = *relaxrt_arrays_tensor(params, found);
    job->flags[p] = RXRT_ARG_CONSTANT;
  }
  return 1;
}

static void test_signature(const RxrtModule* module) {
  int32_t fn = -1;
  CHECK(relaxrt_find_function(module, "main", &fn) == RXRT_OK);
  RxrtFunctionInfo info;
  CHECK(relaxrt_function_info(module, fn, &info) == RXRT_OK);
  CHECK(strcmp(info.name, "main") == 0 && info.num_params == 5 && !info.is_prim_func);
  CHECK(strcmp(info.return_type, "R.Tensor((1, \"k\"), dtype=\"float32\")") == 0);
  RxrtParamInfo x;
  CHECK(relaxrt_param_info(module, fn, 0, &x) == RXRT_OK);
  CHECK(strcmp(x.name, "x") == 0 && x.is_tensor && x.ndim == 2 && x.dtype.code == kDLFloat && x.dtype.bits == 32);
  CHECK(x.shape && x.shape[0] == 1 && x.shape[1] == -1 && strcmp(x.dims[1], "m") == 0);
  int32_t relu = -1;
  CHECK(relaxrt_find_function(module, "relu0", &relu) == RXRT_OK);
  CHECK(relaxrt_function_info(module, relu, &info) == RXRT_OK && info.is_prim_func);
}

static void test_mlp(const char* image_path, const char* params_path, const char* expected_path) {
  RxrtModule* module = NULL;
  RxrtArrays *image = NULL, *params = NULL, *expected = NULL;
  CHECK(relaxrt_open_file(module_path("mlp.rx"), NULL, &module) == RXRT_OK);
  CHECK(relaxrt_arrays_load(image_path, &image) == RXRT_OK);
  CHECK(relaxrt_arrays_load(params_path, &params) == RXRT_OK);
  CHECK(relaxrt_arrays_load(expected_path, &expected) == RXRT_OK);
  if (!module || !image || !params || !expected) return;
  test_signature(module);
  const DLTensor* reference = relaxrt_arrays_tensor(expected, 0);
  MlpJob jobs[2];
  for (int j = 0; j < 2; ++j) {
    memset(&jobs[j], 0, sizeof jobs[j]);
    jobs[j].module = module;
    jobs[j].expected = (const float*)reference->data;
    jobs[j].classes = reference->shape[1];
    jobs[j].calls = 1;
    CHECK(prepare_mlp(&jobs[j], image, params));
  }
  run_mlp(&jobs[0]);
  CHECK(jobs[0].wrong == 0);
  /* Two threads calling the one module at once take turns; every call gets the logits. */
  pthread_t threads[2];
  for (int j = 0; j < 2; ++j) {
    jobs[j].calls = 200;
    CHECK(pthread_create(&threads[j], NULL, run_mlp, &jobs[j]) == 0);
  }
  for (int j = 0; j < 2; ++j) pthread_join(threads[j], NULL);
  CHECK(jobs[0].wrong == 0 && jobs[1].wrong == 0);
  /* A taken result outlives its value and the module. */
  RxrtValue* result = NULL;
  CHECK(relaxrt_call(module, "main", jobs[0].args, 5, jobs[0].flags, &result) == RXRT_OK);
  DLManagedTensor* taken = relaxrt_value_take_tensor(result);
  relaxrt_value_free(result);
  relaxrt_close(module);
  CHECK(taken && fabsf(((const float*)taken->dl_tensor.data)[0] - jobs[0].expected[0]) < 1e-3f);
  relaxrt_tensor_free(taken);
  relaxrt_arrays_free(image);
  relaxrt_arrays_free(params);
  relaxrt_arrays_free(expected);
}

/* ---- Modules side by side --------------------------------------------------------------- */

enum { kLong = 1 << 16 };
static float long_input[kLong];
static volatile int toggling = 1;

/* Calls @doubled on a vector long enough that its loop runs on the thread pool. */
static void* run_doubled(void* arg) {
  RxrtModule* module = (RxrtModule*)arg;
  int64_t n = kLong;
  DLTensor x = float_tensor(long_input, 1, &n);
  int wrong = 0;
  for (int i = 0; i < 100; ++i) {
    RxrtValue* result = NULL;
    if (relaxrt_call(module, "doubled", &x, 1, NULL, &result) != RXRT_OK) ++wrong;
    const DLTensor* y = relaxrt_value_tensor(result);
    if (!y || ((const float*)y->data)[kLong - 1] != 2.0f * (float)(kLong - 1)) ++wrong;
    relaxrt_value_free(result);
  }
  __sync_fetch_and_add(&failures, wrong);
  return NULL;
}

/* Changes the pool's size while loops run on it. */
static void* toggle_threads(void* arg) {
  (void)arg;
  for (int i = 0; toggling; ++i) relaxrt_set_threads(1 + i % 2);
  return NULL;
}

/* Two modules called from two threads at once (one module per thread: no turns), while a third
 * thread resizes the thread pool their parallel loops share. */
static void test_side_by_side(void) {
  for (int i = 0; i < kLong; ++i) long_input[i] = (float)i;
  RxrtModule *a = NULL, *b = NULL;
  CHECK(relaxrt_open_file(module_path("values.rx"), NULL, &a) == RXRT_OK);
  CHECK(relaxrt_open_file(module_path("values.rx"), NULL, &b) == RXRT_OK);
  if (!a || !b) return;
  pthread_t threads[3];
  toggling = 1;
  CHECK(pthread_create(&threads[2], NULL, toggle_threads, NULL) == 0);
  CHECK(pthread_create(&threads[0], NULL, run_doubled, a) == 0);
  CHECK(pthread_create(&threads[1], NULL, run_doubled, b) == 0);
  pthread_join(threads[0], NULL);
  pthread_join(threads[1], NULL);
  toggling = 0;
  pthread_join(threads[2], NULL);
  relaxrt_close(a);
  relaxrt_close(b);
}

/* ---- How values are handed over ----------------------------------------------------------- */

static void test_values(void) {
  RxrtModule* module = NULL;
  CHECK(relaxrt_open_file(module_path("values.rx"), NULL, &module) == RXRT_OK);
  if (!module) return;
  float x[6] = {-2, -1, 0, 1, 2, 3};
  int64_t shape[2] = {2, 3};
  DLTensor arg = float_tensor(x, 2, shape);
  RxrtValue* result = NULL;
  /* A function returning its argument gives a copy: the caller's array stays the caller's. */
  CHECK(relaxrt_call(module, "identity", &arg, 1, NULL, &result) == RXRT_OK);
  const DLTensor* same = relaxrt_value_tensor(result);
  CHECK(same && same->data != (void*)x && memcmp(same->data, x, sizeof x) == 0);
  relaxrt_value_free(result);
  /* A tuple: fields in order, the second a copy of the argument. */
  CHECK(relaxrt_call(module, "pair", &arg, 1, NULL, &result) == RXRT_OK);
  CHECK(relaxrt_value_kind(result) == RXRT_VALUE_TUPLE && relaxrt_value_tuple_size(result) == 2);
  const DLTensor* twice = relaxrt_value_tensor(relaxrt_value_field(result, 0));
  const DLTensor* back = relaxrt_value_tensor(relaxrt_value_field(result, 1));
  CHECK(twice && ((const float*)twice->data)[5] == 6.0f && back && back->data != (void*)x);
  CHECK(relaxrt_value_field(result, 2) == NULL && relaxrt_value_tensor(result) == NULL && relaxrt_value_int(result) == 0);
  relaxrt_value_free((RxrtValue*)relaxrt_value_field(result, 0)); /* a field: ignored */
  DLManagedTensor* field = relaxrt_value_take_tensor(relaxrt_value_field(result, 0));
  relaxrt_value_free(result);
  CHECK(field && ((const float*)field->dl_tensor.data)[0] == -4.0f);
  relaxrt_tensor_free(field);
  /* A constant of the .rx is copied out (the caller may write its result). */
  CHECK(relaxrt_call(module, "constant", NULL, 0, NULL, &result) == RXRT_OK);
  const DLTensor* c = relaxrt_value_tensor(result);
  CHECK(c && c->ndim == 1 && c->shape[0] == 3 && ((float*)c->data)[2] == 3.0f);
  if (c) ((float*)c->data)[2] = 7.0f;
  relaxrt_value_free(result);
  CHECK(relaxrt_call(module, "constant", NULL, 0, NULL, &result) == RXRT_OK);
  CHECK(relaxrt_value_tensor(result) && ((const float*)relaxrt_value_tensor(result)->data)[2] == 3.0f);
  relaxrt_value_free(result);
  /* Symbolic sizes bound by the argument; size 0 works as in numpy. */
  int64_t five = 5, zero = 0;
  float v[5] = {0, 1, 2, 3, 4};
  DLTensor vec = float_tensor(v, 1, &five);
  CHECK(relaxrt_call(module, "doubled", &vec, 1, NULL, &result) == RXRT_OK);
  CHECK(relaxrt_value_tensor(result) && ((const float*)relaxrt_value_tensor(result)->data)[4] == 8.0f);
  relaxrt_value_free(result);
  DLTensor empty = float_tensor(NULL, 1, &zero);
  CHECK(relaxrt_call(module, "doubled", &empty, 1, NULL, &result) == RXRT_OK);
  CHECK(relaxrt_value_tensor(result) && relaxrt_value_tensor(result)->shape[0] == 0);
  relaxrt_value_free(result);
  CHECK(memcmp(x, (float[6]){-2, -1, 0, 1, 2, 3}, sizeof x) == 0); /* arguments are only read */
  relaxrt_close(module);
}

/* ---- Errors --------------------------------------------------------------------------------- */

static void test_open_errors(const char* plugin) {
  RxrtModule* module = (RxrtModule*)1;
  CHECK_ERROR(relaxrt_open_file("/nonexistent/m.rx", NULL, &module), RXRT_ERROR_IO, "/nonexistent/m.rx");
  CHECK(module == NULL);
  CHECK_ERROR(relaxrt_open_file(NULL, NULL, &module), RXRT_ERROR_INVALID, "NULL");
  CHECK_ERROR(relaxrt_open_memory("not a module", 12, "junk", NULL, &module), RXRT_ERROR_FORMAT, "junk");
  CHECK_ERROR(relaxrt_open_memory(NULL, 0, NULL, NULL, &module), RXRT_ERROR_FORMAT, "<memory>");
  /* Every truncation of a real module is a format error, never a crash. */
  FILE* f = fopen(module_path("values.rx"), "rb");
  CHECK(f != NULL);
  if (f) {
    static char bytes[1 << 20];
    size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    for (size_t cut = 0; cut < size; cut += 1 + cut / 8) {
      CHECK_ERROR(relaxrt_open_memory(bytes, cut, "values.rx", NULL, &module), RXRT_ERROR_FORMAT, "values.rx");
    }
    CHECK(relaxrt_open_memory(bytes, size, "values.rx", NULL, &module) == RXRT_OK);
    relaxrt_close(module);
  }
  CHECK_ERROR(relaxrt_open_file(module_path("needs_plugin.rx"), NULL, &module), RXRT_ERROR_NOT_FOUND, "example.leaky_relu");
  const char* missing[1] = {"/nonexistent/libplugin.so"};
  RxrtOpenOptions bad = {missing, 1, NULL};
  CHECK_ERROR(relaxrt_open_file(module_path("needs_plugin.rx"), &bad, &module), RXRT_ERROR_IO, "/nonexistent/libplugin.so");
  RxrtOpenOptions null_list = {NULL, 1, NULL};
  CHECK_ERROR(relaxrt_open_file(module_path("needs_plugin.rx"), &null_list, &module), RXRT_ERROR_INVALID, "plugins");
  const char* plugins[1] = {plugin};
  RxrtOpenOptions pinned = {NULL, 0, "0000000000000000000000000000000000000000000000000000000000000000"};
  CHECK_ERROR(relaxrt_open_file(module_path("values.rx"), &pinned, &module), RXRT_ERROR_UNTRUSTED, "its SHA-256 is ");
  pinned.expect_sha256 = "abc";
  CHECK_ERROR(relaxrt_open_file(module_path("values.rx"), &pinned, &module), RXRT_ERROR_INVALID, "'abc' is not 64 hexadecimal digits");
  RxrtOpenOptions good = {plugins, 1, NULL};
  CHECK(relaxrt_open_file(module_path("needs_plugin.rx"), &good, &module) == RXRT_OK);
  float x[6] = {-100, -1, 0, 1, 2, 3};
  int64_t shape[2] = {2, 3};
  DLTensor arg = float_tensor(x, 2, shape);
  RxrtValue* result = NULL;
  CHECK(relaxrt_call(module, "main", &arg, 1, NULL, &result) == RXRT_OK);
  CHECK(relaxrt_value_tensor(result) && fabsf(((const float*)relaxrt_value_tensor(result)->data)[0] + 1.0f) < 1e-6f);
  relaxrt_value_free(result);
  relaxrt_close(module);
  relaxrt_close(NULL);
}

static void test_call_errors(void) {
  RxrtModule* module = NULL;
  CHECK(relaxrt_open_file(module_path("values.rx"), NULL, &module) == RXRT_OK);
  if (!module) return;
  float x[6] = {0};
  int64_t shape[2] = {2, 3}, wrong[2] = {3, 3}, negative[2] = {2, -3}, strides[2] = {1, 2};
  DLTensor arg = float_tensor(x, 2, shape);
  RxrtValue* result = (RxrtValue*)1;
  CHECK_ERROR(relaxrt_call(module, "nope", &arg, 1, NULL, &result), RXRT_ERROR_NOT_FOUND, "no function @nope (functions: @identity");
  CHECK(result == NULL);
  CHECK_ERROR(relaxrt_call(module, "identity", &arg, 2, NULL, &result), RXRT_ERROR_ARGUMENT, "@identity takes 1 arguments (x) but 2 were given");
  CHECK_ERROR(relaxrt_call(module, "identity", NULL, 1, NULL, &result), RXRT_ERROR_INVALID, "args is NULL");
  CHECK_ERROR(relaxrt_call(NULL, "identity", &arg, 1, NULL, &result), RXRT_ERROR_INVALID, "must not be NULL");
  CHECK_ERROR(relaxrt_call(module, "identity", &arg, 1, NULL, NULL), RXRT_ERROR_INVALID, "must not be NULL");
  DLTensor t = arg;
  t.shape = wrong;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "dimension 0 mismatch: expected 2");
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "values.tvms:5:18: note: parameter 'x'");
  t = arg;
  t.dtype.bits = 64;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "float64");
  t = arg;
  t.dtype.lanes = 4;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "4 lanes");
  t = arg;
  t.device.device_type = kDLCUDA;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "on the CPU");
  t = arg;
  t.ndim = -1;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "ndim is -1");
  t = arg;
  t.shape = NULL;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "shape is NULL");
  t = arg;
  t.shape = negative;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "negative extent");
  t = arg;
  t.strides = strides;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "dense row-major");
  t = arg;
  t.data = NULL;
  CHECK_ERROR(relaxrt_call(module, "identity", &t, 1, NULL, &result), RXRT_ERROR_ARGUMENT, "data is NULL");
  uint32_t flags = 8;
  CHECK_ERROR(relaxrt_call(module, "identity", &arg, 1, &flags, &result), RXRT_ERROR_INVALID, "unknown flags 8");
  CHECK_ERROR(relaxrt_call(module, "bad_relu", &arg, 1, NULL, &result), RXRT_ERROR_RUNTIME, "running @bad_relu: in env.relu");
  int64_t compact_strides[2] = {3, 1};
  t = arg;
  t.strides = compact_strides;
  CHECK(relaxrt_call(module, "identity", &t, 1, NULL, &result) == RXRT_OK);
  relaxrt_value_free(result);
  int32_t fn = 0;
  RxrtFunctionInfo info;
  RxrtParamInfo param;
  CHECK_ERROR(relaxrt_find_function(module, "nope", &fn), RXRT_ERROR_NOT_FOUND, "@nope");
  CHECK_ERROR(relaxrt_function_info(module, 99, &info), RXRT_ERROR_INVALID, "no function 99");
  CHECK_ERROR(relaxrt_function_info(module, 0, NULL), RXRT_ERROR_INVALID, "NULL");
  CHECK_ERROR(relaxrt_param_info(module, 0, 1, &param), RXRT_ERROR_INVALID, "@identity has no parameter 1");
  CHECK_ERROR(relaxrt_param_info(NULL, 0, 0, &param), RXRT_ERROR_INVALID, "NULL");
  CHECK(relaxrt_function_count(module) == 5 && relaxrt_function_count(NULL) == 0);
  relaxrt_close(module);
}

static void test_other_errors(void) {
  RxrtArrays* arrays = (RxrtArrays*)1;
  CHECK_ERROR(relaxrt_arrays_load("/nonexistent/a.npy", &arrays), RXRT_ERROR_IO, "/nonexistent/a.npy");
  CHECK(arrays == NULL);
  CHECK_ERROR(relaxrt_arrays_load(module_path("values.rx"), &arrays), RXRT_ERROR_FORMAT, "values.rx");
  CHECK_ERROR(relaxrt_arrays_load(NULL, &arrays), RXRT_ERROR_INVALID, "NULL");
  CHECK(relaxrt_arrays_count(NULL) == 0 && relaxrt_arrays_tensor(NULL, 0) == NULL && relaxrt_arrays_find(NULL, "x") == -1);
  CHECK_ERROR(relaxrt_set_threads(0), RXRT_ERROR_INVALID, "at least 1");
  CHECK(relaxrt_set_threads(2) == RXRT_OK && relaxrt_threads() == 2);
  CHECK(relaxrt_value_kind(NULL) == RXRT_VALUE_NONE && relaxrt_value_take_tensor(NULL) == NULL);
  relaxrt_value_free(NULL);
  relaxrt_tensor_free(NULL);
  relaxrt_arrays_free(NULL);
  CHECK(strncmp(relaxrt_version(), "relaxrt ", 8) == 0);
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: api_test MODULES_DIR PLUGIN.so IMAGE.npy PARAMS.npz EXPECTED.npy\n");
    return 2;
  }
  dir = argv[1];
  test_mlp(argv[3], argv[4], argv[5]);
  test_values();
  test_side_by_side();
  test_open_errors(argv[2]);
  test_call_errors();
  test_other_errors();
  if (failures) {
    fprintf(stderr, "api_test: %d checks failed\n", failures);
    return 1;
  }
  printf("api_test: all checks passed\n");
  return 0;
}

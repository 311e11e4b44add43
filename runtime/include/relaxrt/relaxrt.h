/* relaxrt: run a module compiled by relaxc (.rx) from a C or C++ program.
 *
 *   RxrtModule* module;
 *   if (relaxrt_open_file("mlp.rx", NULL, &module) != RXRT_OK) { puts(relaxrt_last_error()); ... }
 *   RxrtValue* result;
 *   if (relaxrt_call(module, "main", args, num_args, NULL, &result) != RXRT_OK) { ... }
 *   const DLTensor* logits = relaxrt_value_tensor(result);
 *   relaxrt_value_free(result);
 *   relaxrt_close(module);
 *
 * Tensors are DLPack DLTensors on the CPU, dense and row-major (strides NULL or compact).
 * Arguments are used in place, never copied, and only read. A result's tensors are the caller's
 * until relaxrt_value_free, or for as long as it likes once taken with relaxrt_value_take_tensor.
 *
 * Every function that can fail returns RXRT_OK or an error status, and then
 * relaxrt_last_error() gives one message naming what was wrong (the file, the function, the
 * argument, what was expected and what was found). Nothing aborts the program on bad input.
 *
 * Threads: any thread may call any function. Calls of one module are serialised (a module holds
 * the VM's registers and reusable buffers): two threads calling one module at once take turns.
 * Open the file once per thread to run calls side by side. Parallel loops inside kernels use
 * one pool of threads for the process (relaxrt_set_threads).
 *
 * Trust: opening a .rx loads and runs the native code it carries, as dlopen does. Its checksum
 * catches damage, not tampering: open only files you would run as programs, or pin the one
 * file you trust with RxrtOpenOptions.expect_sha256.
 *
 * C99; link with -lrelaxrt (pkg-config relaxrt, or CMake's find_package(relaxrt) and the
 * target relaxrt::relaxrt). */
#ifndef RELAXRT_RELAXRT_H_
#define RELAXRT_RELAXRT_H_

#include <dlpack/dlpack.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define RXRT_API __attribute__((visibility("default")))
#else
#define RXRT_API
#endif

/* Incremented when a declaration here changes incompatibly. */
#define RELAXRT_API_VERSION 1

typedef enum {
  RXRT_OK = 0,
  RXRT_ERROR_INVALID = 1,   /* a null pointer, an index out of range, a flag that does not exist */
  RXRT_ERROR_IO = 2,        /* a file could not be read */
  RXRT_ERROR_FORMAT = 3,    /* a .rx, .npy or .npz that is damaged or not one */
  RXRT_ERROR_HOST = 4,      /* the module's native code needs a CPU or features this one lacks */
  RXRT_ERROR_NOT_FOUND = 5, /* no function, plugin or runtime function of that name */
  RXRT_ERROR_ARGUMENT = 6,  /* an argument that does not fit the function's signature */
  RXRT_ERROR_RUNTIME = 7,   /* a failure while running: a kernel's check, a runtime function */
  RXRT_ERROR_MEMORY = 8,    /* out of memory */
  RXRT_ERROR_UNTRUSTED = 9  /* the file is not the one RxrtOpenOptions.expect_sha256 names */
} RxrtStatus;

/* The message of the last call that failed on this thread; "" when none has. Valid until the
 * next failing call on this thread. */
RXRT_API const char* relaxrt_last_error(void);
/* "relaxrt 0.1.0". */
RXRT_API const char* relaxrt_version(void);

/* ---- Opening a module ------------------------------------------------------------------ */

typedef struct RxrtModule RxrtModule;

typedef struct {
  /* Plugin libraries (relaxrt/plugin.h) whose functions the module may call by name, loaded in
   * order before the module's runtime functions are resolved. */
  const char* const* plugins;
  int32_t num_plugins;
  /* NULL, or the SHA-256 of the only file to accept (64 hexadecimal digits): any other bytes
   * are refused (RXRT_ERROR_UNTRUSTED) before anything in them is read or run. */
  const char* expect_sha256;
} RxrtOpenOptions;

/* `options` may be NULL. The file is mapped, not copied. */
RXRT_API RxrtStatus relaxrt_open_file(const char* path, const RxrtOpenOptions* options, RxrtModule** module);
/* The bytes are copied; `name` (may be NULL) names the module in messages. */
RXRT_API RxrtStatus relaxrt_open_memory(const void* data, size_t size, const char* name, const RxrtOpenOptions* options,
                                        RxrtModule** module);
/* NULL is allowed. Tensors taken from results stay valid. */
RXRT_API void relaxrt_close(RxrtModule* module);

/* ---- Functions and their signatures ------------------------------------------------------ */

typedef struct {
  const char* name;        /* without the @ */
  int32_t num_params;
  const char* return_type; /* as relaxc prints it: R.Tensor((1, 10), dtype="float32") */
  int32_t is_prim_func;    /* a TensorIR function run by itself: inputs are the buffers it
                              reads, the result the buffers it writes */
} RxrtFunctionInfo;

typedef struct {
  const char* name;
  const char* type;        /* as written: R.Tensor(("n", 784), dtype="float32") */
  int32_t is_tensor;
  DLDataType dtype;        /* tensors: {0, 0, 0} when the dtype is not declared */
  int32_t ndim;            /* tensors: -1 when the rank is not declared */
  const int64_t* shape;    /* ndim extents; -1 for a symbolic one (NULL when not declared) */
  const char* const* dims; /* ndim texts: "784", "n", "n * 2" (NULL when not declared) */
} RxrtParamInfo;

RXRT_API int32_t relaxrt_function_count(const RxrtModule* module);
/* Functions are numbered 0 .. count-1. The strings live as long as the module. */
RXRT_API RxrtStatus relaxrt_function_info(const RxrtModule* module, int32_t function, RxrtFunctionInfo* info);
RXRT_API RxrtStatus relaxrt_param_info(const RxrtModule* module, int32_t function, int32_t param, RxrtParamInfo* info);
/* RXRT_ERROR_NOT_FOUND (naming the functions there are) when there is none of that name. */
RXRT_API RxrtStatus relaxrt_find_function(const RxrtModule* module, const char* name, int32_t* function);

/* ---- Calling ----------------------------------------------------------------------------- */

/* The caller promises that this argument's memory and contents stay the same, and alive, until
 * the module is closed (weights): transforms of it (packed weights) are computed once and kept. */
#define RXRT_ARG_CONSTANT 1u

typedef struct RxrtValue RxrtValue;

typedef enum {
  RXRT_VALUE_NONE = 0,
  RXRT_VALUE_TENSOR = 1,
  RXRT_VALUE_TUPLE = 2,
  RXRT_VALUE_SHAPE = 3,
  RXRT_VALUE_INT = 4,
  RXRT_VALUE_FLOAT = 5,
  RXRT_VALUE_STRING = 6
} RxrtValueKind;

/* Calls `function` with `args` (one per parameter, in order; symbolic sizes are bound from
 * them). `flags` is NULL or one RXRT_ARG_* mask per argument. On success *result is the
 * returned value, to release with relaxrt_value_free. */
RXRT_API RxrtStatus relaxrt_call(RxrtModule* module, const char* function, const DLTensor* args, int32_t num_args, const uint32_t* flags,
                                 RxrtValue** result);

/* A result, or a field of one. Accessors of the wrong kind return NULL or 0. */
RXRT_API RxrtValueKind relaxrt_value_kind(const RxrtValue* value);
RXRT_API const DLTensor* relaxrt_value_tensor(const RxrtValue* value);
RXRT_API int32_t relaxrt_value_tuple_size(const RxrtValue* value);
RXRT_API const RxrtValue* relaxrt_value_field(const RxrtValue* value, int32_t index);
RXRT_API const int64_t* relaxrt_value_shape(const RxrtValue* value, int32_t* ndim);
RXRT_API int64_t relaxrt_value_int(const RxrtValue* value);
RXRT_API double relaxrt_value_float(const RxrtValue* value);
RXRT_API const char* relaxrt_value_string(const RxrtValue* value);
/* The tensor of a TENSOR value (a result or one of its fields) as a DLManagedTensor the caller
 * owns (release it with its deleter, or relaxrt_tensor_free); the value keeps a view of it. */
RXRT_API DLManagedTensor* relaxrt_value_take_tensor(const RxrtValue* value);
/* Releases a result from relaxrt_call (not a field). NULL is allowed. */
RXRT_API void relaxrt_value_free(RxrtValue* value);
/* Calls the deleter; NULL is allowed. */
RXRT_API void relaxrt_tensor_free(DLManagedTensor* tensor);

/* ---- Arrays from .npy and .npz files ------------------------------------------------------ */

typedef struct RxrtArrays RxrtArrays;

/* A .npy file (one array, named "") or a .npz archive (one per member, named by its key without
 * ".npy"), mapped and used in place where the layout allows. Tensors stay valid until
 * relaxrt_arrays_free. */
RXRT_API RxrtStatus relaxrt_arrays_load(const char* path, RxrtArrays** arrays);
RXRT_API int32_t relaxrt_arrays_count(const RxrtArrays* arrays);
RXRT_API const char* relaxrt_arrays_name(const RxrtArrays* arrays, int32_t index);
RXRT_API const DLTensor* relaxrt_arrays_tensor(const RxrtArrays* arrays, int32_t index);
/* The index of the array named `name`, or -1. */
RXRT_API int32_t relaxrt_arrays_find(const RxrtArrays* arrays, const char* name);
RXRT_API void relaxrt_arrays_free(RxrtArrays* arrays);

/* ---- Threads ----------------------------------------------------------------------------- */

/* Threads of parallel loops, for the whole process (default: every core); RXRT_ERROR_INVALID
 * below 1. Safe while other threads run calls: loops already running finish on the old pool.
 * The worker threads start once the process's parallel loops have done enough work to pay for
 * starting them (about 2 million statements, a millisecond or two); until then, and in a
 * process that only ever runs a small model a few times, loops run on the calling thread. */
RXRT_API RxrtStatus relaxrt_set_threads(int32_t threads);
RXRT_API int32_t relaxrt_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* RELAXRT_RELAXRT_H_ */

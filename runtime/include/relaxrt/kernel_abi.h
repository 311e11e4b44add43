/* The calling convention shared by compiled TensorIR kernels, the runtime's built-in functions
 * and plugin libraries. A function takes its arguments as an array of tagged values (tensors are
 * DLPack DLTensors, as in the destination-passing style of R.call_dps_packed: inputs first, then
 * the outputs it writes) and returns 0 on success. On failure it returns non-zero and fills
 * *error; the message must stay valid after the call returns (a string literal, or a buffer
 * owned by the library). C99, so plugins can be written in C or C++. */
#ifndef RELAXRT_KERNEL_ABI_H_
#define RELAXRT_KERNEL_ABI_H_

#include <dlpack/dlpack.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RX_ARG_TENSOR = 0, /* value.tensor */
  RX_ARG_INT = 1,    /* value.i64 */
  RX_ARG_FLOAT = 2,  /* value.f64 */
} RxArgKind;

typedef union {
  DLTensor* tensor;
  int64_t i64;
  double f64;
} RxValue;

typedef struct {
  const char* message; /* what went wrong, naming the function, argument and dimension */
  int32_t has_values;  /* when non-zero, "expected" and "actual" complete the message */
  int64_t expected;
  int64_t actual;
} RxError;

typedef int32_t (*RxFunction)(const RxValue* args, const int32_t* kinds, int32_t num_args, RxError* error);

/* Compiled TensorIR kernels are exported from the native code of a .rx under this prefix
 * followed by the prim_func's name, so a kernel never clashes with a C library symbol. */
#define RX_KERNEL_SYMBOL_PREFIX "__rx_kernel_"

/* T.call_packed in a kernel calls a runtime function by name. The native code lists those names
 * in a table under this symbol, ended by an entry whose name is NULL; the loader stores each
 * function's address through `slot` before any kernel runs (a kernel finding a null slot fails
 * with a message naming the function). */
typedef struct {
  const char* name;
  RxFunction* slot;
} RxPackedFunctionSlot;
#define RX_PACKED_FUNCTIONS_SYMBOL "__rx_packed_functions"

/* When a runtime function fails inside a kernel, the kernel calls the function the loader stored
 * in this pointer (if any) with the kernel's own context ("mm: T.call_packed(\"f\")"), which
 * rewrites error->message to carry both. */
typedef void (*RxPackedFailureHook)(const char* context, RxError* error);
#define RX_PACKED_FAILURE_HOOK_SYMBOL "__rx_packed_failed"

/* What a compiled kernel's entry checks of its arguments, as data that the runtime's checker
 * reads: the same checks written as code made most of a small kernel's code and of its compile
 * time. The checker runs them in order and stops at the first that fails, filling *error with
 * the message the table names (and, where it says so, the expected and actual values). */
typedef enum {
  RX_DIM_EQUALS = 0,     /* the extent must be `value` */
  RX_DIM_BINDS = 1,      /* the extent is stored in vars[slot] (a symbolic size's first use) */
  RX_DIM_EQUALS_VAR = 2, /* the extent must be vars[slot] */
  RX_DIM_BY_CODE = 3,    /* the kernel checks it itself, after the checker */
} RxDimCheckKind;

typedef struct {
  int32_t how; /* RxDimCheckKind */
  int32_t slot;
  int64_t value;
  const char* mismatch; /* reported with the expected and actual extents */
} RxDimCheck;

typedef struct {
  int32_t kind; /* RxArgKind the argument must have */
  int32_t ndim; /* for a tensor: its rank, its dtype and each dimension's check */
  uint8_t dtype_code;
  uint8_t dtype_bits;
  const char* kind_message;
  const char* null_message;
  const char* rank_message; /* reported with the expected and actual rank */
  const char* dtype_message;
  const char* layout_message; /* the tensor is not compact and row-major */
  const RxDimCheck* dims;
} RxArgCheck;

typedef struct {
  int32_t num_args;
  const char* count_message; /* reported with the expected and actual count */
  const RxArgCheck* args;
} RxKernelChecks;

typedef int32_t (*RxCheckArgs)(const RxKernelChecks* checks, const RxValue* args, const int32_t* kinds, int32_t num_args, int64_t* vars,
                               RxError* error);
/* The loader stores the runtime's checker in this pointer before any kernel runs. */
#define RX_CHECK_ARGS_SYMBOL "__rx_check_args"

#ifdef __cplusplus
}
#endif

#endif /* RELAXRT_KERNEL_ABI_H_ */

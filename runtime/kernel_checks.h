// The checker compiled kernels call on entry (kernel_abi.h: RxKernelChecks): the rank, dtype,
// extents and layout of each argument against the kernel's table, symbolic sizes bound from
// their first use.
#pragma once

#include "relaxrt/kernel_abi.h"

namespace relaxrt {

int32_t check_kernel_args(const RxKernelChecks* checks, const RxValue* args, const int32_t* kinds, int32_t num_args, int64_t* vars, RxError* error);

}  // namespace relaxrt

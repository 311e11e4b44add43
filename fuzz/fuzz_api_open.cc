// The C API's open and inspection of damaged files: relaxrt_open_memory on any bytes, then
// every function's signature. Its checksum stays as written, so damaged native code is refused
// (a .rx is code: loading a valid one runs it).
#include "fuzz_util.h"
#include "relaxrt/relaxrt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RxrtModule* module = nullptr;
  if (relaxrt_open_memory(data, size, "fuzz.rx", nullptr, &module) != RXRT_OK) {
    if (relaxrt_last_error()[0] == '\0') __builtin_trap();  // every failure says why
    return 0;
  }
  for (int32_t f = 0; f < relaxrt_function_count(module); ++f) {
    RxrtFunctionInfo info;
    if (relaxrt_function_info(module, f, &info) != RXRT_OK) __builtin_trap();
    for (int32_t p = 0; p < info.num_params; ++p) {
      RxrtParamInfo param;
      if (relaxrt_param_info(module, f, p, &param) != RXRT_OK) __builtin_trap();
    }
  }
  relaxrt_close(module);
  return 0;
}

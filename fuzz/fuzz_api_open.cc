// The C API's open and inspection of damaged files: relaxrt_open_memory on any bytes, then
// every function's signature. Its checksum stays as written, so damaged native code is refused
// (a .rx is code: loading a valid one runs it). libFuzzer's comparison tracing can still forge
// the CRC-32 (it did, and ld.so then stopped the process on a damaged relocation): an input
// that passes the checksum is opened only when its native code is one relaxc wrote, that of a
// seed in $RXRT_FUZZ_TRUSTED (scripts/fuzz.sh sets it), so what is fuzzed past the checksum
// is the rest of the file, never code the trust model leaves to the user.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "fuzz_util.h"
#include "relaxrt/relaxrt.h"
#include "runtime/byte_io.h"
#include "runtime/executable.h"

namespace {

std::set<std::string>& trusted_native_code() {
  static std::set<std::string> code;
  return code;
}

// The native code of a .rx, or nullopt when its bytes do not read as one.
std::optional<std::string> native_code_of(const uint8_t* data, size_t size) {
  std::shared_ptr<char> bytes = fuzz::aligned_copy(data, size);
  try {
    return std::string(relaxrt::deserialize_executable(std::string_view(bytes.get(), size), bytes).native_code);
  } catch (const relaxrt::FormatError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("RXRT_FUZZ_TRUSTED");
  if (dir == nullptr || !std::filesystem::is_directory(dir)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto code = native_code_of(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())) trusted_native_code().insert(*code);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<std::string> code = native_code_of(data, size);
  if (code && !code->empty() && !trusted_native_code().count(*code)) return 0;
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

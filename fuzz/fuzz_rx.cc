// The .rx reader and validator: every section and instruction checked, and the VM built over
// what it read (every function it calls resolved), without loading native code. For an input
// of even size the size field and checksum are fixed up first, so that mutations reach the
// sections behind them; odd sizes keep testing the checks themselves.
#include "fuzz_util.h"
#include "runtime/byte_io.h"
#include "runtime/crc32.h"
#include "runtime/executable.h"
#include "runtime/rx_layout.h"
#include "runtime/vm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<char> bytes = fuzz::aligned_copy(data, size);
  if (size % 2 == 0 && size >= relaxrt::kRxHeaderSize + relaxrt::kRxTrailerSize) {
    uint64_t total = size;
    std::memcpy(bytes.get() + 16, &total, 8);
    uint32_t crc = relaxrt::rx_checksum(std::string_view(bytes.get(), size - relaxrt::kRxTrailerSize));
    std::memcpy(bytes.get() + size - relaxrt::kRxTrailerSize, &crc, 4);
  }
  try {
    relaxrt::Executable exe = relaxrt::deserialize_executable(std::string_view(bytes.get(), size), bytes);
    relaxrt::NativeLibrary none;
    relaxrt::FunctionRegistry registry;
    relaxrt::VirtualMachine vm(exe, none, registry);
  } catch (const relaxrt::FormatError&) {
  } catch (const relaxrt::RuntimeError&) {  // functions the VM cannot resolve, named
  }
  return 0;
}

// .npy: the header parser and the copying reader, as relaxrun reads --input files.
#include "fuzz_util.h"
#include "runtime/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes = fuzz::text_of(data, size);
  relaxrt::NpyHeader header;
  std::string error;
  if (relaxrt::parse_npy_header(bytes, header, error) && header.data_offset + header.data_size > bytes.size()) __builtin_trap();
  relaxrt::HostArray array;
  if (relaxrt::parse_npy(bytes, array, error)) relaxrt::serialize_npy(array);
  return 0;
}

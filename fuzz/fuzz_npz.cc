// .npz: the zip container (stored and deflated members, ZIP64 fields) and every member's .npy,
// as relaxrun reads --params archives.
#include "fuzz_util.h"
#include "runtime/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<char> bytes = fuzz::aligned_copy(data, size);
  std::vector<relaxrt::ArrayView> views;
  std::string error;
  if (relaxrt::view_npz(std::string_view(bytes.get(), size), bytes, views, error)) {
    volatile char sink = 0;
    for (const relaxrt::ArrayView& view : views) {
      if (view.header.data_size) sink = sink ^ view.data[view.header.data_size - 1];  // every view in bounds
    }
  }
  return 0;
}

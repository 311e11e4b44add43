// The C API's arrays: .npy and .npz files as named DLTensors (runtime/array_files.h).
#include <cstring>

#include "runtime/api/api_state.h"
#include "runtime/array_files.h"

using relaxrt::api::ApiError;
using relaxrt::api::guarded;

using namespace relaxrt;

namespace {

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

extern "C" {

RxrtStatus relaxrt_arrays_load(const char* path, RxrtArrays** arrays) {
  return guarded([&] {
    if (!path || !arrays) throw ApiError(RXRT_ERROR_INVALID, "relaxrt_arrays_load: path and arrays must not be NULL");
    *arrays = nullptr;
    auto loaded = std::make_unique<RxrtArrays>();
    try {
      if (ends_with(path, ".npz")) {
        for (NamedValue& entry : map_npz_file(path)) {
          loaded->names.push_back(entry.name);
          loaded->tensors.push_back(entry.value.tensor);
        }
      } else {
        loaded->names.emplace_back();
        loaded->tensors.push_back(map_npy_file(path).tensor);
      }
    } catch (const ArrayFileError& e) {
      throw ApiError(e.kind() == ArrayFileError::Kind::Unreadable ? RXRT_ERROR_IO : RXRT_ERROR_FORMAT, e.what());
    }
    *arrays = loaded.release();
  });
}

int32_t relaxrt_arrays_count(const RxrtArrays* arrays) { return arrays ? static_cast<int32_t>(arrays->tensors.size()) : 0; }

const char* relaxrt_arrays_name(const RxrtArrays* arrays, int32_t index) {
  if (index < 0 || index >= relaxrt_arrays_count(arrays)) return nullptr;
  return arrays->names[static_cast<size_t>(index)].c_str();
}

const DLTensor* relaxrt_arrays_tensor(const RxrtArrays* arrays, int32_t index) {
  if (index < 0 || index >= relaxrt_arrays_count(arrays)) return nullptr;
  return &arrays->tensors[static_cast<size_t>(index)]->dl;
}

int32_t relaxrt_arrays_find(const RxrtArrays* arrays, const char* name) {
  if (!name) return -1;
  for (int32_t i = 0; i < relaxrt_arrays_count(arrays); ++i) {
    if (arrays->names[static_cast<size_t>(i)] == name) return i;
  }
  return -1;
}

void relaxrt_arrays_free(RxrtArrays* arrays) { delete arrays; }

}  // extern "C"

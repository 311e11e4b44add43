// Reading and writing NumPy .npz archives (zip files of .npy members, stored or deflated;
// numpy writes ZIP64 extra fields, which libzip reads from the central directory).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/npy.h"

namespace relaxrt {

struct NamedArray {
  std::string name;  // the member name without ".npy"
  HostArray array;
};

// On failure returns false and sets `error` to one line (the caller prefixes the file name).
bool parse_npz(const std::string& bytes, std::vector<NamedArray>& out, std::string& error);
// A deflated archive, as numpy.savez_compressed writes; throws std::runtime_error on failure.
std::string serialize_npz(const std::vector<NamedArray>& arrays);

}  // namespace relaxrt

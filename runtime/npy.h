// Reading and writing NumPy .npy arrays (format versions 1-3, little-endian, C order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relaxrt {

struct HostArray {
  std::string dtype;  // "float32", "int64", "uint8", ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
  int64_t element_count() const;
};

// Parses .npy bytes. On failure returns false and sets `error` to one line saying what was
// expected and what was found (the caller prefixes the input's name).
bool parse_npy(const std::string& bytes, HostArray& out, std::string& error);
std::string serialize_npy(const HostArray& array);

}  // namespace relaxrt

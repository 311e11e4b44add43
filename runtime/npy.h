// Reading and writing NumPy .npy arrays (format versions 1-3, little-endian, C order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relaxrt {

struct HostArray {
  std::string dtype;  // "float32", "int64", "uint8", ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
  int64_t element_count() const;
};

struct NpyHeader {
  std::string dtype;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // the array's bytes are [data_offset, data_offset + data_size)
  size_t data_size = 0;
};

// Checks a whole .npy file and reads its header, without copying the data.
bool parse_npy_header(std::string_view bytes, NpyHeader& out, std::string& error);

// Parses .npy bytes. On failure returns false and sets `error` to one line saying what was
// expected and what was found (the caller prefixes the input's name).
bool parse_npy(const std::string& bytes, HostArray& out, std::string& error);
std::string serialize_npy(const HostArray& array);
// What comes before the elements in a .npy of that dtype and shape (64-byte aligned).
std::string npy_header(const std::string& dtype, const std::vector<int64_t>& shape);

}  // namespace relaxrt

// Element types the runtime moves around, named as numpy and TVM name them.
#pragma once

#include <dlpack/dlpack.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relaxrt {

struct ElementType {
  const char* name;     // "float32"
  uint8_t code;         // DLPack type code
  uint8_t bits;         // DLPack bits (1 for bool)
  uint8_t bytes;        // storage size of one element
  const char* npy;      // numpy's descr: "<f4"
};

std::optional<ElementType> parse_element_type(const std::string& name);
std::optional<ElementType> element_type_of(DLDataType type);
// The product of the extents; nullopt when one is negative or the product overflows int64.
std::optional<int64_t> element_count(const std::vector<int64_t>& shape);
std::string shape_text(const std::vector<int64_t>& shape);  // "(1, 784)"

}  // namespace relaxrt

// The element types the runtime knows, by name and by DLPack code, and shape arithmetic.
#include "runtime/dtype.h"

namespace relaxrt {

namespace {
constexpr ElementType kTypes[] = {
    {"bool", kDLUInt, 1, 1, "|b1"},     {"int8", kDLInt, 8, 1, "|i1"},      {"int16", kDLInt, 16, 2, "<i2"},
    {"int32", kDLInt, 32, 4, "<i4"},    {"int64", kDLInt, 64, 8, "<i8"},    {"uint8", kDLUInt, 8, 1, "|u1"},
    {"float16", kDLFloat, 16, 2, "<f2"}, {"float32", kDLFloat, 32, 4, "<f4"}, {"float64", kDLFloat, 64, 8, "<f8"},
    {"bfloat16", kDLBfloat, 16, 2, "<V2"},  // numpy has no bfloat16; ml_dtypes' np.save writes '<V2'
};
}  // namespace

std::optional<ElementType> parse_element_type(const std::string& name) {
  for (const ElementType& t : kTypes) {
    if (name == t.name) return t;
  }
  return std::nullopt;
}

std::optional<ElementType> element_type_of(DLDataType type) {
  if (type.lanes != 1) return std::nullopt;
  for (const ElementType& t : kTypes) {
    if (t.code == type.code && t.bits == type.bits) return t;
  }
  return std::nullopt;
}

std::optional<int64_t> element_count(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t extent : shape) {
    if (extent < 0) return std::nullopt;
    if (extent != 0 && count > INT64_MAX / extent) return std::nullopt;
    count *= extent;
  }
  return count;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) text += ",";
  return text + ")";
}

}  // namespace relaxrt

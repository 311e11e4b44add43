// Element values as doubles, and comparing a result with an expected array within tolerances.
#include "runtime/compare_arrays.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace relaxrt {

double element_as_double(const Tensor& t, int64_t i) {
  const char* p = static_cast<const char*>(t.data) + i * t.type.bytes;
  std::string name = t.type.name;
  if (name == "float32") { float v; std::memcpy(&v, p, 4); return v; }
  if (name == "float64") { double v; std::memcpy(&v, p, 8); return v; }
  if (name == "int32") { int32_t v; std::memcpy(&v, p, 4); return v; }
  if (name == "int64") { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  if (name == "int16") { int16_t v; std::memcpy(&v, p, 2); return v; }
  if (name == "int8") return static_cast<int8_t>(*p);
  if (name == "uint8" || name == "bool") return static_cast<uint8_t>(*p);
  if (name == "bfloat16") {  // the upper half of a float32
    uint16_t h;
    std::memcpy(&h, p, 2);
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  if (name == "float16") {
    uint16_t h;
    std::memcpy(&h, p, 2);
    int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v = exponent == 0 ? std::ldexp(mantissa, -24) : exponent == 31 ? (mantissa ? NAN : INFINITY) : std::ldexp(mantissa + 1024, exponent - 25);
    return (h & 0x8000) ? -v : v;
  }
  return NAN;
}

namespace {
std::string index_text(const std::vector<int64_t>& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return shape_text(index);
}
}  // namespace

Comparison compare_arrays(const Tensor& actual, const Tensor& expected, double atol, double rtol) {
  Comparison result;
  if (actual.shape != expected.shape) {
    result.message = "shape mismatch: the result has shape " + shape_text(actual.shape) + " but the expected array has " + shape_text(expected.shape);
    return result;
  }
  int64_t count = actual.element_count();
  double max_diff = 0;
  for (int64_t i = 0; i < count; ++i) {
    double a = element_as_double(actual, i), e = element_as_double(expected, i);
    if (std::isnan(a) && std::isnan(e)) continue;
    double diff = std::fabs(a - e);
    double tolerance = atol + rtol * std::fabs(e);
    if (!(diff <= tolerance) && !(a == e)) {
      std::ostringstream out;
      out.precision(9);
      out << "mismatch at index " << index_text(actual.shape, i) << ": got " << a << " but expected " << e << " (difference " << diff
          << " > tolerance " << tolerance << ")";
      result.message = out.str();
      return result;
    }
    if (std::isfinite(diff)) max_diff = std::max(max_diff, diff);
  }
  std::ostringstream out;
  out.precision(3);
  out << "all " << count << " values within atol=" << atol << " rtol=" << rtol << " (max abs difference " << max_diff << ")";
  result.equal = true;
  result.message = out.str();
  return result;
}

}  // namespace relaxrt

// numpy.allclose-style comparison for `relaxrun --expected`: |actual - expected| <= atol +
// rtol * |expected| element by element, NaN equal to NaN; reports the first mismatch.
#pragma once

#include <string>

#include "runtime/value.h"

namespace relaxrt {

struct Comparison {
  bool equal = false;
  std::string message;  // "all 10 values match (max abs difference 3.8e-06)" or the first mismatch
};

Comparison compare_arrays(const Tensor& actual, const Tensor& expected, double atol, double rtol);
double element_as_double(const Tensor& tensor, int64_t index);

}  // namespace relaxrt

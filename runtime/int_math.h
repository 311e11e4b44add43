// Integer arithmetic shared by shape computations at compile time and at run time, so both
// agree exactly: floor division as TVM (and Python) define it, with overflow reported.
#pragma once

#include <cstdint>

namespace relaxrt {

// a // b and a % b rounded toward negative infinity; false for b == 0 or an overflow.
inline bool floor_div_mod(int64_t a, int64_t b, int64_t* quotient, int64_t* remainder) {
  if (b == 0 || (a == INT64_MIN && b == -1)) return false;
  int64_t q = a / b, r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) {
    q -= 1;
    r += b;
  }
  *quotient = q;
  *remainder = r;
  return true;
}

}  // namespace relaxrt

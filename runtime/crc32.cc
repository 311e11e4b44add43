#include "runtime/crc32.h"

#include <zlib.h>

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace relaxrt {

namespace {

uint32_t zlib_crc(uint32_t crc, const char* data, size_t size) {
  uLong c = crc;
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    c = crc32(c, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(c);
}

#if defined(__x86_64__)
// Folding in the bit-reflected domain (Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction", Intel, 2009). Each constant is x^n mod P, bit-
// reflected, for the distances the folds span: 4 x 128 + 32 and 4 x 128 - 32 bits (four lanes
// at once), 128 + 32 and 128 - 32 (one lane), 64 (to 64 bits); then P and floor(x^64 / P) for
// the Barrett reduction to 32 bits.
constexpr uint64_t kFold4Low = 0x154442bd4, kFold4High = 0x1c6e41596;
constexpr uint64_t kFold1Low = 0x1751997d0, kFold1High = 0x0ccaa009e;
constexpr uint64_t kFold64 = 0x163cd6124;
constexpr uint64_t kPolynomial = 0x1db710641, kBarrettMu = 0x1f7011641;

__attribute__((target("pclmul,sse4.1"))) __m128i fold(__m128i acc, __m128i constants, __m128i next) {
  __m128i low = _mm_clmulepi64_si128(acc, constants, 0x00);
  __m128i high = _mm_clmulepi64_si128(acc, constants, 0x11);
  return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

// The CRC state (not inverted) over `size` bytes, a multiple of 16 and at least 64.
__attribute__((target("pclmul,sse4.1"))) uint32_t folded_crc(uint32_t state, const char* data, size_t size) {
  auto load = [](const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
  __m128i x0 = _mm_xor_si128(load(data), _mm_cvtsi32_si128(static_cast<int>(state)));
  __m128i x1 = load(data + 16), x2 = load(data + 32), x3 = load(data + 48);
  const __m128i four = _mm_set_epi64x(static_cast<long long>(kFold4High), static_cast<long long>(kFold4Low));
  size_t at = 64;
  for (; at + 64 <= size; at += 64) {
    x0 = fold(x0, four, load(data + at));
    x1 = fold(x1, four, load(data + at + 16));
    x2 = fold(x2, four, load(data + at + 32));
    x3 = fold(x3, four, load(data + at + 48));
  }
  const __m128i one = _mm_set_epi64x(static_cast<long long>(kFold1High), static_cast<long long>(kFold1Low));
  x0 = fold(fold(fold(x0, one, x1), one, x2), one, x3);
  for (; at + 16 <= size; at += 16) x0 = fold(x0, one, load(data + at));
  // 128 bits to 64, to 32 (x^64 mod P folds the low half in), then Barrett's reduction.
  const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
  x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), _mm_clmulepi64_si128(x0, one, 0x10));
  __m128i shifted = _mm_srli_si128(x0, 4);
  x0 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x0, low32), _mm_set_epi64x(0, static_cast<long long>(kFold64)), 0x00), shifted);
  const __m128i barrett = _mm_set_epi64x(static_cast<long long>(kBarrettMu), static_cast<long long>(kPolynomial));
  __m128i t = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x0, low32), barrett, 0x10), low32);
  x0 = _mm_xor_si128(x0, _mm_clmulepi64_si128(t, barrett, 0x00));
  return static_cast<uint32_t>(_mm_extract_epi32(x0, 1));
}

bool has_carry_less_multiply() {
  static const bool present = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return present;
}
#endif

}  // namespace

uint32_t crc32_of(std::string_view bytes, uint32_t crc) {
  const char* data = bytes.data();
  size_t size = bytes.size();
#if defined(__x86_64__)
  if (size >= 64 && has_carry_less_multiply()) {
    size_t folded = size & ~static_cast<size_t>(15);
    crc = ~folded_crc(~crc, data, folded);
    data += folded;
    size -= folded;
  }
#endif
  return zlib_crc(crc, data, size);
}

}  // namespace relaxrt

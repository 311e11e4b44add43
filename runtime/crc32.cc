#include "runtime/crc32.h"

#include <zlib.h>

#include <algorithm>

#include "runtime/cpu_features.h"

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

// Sixteen lanes at once (four 512-bit registers of four lanes each, 256 bytes a step) where the
// CPU multiplies carry-less in 512-bit registers: the 400 KB of a small model's weights are
// checked at every load, and the 128-bit folds above run at about 7 GB/s. The constants span
// 16 x 128 + 32 and 16 x 128 - 32 bits. Fills `lanes` with the four-lane state after the
// returned number of bytes (a multiple of 64), as the four-lane loop would have it.
constexpr uint64_t kFold16Low = 0x11542778a, kFold16High = 0x1322d1430;

__attribute__((target("avx512f,vpclmulqdq"))) __m512i fold512(__m512i acc, __m512i constants, __m512i next) {
  __m512i low = _mm512_clmulepi64_epi128(acc, constants, 0x00);
  __m512i high = _mm512_clmulepi64_epi128(acc, constants, 0x11);
  return _mm512_ternarylogic_epi64(low, high, next, 0x96);  // low ^ high ^ next
}

__attribute__((target("avx512f,vpclmulqdq"))) size_t wide_fold(uint32_t state, const char* data, size_t size, __m128i lanes[4]) {
  __m512i z0 = _mm512_xor_si512(_mm512_loadu_si512(data), _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(state))));
  __m512i z1 = _mm512_loadu_si512(data + 64), z2 = _mm512_loadu_si512(data + 128), z3 = _mm512_loadu_si512(data + 192);
  const long long h16 = static_cast<long long>(kFold16High), l16 = static_cast<long long>(kFold16Low);
  const long long h4 = static_cast<long long>(kFold4High), l4 = static_cast<long long>(kFold4Low);
  const __m512i sixteen = _mm512_set_epi64(h16, l16, h16, l16, h16, l16, h16, l16);
  const __m512i four = _mm512_set_epi64(h4, l4, h4, l4, h4, l4, h4, l4);
  size_t at = 256;
  for (; at + 256 <= size; at += 256) {
    z0 = fold512(z0, sixteen, _mm512_loadu_si512(data + at));
    z1 = fold512(z1, sixteen, _mm512_loadu_si512(data + at + 64));
    z2 = fold512(z2, sixteen, _mm512_loadu_si512(data + at + 128));
    z3 = fold512(z3, sixteen, _mm512_loadu_si512(data + at + 192));
  }
  // Each register's lanes are 64 bytes ahead of the last one's: folded by 512 bits into it.
  z3 = fold512(fold512(fold512(z0, four, z1), four, z2), four, z3);
  for (; at + 64 <= size; at += 64) z3 = fold512(z3, four, _mm512_loadu_si512(data + at));
  _mm512_storeu_si512(lanes, z3);
  return at;
}

bool has_wide_carry_less_multiply() {
  static const bool present = host_has_feature("avx512f") && host_has_feature("vpclmulqdq");
  return present;
}

// The CRC state (not inverted) over `size` bytes, a multiple of 16 and at least 64.
__attribute__((target("pclmul,sse4.1"))) uint32_t folded_crc(uint32_t state, const char* data, size_t size) {
  auto load = [](const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
  const __m128i four = _mm_set_epi64x(static_cast<long long>(kFold4High), static_cast<long long>(kFold4Low));
  __m128i x0, x1, x2, x3;
  size_t at = 64;
  if (size >= 256 && has_wide_carry_less_multiply()) {
    __m128i lanes[4];
    at = wide_fold(state, data, size, lanes);
    x0 = lanes[0], x1 = lanes[1], x2 = lanes[2], x3 = lanes[3];
  } else {
    x0 = _mm_xor_si128(load(data), _mm_cvtsi32_si128(static_cast<int>(state)));
    x1 = load(data + 16), x2 = load(data + 32), x3 = load(data + 48);
  }
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
  static const bool present = host_has_feature("pclmul") && host_has_feature("sse4.1");
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

#include <zlib.h>
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "runtime/crc32.h"

namespace {

uint32_t zlib_reference(const std::string& bytes, size_t at, size_t size, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(size)));
}

}  // namespace

// The folding path (64 bytes and more) and the table path (the rest, and short inputs) give
// zlib's CRC for every length up to 1100 at every alignment, for data chained in pieces, and for
// runs of zeros and of ones (a fold's carries all cancel or all propagate).
TEST_CASE("crc32_of equals zlib's crc32 at every length, alignment and split", "[crc32]") {
  std::mt19937 rng(20261203);
  std::string data(1200, '\0');
  for (char& c : data) c = static_cast<char>(rng() & 0xff);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t size = 0; size <= 1100; ++size) {
      REQUIRE(relaxrt::crc32_of(std::string_view(data).substr(offset, size)) == zlib_reference(data, offset, size));
    }
  }
  for (int trial = 0; trial < 200; ++trial) {
    size_t size = rng() % 1100, split = size ? rng() % size : 0;
    uint32_t first = relaxrt::crc32_of(std::string_view(data).substr(0, split));
    CHECK(relaxrt::crc32_of(std::string_view(data).substr(split, size - split), first) == zlib_reference(data, 0, size));
  }
  // A megabyte and an odd tail: many steps of the 256-byte folds where the CPU has them.
  std::string large(1 << 20 | 77, '\0');
  for (char& c : large) c = static_cast<char>(rng() & 0xff);
  CHECK(relaxrt::crc32_of(large) == zlib_reference(large, 0, large.size()));
  for (char fill : {'\0', '\xff'}) {
    std::string same(4096 + 13, fill);
    CHECK(relaxrt::crc32_of(same) == zlib_reference(same, 0, same.size()));
  }
}

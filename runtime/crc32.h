// CRC-32 (the zip and gzip polynomial, as zlib's crc32 computes it) of any length: with the
// carry-less multiply of x86-64 (PCLMULQDQ) the data is folded 64 bytes at a time, about ten
// times zlib's table-driven speed, so checking a model's weights (the .npz members' CRCs, the
// .rx checksum) costs little at load; elsewhere, and for what is left below 16 bytes, zlib.
#pragma once

#include <cstdint>
#include <string_view>

namespace relaxrt {

// The CRC of `bytes` continuing `crc` (0 to start), as zlib's crc32(crc, bytes, size).
uint32_t crc32_of(std::string_view bytes, uint32_t crc = 0);

}  // namespace relaxrt

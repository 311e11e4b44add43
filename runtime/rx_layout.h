// The fixed parts of the .rx byte layout (docs/rx-format.md), shared by the writer
// (executable_io.cc) and the reader (executable_reader.cc) so the two cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>

namespace relaxrt {

enum class RxSection : uint32_t {
  Meta = 1, Functions = 2, FunctionTable = 3, Bytecode = 4, Constants = 5, ConstantData = 6, NativeCode = 7, RuntimeFunctions = 8,
  ProfileInfo = 9,
};
constexpr uint32_t kRxSectionCount = 9;
// Versions 1 and 2 lack the profile section.
inline uint32_t rx_section_count(uint32_t version) { return version >= 3 ? kRxSectionCount : 8; }
constexpr size_t kRxHeaderSize = 24;        // magic, version, section count, file size
constexpr size_t kRxSectionEntrySize = 24;  // kind, reserved, offset, size
constexpr size_t kRxTrailerSize = 8;        // CRC-32, zero

}  // namespace relaxrt

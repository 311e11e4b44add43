#include "compiler/schedule/target.h"

#include <algorithm>

namespace relaxc::schedule {

int64_t Target::lanes(DataType dtype) const {
  int bits = std::max(8, dtype_bits(dtype));
  return std::max<int64_t>(1, vector_bits / bits);
}

int64_t Target::parallel_min_statements(const std::string& cpu) { return cpu.rfind("znver", 0) == 0 ? 1 << 16 : 1 << 18; }

Target Target::from_features(const std::string& cpu, const std::vector<std::string>& features, int cores, int64_t l1_bytes, int64_t l2_bytes) {
  auto has = [&](const char* name) { return std::find(features.begin(), features.end(), name) != features.end(); };
  Target t;
  if (has("avx512f")) {
    t.vector_bits = 512, t.vector_registers = 32;
  } else if (has("avx2") || has("avx")) {
    t.vector_bits = 256, t.vector_registers = 16;
  } else if (has("sve")) {
    t.vector_bits = 128, t.vector_registers = 32;  // the architectural minimum of SVE
  } else if (has("neon")) {
    t.vector_bits = 128, t.vector_registers = 32;
  }
  t.cores = std::max(1, cores);
  if (l1_bytes > 0) t.l1_bytes = l1_bytes;
  if (l2_bytes > 0) t.l2_bytes = l2_bytes;
  t.description = cpu + ": " + std::to_string(t.vector_bits) + "-bit vectors, " + std::to_string(t.vector_registers) + " vector registers, " +
                  std::to_string(t.cores) + (t.cores == 1 ? " core" : " cores");
  return t;
}

}  // namespace relaxc::schedule

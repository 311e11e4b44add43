// The names TVM renamed in 2026 (apache/tvm #18689, #18865, #19853, #19889): one table, read by
// the front end (which reads either name as the chapter's) and the printer (which writes the
// current one with --spelling=current).
#pragma once

#include <string>

namespace relaxc {

struct Renamed {
  const char* chapter;  // TVM until 2026, and the course
  const char* current;
};

inline constexpr Renamed kRenamedNames[] = {
    {"T.block", "T.sblock"},
    {"T.block_attr", "T.sblock_attr"},
    {"T.alloc_buffer", "T.sblock_alloc_buffer"},
    {"R.Object", "R.Any"},
};
inline constexpr Renamed kRenamedKeywords[] = {
    {"out_sinfo", "out_ty"},
    {"sinfo_args", "ty_args"},
};

// `current` spelled the chapter's way; any other name unchanged.
template <size_t N>
std::string chapter_spelling(const Renamed (&table)[N], const std::string& name) {
  for (const Renamed& r : table) {
    if (name == r.current) return r.chapter;
  }
  return name;
}
// `chapter` spelled the current way; any other name unchanged.
template <size_t N>
std::string current_spelling_of(const Renamed (&table)[N], const std::string& name) {
  for (const Renamed& r : table) {
    if (name == r.chapter) return r.current;
  }
  return name;
}

// Attribute keys: "tirx.noalias" is the current spelling of "tir.noalias", and so on.
inline std::string chapter_attr_key(const std::string& key) { return key.rfind("tirx.", 0) == 0 ? "tir." + key.substr(5) : key; }
inline std::string current_attr_key(const std::string& key) { return key.rfind("tir.", 0) == 0 ? "tirx." + key.substr(4) : key; }

}  // namespace relaxc

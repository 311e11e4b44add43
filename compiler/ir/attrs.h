// Attribute values of T.func_attr / T.block_attr / R.func_attr and of operator keywords:
// strings, numbers, booleans, None, lists and string-keyed dicts. Unknown keys are carried.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/support/source.h"

namespace relaxc {

struct AttrValue;
using AttrValuePtr = std::shared_ptr<const AttrValue>;

struct AttrValue {
  enum class Kind { None, Bool, Int, Float, String, List, Dict };
  Kind kind = Kind::None;
  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string string_value;
  std::vector<AttrValuePtr> items;                           // List
  std::vector<std::pair<std::string, AttrValuePtr>> entries;  // Dict, in source order
  // "T.target" for `T.target("llvm")` or `T.target({...})`: the value above, wrapped in that call
  // (TVM's Target object; relaxc compiles for its own --target and keeps this as written).
  std::string wrapper;
  SourceLoc loc;
};

using AttrDict = std::vector<std::pair<std::string, AttrValuePtr>>;

// The value of `key` in `attrs`, or null.
inline const AttrValue* find_attr(const AttrDict& attrs, const std::string& key) {
  for (const auto& [k, v] : attrs) {
    if (k == key) return v.get();
  }
  return nullptr;
}

}  // namespace relaxc

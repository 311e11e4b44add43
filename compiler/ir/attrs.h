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

// Values made by passes (the parser builds its own, with positions).
inline AttrValuePtr bool_attr_value(bool v) {
  auto a = std::make_shared<AttrValue>();
  a->kind = AttrValue::Kind::Bool;
  a->bool_value = v;
  return a;
}
inline AttrValuePtr int_attr_value(int64_t v) {
  auto a = std::make_shared<AttrValue>();
  a->kind = AttrValue::Kind::Int;
  a->int_value = v;
  return a;
}
inline AttrValuePtr string_attr_value(std::string v) {
  auto a = std::make_shared<AttrValue>();
  a->kind = AttrValue::Kind::String;
  a->string_value = std::move(v);
  return a;
}
inline AttrValuePtr int_list_attr_value(const std::vector<int64_t>& values) {
  auto a = std::make_shared<AttrValue>();
  a->kind = AttrValue::Kind::List;
  for (int64_t v : values) a->items.push_back(int_attr_value(v));
  return a;
}

// A Relax function whose results the VM keeps for frozen arguments (VMFunction::cache_results):
// the weight transforms of pack_weights and fold_batch_norm.
inline constexpr const char* kWeightTransformAttr = "relaxc.weight_transform";

// The value of `key` in `attrs`, or null.
inline const AttrValue* find_attr(const AttrDict& attrs, const std::string& key) {
  for (const auto& [k, v] : attrs) {
    if (k == key) return v.get();
  }
  return nullptr;
}

}  // namespace relaxc

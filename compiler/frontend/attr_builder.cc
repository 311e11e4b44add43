#include "compiler/frontend/attr_builder.h"

#include <algorithm>

namespace relaxc::frontend {

AttrValuePtr build_attr_value(P::ExprContext* ctx) {
  auto value = std::make_shared<AttrValue>();
  value->loc = loc_of(ctx);
  ctx = strip_parens(ctx);
  if (std::optional<int64_t> integer = integer_literal(ctx)) {
    value->kind = AttrValue::Kind::Int;
    value->int_value = *integer;
    return value;
  }
  if (std::optional<double> number = float_literal(ctx)) {
    value->kind = AttrValue::Kind::Float;
    value->float_value = *number;
    return value;
  }
  if (std::optional<std::string> text = string_literal(ctx)) {
    value->kind = AttrValue::Kind::String;
    value->string_value = *text;
    return value;
  }
  if (std::optional<std::vector<P::ExprContext*>> items = sequence_elements(ctx)) {
    value->kind = AttrValue::Kind::List;
    for (P::ExprContext* item : *items) value->items.push_back(build_attr_value(item));
    return value;
  }
  if (auto* atom = dynamic_cast<P::AtomExprContext*>(ctx)) {
    if (auto* boolean = dynamic_cast<P::BoolAtomContext*>(atom->atom())) {
      value->kind = AttrValue::Kind::Bool;
      value->bool_value = boolean->TRUE() != nullptr;
      return value;
    }
    if (dynamic_cast<P::NoneAtomContext*>(atom->atom())) return value;
    if (dynamic_cast<P::DictAtomContext*>(atom->atom())) {
      value->kind = AttrValue::Kind::Dict;
      value->entries = build_attr_dict(ctx, "a nested attribute dict");
      return value;
    }
  }
  if (std::optional<CallSyntax> call = as_call(ctx)) {
    // T.FloatImm("float32", 0.1), T.IntImm("int64", 4): TVM's node constructors of a constant.
    if ((call->callee_name == "T.FloatImm" || call->callee_name == "T.IntImm") && call->positional.size() == 2 && call->keywords.empty()) {
      AttrValuePtr inner = build_attr_value(call->positional[1]);
      if (!string_literal(call->positional[0])) fail(loc_of(call->positional[0]), call->callee_name + " takes a dtype string first");
      if (call->callee_name == "T.IntImm" && inner->kind == AttrValue::Kind::Int) return inner;
      if (call->callee_name == "T.FloatImm" && (inner->kind == AttrValue::Kind::Float || inner->kind == AttrValue::Kind::Int)) {
        value->kind = AttrValue::Kind::Float;
        value->float_value = inner->kind == AttrValue::Kind::Int ? static_cast<double>(inner->int_value) : inner->float_value;
        return value;
      }
    }
    // T.bool(True), T.int32(4), T.float32(0.5): typed constants as TVM prints them.
    if (call->positional.size() == 1 && call->keywords.empty()) {
      AttrValuePtr inner = build_attr_value(call->positional[0]);
      if (call->callee_name == "T.target" && (inner->kind == AttrValue::Kind::String || inner->kind == AttrValue::Kind::Dict)) {
        auto target = std::make_shared<AttrValue>(*inner);
        target->wrapper = "T.target";
        return target;
      }
      if (call->callee_name == "T.bool" && inner->kind == AttrValue::Kind::Bool) return inner;
      if (call->callee_name == "T.bool" && inner->kind == AttrValue::Kind::Int) {
        value->kind = AttrValue::Kind::Bool;
        value->bool_value = inner->int_value != 0;
        return value;
      }
      if ((call->callee_name == "T.int32" || call->callee_name == "T.int64") && inner->kind == AttrValue::Kind::Int) {
        return inner;
      }
      if ((call->callee_name == "T.float32" || call->callee_name == "T.float64") &&
          (inner->kind == AttrValue::Kind::Float || inner->kind == AttrValue::Kind::Int)) {
        value->kind = AttrValue::Kind::Float;
        value->float_value = inner->kind == AttrValue::Kind::Int ? static_cast<double>(inner->int_value)
                                                                 : inner->float_value;
        return value;
      }
    }
  }
  fail(value->loc, "unsupported attribute value; expected a string, number, boolean, None, list or dict");
}

AttrDict build_attr_dict(P::ExprContext* ctx, const std::string& what, const std::vector<std::string>& skip) {
  auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(ctx));
  auto* dict = atom ? dynamic_cast<P::DictAtomContext*>(atom->atom()) : nullptr;
  if (dict == nullptr) fail(loc_of(ctx), what + " must be a dict literal such as {\"key\": value}");
  AttrDict entries;
  for (P::DictEntryContext* entry : dict->dictEntry()) {
    std::optional<std::string> key = string_literal(entry->key);
    if (!key) fail(loc_of(entry->key), "attribute keys must be strings");
    for (const auto& existing : entries) {
      if (existing.first == *key) fail(loc_of(entry->key), "attribute '" + *key + "' given twice");
    }
    if (std::find(skip.begin(), skip.end(), *key) != skip.end()) continue;
    entries.emplace_back(*key, build_attr_value(entry->value));
  }
  return entries;
}

}  // namespace relaxc::frontend

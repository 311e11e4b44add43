#include "compiler/codegen/frozen_variant.h"

#include "compiler/support/diagnostics.h"

namespace relaxc::codegen {

namespace {

class AttrChecker {
 public:
  AttrChecker(const AttrValue& attr, const relax::Function& func) : attr_(attr), func_(func) {}

  CompileError fail(const std::string& what) const {
    return CompileError(attr_.loc.valid() ? attr_.loc : func_.loc, "relaxc.frozen_variant of @" + func_.name + " " + what);
  }

  // A parameter position, of a tensor.
  int64_t tensor_param(const AttrValue& item, const std::string& key) const {
    int64_t last = static_cast<int64_t>(func_.params.size()) - 1;
    if (item.kind != AttrValue::Kind::Int || item.int_value < 0 || item.int_value > last) {
      throw fail("\"" + key + "\" must hold positions of parameters, 0 to " + std::to_string(last));
    }
    if (func_.params[static_cast<size_t>(item.int_value)]->sinfo->kind != relax::StructInfoKind::Tensor) {
      throw fail("\"" + key + "\" names parameter " + std::to_string(item.int_value) + ", which is not a tensor");
    }
    return item.int_value;
  }

 private:
  const AttrValue& attr_;
  const relax::Function& func_;
};

constexpr const char* kShape = "must be a dict {\"function\": name, \"frozen_params\": [positions], \"packed_from_rows\": [position, rows]}";

}  // namespace

std::optional<FrozenVariant> frozen_variant_of(const relax::Function& func, const Module& module) {
  const AttrValue* attr = find_attr(func.attrs, "relaxc.frozen_variant");
  if (!attr) return std::nullopt;
  AttrChecker check(*attr, func);
  if (attr->kind != AttrValue::Kind::Dict) throw check.fail(kShape);
  const AttrValue *name = nullptr, *params = nullptr, *rows = nullptr;
  for (const auto& [key, value] : attr->entries) {
    if (key == "function")
      name = value.get();
    else if (key == "frozen_params")
      params = value.get();
    else if (key == "packed_from_rows")
      rows = value.get();
    else
      throw check.fail("has an unknown key '" + key + "' (expected \"function\", \"frozen_params\" and \"packed_from_rows\")");
  }
  if (!name || name->kind != AttrValue::Kind::String) throw check.fail("needs \"function\": the name of a Relax function of the module");
  const relax::Function* variant = module.find_function(name->string_value);
  if (!variant) throw check.fail("names '" + name->string_value + "', which is not a Relax function of the module");
  if (variant->params.size() != func.params.size() || variant == &func) {
    throw check.fail("names @" + name->string_value + ", which must be another function with the same " + std::to_string(func.params.size()) +
                     " parameters");
  }
  if (!params || params->kind != AttrValue::Kind::List) throw check.fail("needs \"frozen_params\": a list of parameter positions");
  FrozenVariant out;
  out.function = name->string_value;
  for (const AttrValuePtr& item : params->items) out.frozen_params.push_back(check.tensor_param(*item, "frozen_params"));
  if (rows) {
    if (rows->kind != AttrValue::Kind::List || rows->items.size() != 2 || rows->items[1]->kind != AttrValue::Kind::Int ||
        rows->items[1]->int_value < 1) {
      throw check.fail("\"packed_from_rows\" must be [position of a parameter, rows >= 1]");
    }
    out.rows_param = check.tensor_param(*rows->items[0], "packed_from_rows");
    out.min_rows = rows->items[1]->int_value;
  }
  return out;
}

}  // namespace relaxc::codegen

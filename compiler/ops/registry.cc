// The operator table and the one parser of operator attributes: validate_attrs reports every
// problem of a call's keywords at the keyword; parse_attrs reads what validate_attrs accepted.
#include "compiler/ops/registry.h"

#include <algorithm>
#include <stdexcept>

#include "compiler/ir/printer/printer_internal.h"

namespace relaxc::ops {

namespace {

AttrValuePtr int_value(int64_t v) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::Int;
  value->int_value = v;
  return value;
}

const char* kind_text(AttrKind kind) {
  switch (kind) {
    case AttrKind::Int: return "an integer";
    case AttrKind::Float: return "a number";
    case AttrKind::Bool: return "True or False";
    case AttrKind::String: return "a string";
    case AttrKind::DType: return "a dtype string such as \"float32\"";
    case AttrKind::IntList: return "a list of integers";
    case AttrKind::Axes: return "None, an integer or a list of integers";
    case AttrKind::FloatList: return "a list of numbers";
  }
  return "?";
}

bool all_ints(const AttrValue& value) {
  return std::all_of(value.items.begin(), value.items.end(), [](const AttrValuePtr& item) { return item->kind == AttrValue::Kind::Int; });
}

// Why `value` is not a valid `spec`, or "" when it is.
std::string mismatch(const AttrSpec& spec, const AttrValue& value) {
  using K = AttrValue::Kind;
  if (value.kind == K::None) return "";
  switch (spec.kind) {
    case AttrKind::Int:
      if (value.kind == K::Int) return "";
      break;
    case AttrKind::Float:
      if (value.kind == K::Int || value.kind == K::Float) return "";
      break;
    case AttrKind::Bool:
      if (value.kind == K::Bool) return "";
      break;
    case AttrKind::String:
      if (value.kind != K::String) break;
      if (spec.supported.empty() || std::count(spec.supported.begin(), spec.supported.end(), value.string_value)) return "";
      {
        std::string given = spec.name + "=\"" + value.string_value + "\" is not supported; ";
        if (spec.supported.size() == 1) return given + "only " + spec.name + "=\"" + spec.supported[0] + "\" is";
        std::string list;
        for (const std::string& s : spec.supported) list += (list.empty() ? "\"" : ", \"") + s + "\"";
        return given + "supported: " + list;
      }
    case AttrKind::DType:
      if (value.kind != K::String) break;
      if (value.string_value.empty() || parse_dtype(value.string_value)) return "";
      return "unknown dtype \"" + value.string_value + "\" for " + spec.name;
    case AttrKind::IntList:
      if (value.kind == K::Int || (value.kind == K::List && all_ints(value))) return "";
      break;
    case AttrKind::Axes:
      if (value.kind == K::Int || (value.kind == K::List && all_ints(value))) return "";
      break;
    case AttrKind::FloatList:
      if (value.kind == K::List && std::all_of(value.items.begin(), value.items.end(), [](const AttrValuePtr& item) {
            return item->kind == K::Int || item->kind == K::Float;
          }))
        return "";
      break;
  }
  return spec.name + " must be " + kind_text(spec.kind) + ", not " + printing::print_attr_value(value);
}

Attrs::Value read_value(const AttrSpec& spec, const AttrValue* written, SourceLoc call_loc) {
  Attrs::Value out;
  out.name = spec.name;
  out.kind = spec.kind;
  out.given = written && written->kind != AttrValue::Kind::None;
  out.loc = written ? written->loc : call_loc;
  const AttrValue* value = out.given ? written : spec.fallback.get();
  out.none = value == nullptr || value->kind == AttrValue::Kind::None;
  if (out.none) return out;
  out.integer = value->int_value;
  out.real = value->kind == AttrValue::Kind::Int ? static_cast<double>(value->int_value) : value->float_value;
  out.flag = value->bool_value;
  out.text = value->string_value;
  if (spec.kind == AttrKind::DType) {
    out.dtype = parse_dtype(value->string_value);
    out.none = !out.dtype;
  }
  if (value->kind == AttrValue::Kind::Int) out.ints = {value->int_value};
  for (const AttrValuePtr& item : value->items) {
    out.ints.push_back(item->int_value);
    out.reals.push_back(item->kind == AttrValue::Kind::Int ? static_cast<double>(item->int_value) : item->float_value);
  }
  return out;
}

}  // namespace

AttrSpec int_attr(std::string name, int64_t fallback) { return {std::move(name), AttrKind::Int, int_value(fallback), {}}; }

AttrSpec float_attr(std::string name, double fallback) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::Float;
  value->float_value = fallback;
  return {std::move(name), AttrKind::Float, value, {}};
}

AttrSpec bool_attr(std::string name, bool fallback) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::Bool;
  value->bool_value = fallback;
  return {std::move(name), AttrKind::Bool, value, {}};
}

AttrSpec string_attr(std::string name, std::string fallback, std::vector<std::string> supported) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::String;
  value->string_value = std::move(fallback);
  return {std::move(name), AttrKind::String, value, std::move(supported)};
}

AttrSpec dtype_attr(std::string name) { return {std::move(name), AttrKind::DType, nullptr, {}}; }

AttrSpec ints_attr(std::string name, std::vector<int64_t> fallback) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::List;
  for (int64_t v : fallback) value->items.push_back(int_value(v));
  return {std::move(name), AttrKind::IntList, value, {}};
}

AttrSpec floats_attr(std::string name, std::vector<double> fallback) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::List;
  for (double v : fallback) {
    auto item = std::make_shared<AttrValue>();
    item->kind = AttrValue::Kind::Float;
    item->float_value = v;
    value->items.push_back(item);
  }
  return {std::move(name), AttrKind::FloatList, value, {}};
}

AttrSpec axes_attr(std::string name) { return {std::move(name), AttrKind::Axes, nullptr, {}}; }
AttrSpec axes_attr(std::string name, int64_t fallback) { return {std::move(name), AttrKind::Axes, int_value(fallback), {}}; }

const Attrs::Value& Attrs::find(const std::string& name, AttrKind kind) const {
  for (const Value& v : values) {
    if (v.name == name && v.kind == kind) return v;
  }
  throw std::logic_error("operator attribute '" + name + "' is not declared with this kind in the registry");
}

int64_t Attrs::get_int(const std::string& name) const { return find(name, AttrKind::Int).integer; }
double Attrs::get_float(const std::string& name) const { return find(name, AttrKind::Float).real; }
bool Attrs::get_bool(const std::string& name) const { return find(name, AttrKind::Bool).flag; }
const std::string& Attrs::get_string(const std::string& name) const { return find(name, AttrKind::String).text; }
std::optional<DataType> Attrs::get_dtype(const std::string& name) const { return find(name, AttrKind::DType).dtype; }
const std::vector<int64_t>& Attrs::get_ints(const std::string& name) const { return find(name, AttrKind::IntList).ints; }
const std::vector<double>& Attrs::get_floats(const std::string& name) const { return find(name, AttrKind::FloatList).reals; }

std::optional<std::vector<int64_t>> Attrs::get_axes(const std::string& name) const {
  const Value& v = find(name, AttrKind::Axes);
  if (v.none) return std::nullopt;
  return v.ints;
}

bool Attrs::given(const std::string& name) const {
  for (const Value& v : values) {
    if (v.name == name) return v.given;
  }
  return false;
}

SourceLoc Attrs::loc(const std::string& name) const {
  for (const Value& v : values) {
    if (v.name == name) return v.loc;
  }
  return SourceLoc{};
}

void InferCall::error(const std::string& message) const { diags.error(call.loc, op_name() + ": " + message); }
void InferCall::error_at(const std::string& attr, const std::string& message) const {
  diags.error(attrs.given(attr) ? attrs.loc(attr) : call.loc, op_name() + ": " + message);
}

size_t OpDef::min_operands() const {
  size_t n = 0;
  while (n < operands.size() && !operands[n].optional) ++n;
  return n;
}

const AttrSpec* OpDef::find_attr(const std::string& attr) const {
  for (const AttrSpec& spec : attrs) {
    if (spec.name == attr) return &spec;
  }
  return nullptr;
}

bool validate_attrs(const OpDef& op, const relax::Call& call, Diagnostics& diags) {
  bool ok = true;
  for (const auto& [key, value] : call.attrs) {
    const AttrSpec* spec = op.find_attr(key);
    if (spec == nullptr) {
      std::string known;
      for (const AttrSpec& s : op.attrs) known += (known.empty() ? "" : ", ") + s.name;
      diags.error(value->loc, "R." + op.name + " has no attribute '" + key + "'" + (known.empty() ? "" : "; its attributes are " + known));
      ok = false;
      continue;
    }
    std::string problem = mismatch(*spec, *value);
    if (!problem.empty()) {
      diags.error(value->loc, "R." + op.name + ": " + problem);
      ok = false;
    }
  }
  return ok;
}

Attrs parse_attrs(const OpDef& op, const relax::Call& call) {
  Attrs attrs;
  for (const AttrSpec& spec : op.attrs) {
    const AttrValue* written = nullptr;
    for (const auto& [key, value] : call.attrs) {
      if (key == spec.name) written = value.get();
    }
    attrs.values.push_back(read_value(spec, written, call.loc));
  }
  return attrs;
}

OpDef define_op(std::string name, std::string kernel_name, std::vector<OperandSpec> operands, std::vector<AttrSpec> attrs, InferFn infer,
                LegalizeFn legalize) {
  OpDef op;
  op.name = std::move(name);
  op.kernel_name = std::move(kernel_name);
  op.operands = std::move(operands);
  op.attrs = std::move(attrs);
  op.infer = infer;
  op.legalize = legalize;
  return op;
}

const std::vector<OpDef>& all_ops() {
  static const std::vector<OpDef> ops = [] {
    std::vector<OpDef> table;
    register_elementwise(table);
    register_linalg(table);
    register_manipulate(table);
    register_manipulate_join(table);
    register_manipulate_index(table);
    register_manipulate_scatter(table);
    register_manipulate_extra(table);
    register_manipulate_shape(table);
    register_reduce(table);
    register_statistics(table);
    register_sort(table);
    register_nn(table);
    register_nn_conv(table);
    register_nn_pool(table);
    register_nn_norm(table);
    register_nn_attention(table);
    register_create(table);
    register_einsum(table);
    register_image(table);
    register_misc(table);
    return table;
  }();
  return ops;
}

const OpDef* find_op(const std::string& name) {
  for (const OpDef& op : all_ops()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace relaxc::ops

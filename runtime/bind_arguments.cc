#include "runtime/bind_arguments.h"

#include <cstring>

namespace relaxrt {

namespace {

std::string param_list(const VMFunction& fn) {
  std::string list;
  for (const ParamSpec& p : fn.params) list += (list.empty() ? "" : ", ") + p.name;
  return list.empty() ? "none" : list;
}

long find_param(const VMFunction& fn, const std::string& name) {
  for (size_t i = 0; i < fn.params.size(); ++i) {
    if (fn.params[i].name == name) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace

// A 0-d array given for an R.Prim parameter is its scalar (a .npy cannot hold a bare number).
Value scalar_of_0d(const Value& value) {
  if (value.kind != Value::Kind::Tensor || !value.tensor->shape.empty()) return value;
  const Tensor& t = *value.tensor;
  Value out;
  const char* data = static_cast<const char*>(t.data);
  auto read = [&](auto sample) {
    decltype(sample) x;
    std::memcpy(&x, data, sizeof x);
    return x;
  };
  switch (t.type.code) {
    case kDLInt: case kDLUInt: {  // bool is uint with 1 bit, one byte each
      out.kind = Value::Kind::Int;
      bool is_signed = t.type.code == kDLInt;
      switch (t.type.bytes) {
        case 1: out.i = is_signed ? read(int8_t{}) : read(uint8_t{}); break;
        case 2: out.i = is_signed ? read(int16_t{}) : read(uint16_t{}); break;
        case 4: out.i = is_signed ? read(int32_t{}) : read(uint32_t{}); break;
        case 8: out.i = read(int64_t{}); break;
        default: return value;
      }
      return out;
    }
    case kDLFloat:
      out.kind = Value::Kind::Float;
      if (t.type.bytes == 4) out.f = read(float{});
      else if (t.type.bytes == 8) out.f = read(double{});
      else return value;
      return out;
    default: return value;
  }
}

HostArray to_host_array(const Tensor& tensor) {
  HostArray array;
  array.dtype = tensor.type.name;
  array.shape = tensor.shape;
  const auto* data = static_cast<const uint8_t*>(tensor.data);
  array.data.assign(data, data + tensor.byte_size());
  return array;
}

Value to_value(const HostArray& array, std::shared_ptr<const HostArray> owner) {
  std::optional<ElementType> type = parse_element_type(array.dtype);
  if (!type) throw BindError("unsupported dtype " + array.dtype);
  void* data = const_cast<uint8_t*>(array.data.data());
  return Value::of(Tensor::view(*type, array.shape, data, std::move(owner)));
}

BoundArguments bind_arguments(const VMFunction& fn, std::vector<InputFile> inputs, const std::string& params_path,
                              std::vector<NamedValue> params, bool unused_keys_ok) {
  size_t n = fn.params.size();
  BoundArguments bound;
  bound.values.resize(n);
  bound.sources.resize(n);
  std::vector<bool> filled(n, false);
  std::vector<size_t> from_inputs;
  for (InputFile& input : inputs) {
    size_t index = 0;
    if (!input.param.empty()) {
      long found = find_param(fn, input.param);
      if (found < 0) throw BindError(input.path + ": --input names '" + input.param + "', which is not a parameter of @" + fn.name + " (parameters: " + param_list(fn) + ")");
      index = static_cast<size_t>(found);
      if (filled[index]) throw BindError(input.path + ": parameter '" + input.param + "' of @" + fn.name + " is given twice");
    } else {
      while (index < n && filled[index]) ++index;
      if (index == n) {
        throw BindError(input.path + ": one input too many: @" + fn.name + " takes " + std::to_string(n) + " parameters (" + param_list(fn) + ")");
      }
    }
    filled[index] = true;
    bound.sources[index] = input.path;
    bound.values[index] = std::move(input.value);
    from_inputs.push_back(index);
  }
  std::vector<size_t> from_params;
  for (NamedValue& entry : params) {
    long found = find_param(fn, entry.name);
    if (found < 0) {
      if (unused_keys_ok) continue;
      throw BindError(params_path + ": key '" + entry.name + "' matches no parameter of @" + fn.name + " (parameters: " + param_list(fn) + ")");
    }
    size_t index = static_cast<size_t>(found);
    if (filled[index]) {
      throw BindError(params_path + ": key '" + entry.name + "' gives parameter '" + entry.name + "', which " + bound.sources[index] + " already gives");
    }
    filled[index] = true;
    bound.sources[index] = params_path + "['" + entry.name + "']";
    bound.values[index] = std::move(entry.value);
    from_params.push_back(index);
  }
  std::string missing;
  for (size_t i = 0; i < n; ++i) {
    if (!filled[i]) missing += (missing.empty() ? "'" : ", '") + fn.params[i].name + "'";
  }
  if (!missing.empty()) {
    throw BindError("@" + fn.name + " needs " + std::to_string(n) + " arguments (" + param_list(fn) + "); missing " + missing +
                    ": give them with --input FILE.npy or --params FILE.npz");
  }
  bound.given = bound.values;
  for (size_t i = 0; i < n; ++i) {
    if (fn.params[i].type.kind == TypeSpec::Kind::Prim) bound.values[i] = scalar_of_0d(bound.values[i]);
  }
  bound.check_order = from_params;
  bound.check_order.insert(bound.check_order.end(), from_inputs.begin(), from_inputs.end());
  return bound;
}

}  // namespace relaxrt

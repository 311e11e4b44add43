#include "synthetic_inputs.h"

#include <charconv>
#include <climits>
#include <new>
#include <random>
#include <stdexcept>

#include "runtime/dtype.h"

namespace relaxrun {

namespace {

using relaxrt::DimSpec;
using relaxrt::TypeSpec;

std::vector<int64_t> shape_of(const relaxrt::ParamSpec& param, const std::map<std::string, int64_t>& dims) {
  const TypeSpec& t = param.type;
  std::string who = "parameter '" + param.name + "' (" + t.text + ")";
  if (t.kind != TypeSpec::Kind::Tensor) throw std::runtime_error(who + " is not a tensor, so it cannot be made from the signature: give it with --input");
  if (!t.has_shape) throw std::runtime_error(who + " has no declared shape: give it with --input");
  std::vector<int64_t> shape;
  for (const DimSpec& d : t.dims) {
    if (d.kind == DimSpec::Kind::Constant) {
      shape.push_back(d.value);
      continue;
    }
    auto it = dims.find(d.text);
    if (it == dims.end()) {
      throw std::runtime_error(who + ": its size '" + d.text + "' is symbolic; give it with --dim " + d.text + "=N" +
                               (d.kind == DimSpec::Kind::Expr ? " (an expression: or give the tensor with --input)" : ""));
    }
    shape.push_back(it->second);
  }
  return shape;
}

// Seeded values, so that two runs time the same work.
void fill(relaxrt::Tensor& t, std::mt19937_64& rng) {
  int64_t n = t.element_count();
  std::string dtype = t.type.name;
  auto* bytes = static_cast<uint8_t*>(t.data);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  for (int64_t i = 0; i < n; ++i) {
    if (dtype == "float32") reinterpret_cast<float*>(bytes)[i] = static_cast<float>(real(rng));
    else if (dtype == "float64") reinterpret_cast<double*>(bytes)[i] = real(rng);
    else if (dtype == "int64") reinterpret_cast<int64_t*>(bytes)[i] = small(rng);
    else if (dtype == "int32") reinterpret_cast<int32_t*>(bytes)[i] = small(rng);
    else if (dtype == "bool") bytes[i] = 0;
    else throw std::runtime_error("cannot make values of dtype " + dtype + " from the signature: give the tensor with --input");
  }
}

}  // namespace

std::vector<relaxrt::Value> synthetic_arguments(const relaxrt::VMFunction& fn, const std::map<std::string, int64_t>& dims) {
  std::mt19937_64 rng(0);
  std::vector<relaxrt::Value> values;
  for (const relaxrt::ParamSpec& param : fn.params) {
    std::vector<int64_t> shape = shape_of(param, dims);
    std::optional<relaxrt::ElementType> type = relaxrt::parse_element_type(param.type.dtype.empty() ? "?" : param.type.dtype);
    if (!type) throw std::runtime_error("parameter '" + param.name + "' (" + param.type.text + ") has no dtype relaxrun can make: give it with --input");
    std::optional<int64_t> count = relaxrt::element_count(shape);
    std::string what = "parameter '" + param.name + "' of shape " + relaxrt::shape_text(shape);
    if (!count || *count > INT64_MAX / type->bytes) throw std::runtime_error(what + " has more elements than memory can address");
    relaxrt::Value v;
    try {
      v = relaxrt::Value::of(relaxrt::Tensor::allocate(*type, shape));
    } catch (const std::bad_alloc&) {
      throw std::runtime_error(what + ": " + std::to_string(*count * type->bytes) + " bytes cannot be allocated");
    }
    try {
      fill(*v.tensor, rng);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("parameter '" + param.name + "': " + e.what());
    }
    v.tensor->frozen = true;
    values.push_back(std::move(v));
  }
  return values;
}

std::map<std::string, int64_t> parse_dims(const std::vector<std::string>& specs) {
  std::map<std::string, int64_t> dims;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    int64_t value = -1;
    const char* begin = eq == std::string::npos ? nullptr : spec.data() + eq + 1;
    const char* end = spec.data() + spec.size();
    auto parsed = begin ? std::from_chars(begin, end, value) : std::from_chars_result{nullptr, std::errc::invalid_argument};
    if (eq == 0 || !begin || parsed.ec != std::errc() || parsed.ptr != end || value < 0) {
      throw std::runtime_error("--dim " + spec + ": expected NAME=N with N a size (0 or more)");
    }
    dims[spec.substr(0, eq)] = value;
  }
  return dims;
}

}  // namespace relaxrun

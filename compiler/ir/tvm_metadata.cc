#include "compiler/ir/tvm_metadata.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "compiler/support/base64.h"

namespace relaxc {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr uint64_t kTensorMagic = 0xDD5E40F096B4A13FULL;
constexpr const char* kConstantKey = "relax.expr.Constant";

// DLPack's type codes, as TVM's tensor serialization writes them.
enum : uint8_t { kInt = 0, kUInt = 1, kFloat = 2, kBFloat = 4, kBool = 6 };

struct DLType {
  uint8_t code, bits;
};

std::optional<DLType> dl_type_of(DataType dtype) {
  switch (dtype) {
    case DataType::Bool: return DLType{kBool, 8};
    case DataType::Int8: return DLType{kInt, 8};
    case DataType::Int16: return DLType{kInt, 16};
    case DataType::Int32: return DLType{kInt, 32};
    case DataType::Int64: return DLType{kInt, 64};
    case DataType::UInt8: return DLType{kUInt, 8};
    case DataType::Float16: return DLType{kFloat, 16};
    case DataType::BFloat16: return DLType{kBFloat, 16};
    case DataType::Float32: return DLType{kFloat, 32};
    case DataType::Float64: return DLType{kFloat, 64};
    default: return std::nullopt;
  }
}

std::optional<DataType> dtype_of(uint8_t code, uint8_t bits) {
  if ((code == kBool && bits == 8) || (code == kUInt && bits == 1)) return DataType::Bool;  // older TVM: bool is uint1
  for (DataType t : {DataType::Int8, DataType::Int16, DataType::Int32, DataType::Int64, DataType::UInt8, DataType::Float16,
                     DataType::BFloat16, DataType::Float32, DataType::Float64}) {
    std::optional<DLType> dl = dl_type_of(t);
    if (dl->code == code && dl->bits == bits) return t;
  }
  return std::nullopt;
}

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian, as the format is, on every host we build for
  out.append(bytes, sizeof(T));
}

template <typename T>
bool take(const std::string& in, size_t& at, T& value) {
  if (in.size() - at < sizeof(T)) return false;
  std::memcpy(&value, in.data() + at, sizeof(T));
  at += sizeof(T);
  return true;
}

std::string encode_tensor(const ConstantTensor& c) {
  std::string out;
  DLType type = *dl_type_of(c.dtype);
  put<uint64_t>(out, kTensorMagic);
  put<uint64_t>(out, 0);  // reserved
  put<int32_t>(out, 1);   // kDLCPU
  put<int32_t>(out, 0);   // device id
  put<int32_t>(out, static_cast<int32_t>(c.shape.size()));
  put<uint8_t>(out, type.code);
  put<uint8_t>(out, type.bits);
  put<uint16_t>(out, 1);  // lanes
  for (int64_t dim : c.shape) put<int64_t>(out, dim);
  put<int64_t>(out, static_cast<int64_t>(c.bytes.size()));
  return out + c.bytes;
}

// Decodes one serialized tensor; "" or what is wrong with it.
std::string decode_tensor(const std::string& blob, ConstantTensor& c) {
  size_t at = 0;
  uint64_t magic = 0, reserved = 0;
  int32_t device_type = 0, device_id = 0, ndim = 0;
  uint8_t code = 0, bits = 0;
  uint16_t lanes = 0;
  if (!take(blob, at, magic) || magic != kTensorMagic) return "does not start with TVM's tensor magic number";
  if (!take(blob, at, reserved) || !take(blob, at, device_type) || !take(blob, at, device_id) || !take(blob, at, ndim) ||
      !take(blob, at, code) || !take(blob, at, bits) || !take(blob, at, lanes)) {
    return "is cut short in its header";
  }
  if (device_type != 1) return "is on device type " + std::to_string(device_type) + ", not the CPU (1)";
  if (ndim < 0 || ndim > 64) return "has " + std::to_string(ndim) + " dimensions";
  std::optional<DataType> dtype = dtype_of(code, bits);
  if (!dtype || lanes != 1) {
    return "has DLPack type code " + std::to_string(code) + ", " + std::to_string(bits) + " bits, " + std::to_string(lanes) +
           " lanes, which relaxc has no dtype for";
  }
  c.dtype = *dtype;
  uint64_t count = 1;
  for (int32_t i = 0; i < ndim; ++i) {
    int64_t dim = 0;
    if (!take(blob, at, dim)) return "is cut short in its shape";
    if (dim < 0 || dim >= (int64_t{1} << 40)) return "has dimension " + std::to_string(dim);
    count *= static_cast<uint64_t>(dim);
    if (count >= (uint64_t{1} << 40)) return "has more than 2^40 elements";
    c.shape.push_back(dim);
  }
  int64_t size = 0;
  if (!take(blob, at, size)) return "is cut short before its byte count";
  uint64_t want = count * static_cast<uint64_t>((bits + 7) / 8);
  if (size < 0 || static_cast<uint64_t>(size) != want) {
    return "says it holds " + std::to_string(size) + " bytes but its shape and dtype need " + std::to_string(want);
  }
  if (blob.size() - at != want) return "holds " + std::to_string(blob.size() - at) + " bytes of data, not " + std::to_string(want);
  c.bytes = blob.substr(at);
  return "";
}

// Reading: every lookup goes through these, so a malformed graph is an error naming the node,
// never an exception from deep inside the JSON library.
struct Graph {
  const Json& nodes;
  std::string error;

  const Json* node(const Json& index, const std::string& what) {
    int64_t i = -1;
    if (index.is_number_integer()) i = index.get<int64_t>();
    if (index.is_string()) {  // the older layout writes indices as strings
      const std::string& text = index.get_ref<const std::string&>();
      if (!text.empty() && text.size() < 12 && text.find_first_not_of("0123456789") == std::string::npos) i = std::stoll(text);
    }
    if (i < 0 || static_cast<uint64_t>(i) >= nodes.size()) {
      fail(what + " refers to node " + index.dump() + ", which does not exist");
      return nullptr;
    }
    const Json& n = nodes[static_cast<size_t>(i)];
    if (!n.is_object()) {
      fail("node " + std::to_string(i) + " is not an object");
      return nullptr;
    }
    return &n;
  }
  std::string type_of(const Json& n, const char* key) {
    auto it = n.find(key);
    return it != n.end() && it->is_string() ? it->get<std::string>() : "";
  }
  const Json* member(const Json& n, const char* key, const std::string& what) {
    auto it = n.find(key);
    if (it == n.end()) {
      fail(what + " has no \"" + key + "\"");
      return nullptr;
    }
    return &*it;
  }
  void fail(const std::string& message) {
    if (error.empty()) error = message;
  }
};

bool decode_base64_tensor(Graph& g, const Json& text, const std::string& what, ConstantTensor& c) {
  std::optional<std::string> blob = text.is_string() ? base64_decode(text.get<std::string>()) : std::nullopt;
  if (!blob) {
    g.fail(what + ": expected the tensor as base64 text");
    return false;
  }
  std::string problem = decode_tensor(*blob, c);
  if (!problem.empty()) g.fail(what + ": the tensor " + problem);
  return problem.empty();
}

// {"root_index", "nodes"}: TVM 0.22 and later.
std::vector<ConstantTensor> read_object_graph(const Json& doc, Graph& g) {
  std::vector<ConstantTensor> out;
  const Json* root = g.node(doc["root_index"], "root_index");
  if (!root) return {};
  if (g.type_of(*root, "type") != "ffi.Map") {
    g.fail("the root is a " + g.type_of(*root, "type") + ", not the ffi.Map of metadata");
    return {};
  }
  const Json* pairs = g.member(*root, "data", "the root map");
  if (!pairs || !pairs->is_array() || pairs->size() % 2 != 0) {
    g.fail("the root map's data is not a list of key and value nodes");
    return {};
  }
  for (size_t p = 0; p < pairs->size(); p += 2) {
    const Json* key = g.node((*pairs)[p], "a key of the root map");
    const Json* value = g.node((*pairs)[p + 1], "a value of the root map");
    if (!key || !value) return {};
    const Json* name = g.member(*key, "data", "a key of the root map");
    if (!name || !name->is_string()) return g.fail("a key of the root map is not a string"), std::vector<ConstantTensor>{};
    if (*name != kConstantKey) {
      g.fail("only \"relax.expr.Constant\" entries are supported, not " + name->dump());
      return {};
    }
    const Json* items = g.member(*value, "data", "the list of constants");
    if (!items || !items->is_array()) return g.fail("the constants are not a list"), std::vector<ConstantTensor>{};
    for (const Json& index : *items) {
      std::string what = "constant " + std::to_string(out.size());
      const Json* constant = g.node(index, what);
      if (!constant) return {};
      if (g.type_of(*constant, "type") != kConstantKey) return g.fail(what + " is not a relax.expr.Constant"), std::vector<ConstantTensor>{};
      const Json* fields = g.member(*constant, "data", what);
      if (!fields || !fields->is_object()) return g.fail(what + " has no fields"), std::vector<ConstantTensor>{};
      const Json* tensor_index = g.member(*fields, "data", what);
      const Json* tensor = tensor_index ? g.node(*tensor_index, what + "'s data") : nullptr;
      const Json* text = tensor ? g.member(*tensor, "data", what + "'s tensor") : nullptr;
      ConstantTensor c;
      if (!text || !decode_base64_tensor(g, *text, what, c)) return {};
      out.push_back(std::move(c));
    }
  }
  return out;
}

// {"root", "nodes", "b64ndarrays"}: TVM 0.20 and earlier (0.21 kept tensors as nodes).
std::vector<ConstantTensor> read_save_json(const Json& doc, Graph& g) {
  std::vector<ConstantTensor> out;
  const Json* root = g.node(doc["root"], "root");
  if (!root) return {};
  std::string type = g.type_of(*root, "type_key");
  if (type != "Map" && type != "ffi.Map") return g.fail("the root is a " + type + ", not the Map of metadata"), out;
  const Json* data = g.member(*root, "data", "the root map");
  if (!data || !data->is_array()) return g.fail("the root map has no values"), out;
  std::vector<std::pair<std::string, const Json*>> entries;
  auto keys = root->find("keys");
  if (keys != root->end() && keys->is_array() && keys->size() == data->size()) {
    for (size_t i = 0; i < keys->size(); ++i) entries.push_back({(*keys)[i].is_string() ? (*keys)[i].get<std::string>() : "", &(*data)[i]});
  } else {
    for (size_t i = 0; i + 1 < data->size(); i += 2) {
      const Json* key = g.node((*data)[i], "a key of the root map");
      auto repr = key ? key->find("repr_str") : Json::const_iterator();
      entries.push_back({key && repr != key->end() && repr->is_string() ? repr->get<std::string>() : "", &(*data)[i + 1]});
    }
  }
  const Json* tensors = doc.contains("b64ndarrays") && doc["b64ndarrays"].is_array() ? &doc["b64ndarrays"] : nullptr;
  for (const auto& [name, value_index] : entries) {
    if (name != kConstantKey) return g.fail("only \"relax.expr.Constant\" entries are supported, not \"" + name + "\""), std::vector<ConstantTensor>{};
    const Json* list = g.node(*value_index, "the list of constants");
    const Json* items = list ? g.member(*list, "data", "the list of constants") : nullptr;
    if (!items || !items->is_array()) return g.fail("the constants are not a list"), std::vector<ConstantTensor>{};
    for (const Json& index : *items) {
      std::string what = "constant " + std::to_string(out.size());
      const Json* constant = g.node(index, what);
      const Json* attrs = constant ? g.member(*constant, "attrs", what) : nullptr;
      const Json* data_ref = attrs && attrs->is_object() ? g.member(*attrs, "data", what) : nullptr;
      if (!data_ref || !data_ref->is_string()) return g.fail(what + " has no data"), std::vector<ConstantTensor>{};
      const std::string& ref = data_ref->get_ref<const std::string&>();
      ConstantTensor c;
      if (tensors && !tensors->empty()) {
        size_t i = ref.find_first_not_of("0123456789") == std::string::npos && !ref.empty() && ref.size() < 12 ? std::stoull(ref) : tensors->size();
        if (i >= tensors->size()) return g.fail(what + " refers to tensor " + ref + ", which b64ndarrays lacks"), std::vector<ConstantTensor>{};
        if (!decode_base64_tensor(g, (*tensors)[i], what, c)) return {};
      } else {  // TVM 0.21: the tensor is a node whose repr holds the base64
        const Json* tensor = g.node(*data_ref, what + "'s data");
        auto repr = tensor ? tensor->find("repr_str") : Json::const_iterator();
        if (!tensor || repr == tensor->end()) return g.fail(what + "'s data is not a tensor"), std::vector<ConstantTensor>{};
        if (!decode_base64_tensor(g, *repr, what, c)) return {};
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Writing: nodes are appended children first, as TVM's serializer emits them, with one shared
// None node and one PrimType node per dtype.
class GraphWriter {
 public:
  explicit GraphWriter(MetadataLayout layout) : layout_(layout) {}

  std::string write(const std::vector<ConstantTensor>& constants) {
    int64_t key = add({{"type", "ffi.String"}, {"data", kConstantKey}});
    OrderedJson items = OrderedJson::array();
    for (const ConstantTensor& c : constants) items.push_back(constant(c));
    int64_t list = add({{"type", "ffi.Array"}, {"data", items}});
    int64_t root = add({{"type", "ffi.Map"}, {"data", {key, list}}});
    OrderedJson doc;
    doc["root_index"] = root;
    doc["nodes"] = std::move(nodes_);
    doc["metadata"] = {{"tvm_version", layout_ == MetadataLayout::Type ? "0.26.0" : "0.25.0"}};
    return doc.dump(2);
  }

 private:
  int64_t add(OrderedJson node) {
    nodes_.push_back(std::move(node));
    return static_cast<int64_t>(nodes_.size()) - 1;
  }
  int64_t none() {
    if (none_ < 0) none_ = add({{"type", "None"}});
    return none_;
  }
  int64_t prim_type(const std::string& dtype) {
    auto it = prim_types_.find(dtype);
    if (it != prim_types_.end()) return it->second;
    int64_t span = none();
    return prim_types_[dtype] = add({{"type", "ir.PrimType"}, {"data", {{"span", span}, {"dtype", dtype}}}});
  }
  int64_t constant(const ConstantTensor& c) {
    bool typed = layout_ == MetadataLayout::Type;
    int64_t span = none();
    OrderedJson dims = OrderedJson::array();
    for (int64_t d : c.shape) {
      OrderedJson fields = {{"span", span}};
      if (typed) fields["ty"] = prim_type("int64");
      else fields["dtype"] = "int64";
      fields["value"] = d;
      dims.push_back(add({{"type", "ir.IntImm"}, {"data", fields}}));
    }
    int64_t values = add({{"type", "ffi.Array"}, {"data", dims}});
    int64_t ndim = static_cast<int64_t>(c.shape.size());
    const char* info_key = typed ? "ty" : "struct_info_";
    int64_t shape_info = add({{"type", typed ? "relax.ShapeType" : "relax.ShapeStructInfo"},
                              {"data", {{"span", span}, {"values", values}, {"ndim", ndim}}}});
    int64_t shape = add({{"type", "relax.expr.ShapeExpr"}, {"data", {{"span", span}, {info_key, shape_info}, {"values", values}}}});
    OrderedJson tensor_fields = {{"span", span}, {"shape", shape}};
    if (typed) tensor_fields["dtype"] = prim_type(dtype_name(c.dtype));
    else tensor_fields["dtype"] = dtype_name(c.dtype);
    tensor_fields["vdevice"] = span;
    tensor_fields["ndim"] = ndim;
    int64_t info = add({{"type", typed ? "relax.TensorType" : "relax.TensorStructInfo"}, {"data", tensor_fields}});
    int64_t data = add({{"type", "ffi.Tensor"}, {"data", base64_encode(encode_tensor(c))}});
    return add({{"type", kConstantKey}, {"data", {{"span", span}, {info_key, info}, {"data", data}}}});
  }

  MetadataLayout layout_;
  OrderedJson nodes_ = OrderedJson::array();
  int64_t none_ = -1;
  std::map<std::string, int64_t> prim_types_;
};

}  // namespace

std::vector<ConstantTensor> read_tvm_metadata(const std::string& json, std::string& error) {
  Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = "the text of tvm.ir.load_json is not valid JSON";
    return {};
  }
  if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
    error = "expected TVM's JSON graph, an object with \"nodes\"";
    return {};
  }
  Graph graph{doc["nodes"], ""};
  std::vector<ConstantTensor> constants;
  if (doc.contains("root_index")) constants = read_object_graph(doc, graph);
  else if (doc.contains("root")) constants = read_save_json(doc, graph);
  else graph.fail("expected \"root_index\" (TVM 0.22 and later) or \"root\" (earlier) beside \"nodes\"");
  error = graph.error;
  if (!error.empty()) return {};
  return constants;
}

std::string write_tvm_metadata(const std::vector<ConstantTensor>& constants, MetadataLayout layout) {
  return GraphWriter(layout).write(constants);
}

std::string tvm_metadata_statement(const std::vector<ConstantTensor>& constants, MetadataLayout layout) {
  // As TVM's printer escapes it: quotes and backslashes, newlines left as they are.
  std::string escaped;
  for (char c : write_tvm_metadata(constants, layout)) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return "metadata = tvm.ir.load_json(\"\"\"" + escaped + "\"\"\")\n";
}

}  // namespace relaxc

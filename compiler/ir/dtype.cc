// Element type names (TVM's spellings) and storage sizes.
#include "compiler/ir/dtype.h"

namespace relaxc {
namespace {
struct DTypeName {
  DataType type;
  const char* name;
};
constexpr DTypeName kNames[] = {
    {DataType::Void, "void"},       {DataType::Bool, "bool"},       {DataType::Int8, "int8"},
    {DataType::Int16, "int16"},     {DataType::Int32, "int32"},     {DataType::Int64, "int64"},
    {DataType::UInt8, "uint8"},     {DataType::Float16, "float16"}, {DataType::Float32, "float32"},
    {DataType::Float64, "float64"}, {DataType::BFloat16, "bfloat16"}, {DataType::Handle, "handle"},
};
}  // namespace

std::optional<DataType> parse_dtype(std::string_view name) {
  for (const DTypeName& entry : kNames) {
    if (name == entry.name && entry.type != DataType::Void && entry.type != DataType::Handle) return entry.type;
  }
  return std::nullopt;
}

const char* dtype_name(DataType type) {
  for (const DTypeName& entry : kNames) {
    if (entry.type == type) return entry.name;
  }
  return "void";
}

int dtype_bits(DataType type) {
  switch (type) {
    case DataType::Bool: return 1;
    case DataType::Int8: case DataType::UInt8: return 8;
    case DataType::Int16: case DataType::Float16: case DataType::BFloat16: return 16;
    case DataType::Int32: case DataType::Float32: return 32;
    case DataType::Int64: case DataType::Float64: case DataType::Handle: return 64;
    case DataType::Void: return 0;
  }
  return 0;
}

}  // namespace relaxc

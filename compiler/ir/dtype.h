// Element types shared by Relax tensors and TensorIR expressions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relaxc {

enum class DataType {
  Void,    // no value (T.evaluate of a call, an unknown tensor element type)
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  Float16,
  BFloat16,  // stored as 16 bits, computed in float32 (as TVM's BF16ComputeLegalize arranges)
  Float32,
  Float64,
  Handle,  // an opaque pointer: a prim_func's T.handle parameter
};

// "float32" -> Float32; nullopt for names that are not element types.
std::optional<DataType> parse_dtype(std::string_view name);
// The TVM spelling: "float32", "int64", "bool", "handle", "void".
const char* dtype_name(DataType type);

// bfloat16 counts as a float for what operators accept and how literals read; the code
// generator widens it to float32 before any arithmetic.
inline bool is_float(DataType t) {
  return t == DataType::Float16 || t == DataType::BFloat16 || t == DataType::Float32 || t == DataType::Float64;
}
inline bool is_int(DataType t) {
  return t == DataType::Int8 || t == DataType::Int16 || t == DataType::Int32 || t == DataType::Int64 ||
         t == DataType::UInt8;
}
inline bool is_numeric(DataType t) { return is_float(t) || is_int(t); }
int dtype_bits(DataType type);

}  // namespace relaxc

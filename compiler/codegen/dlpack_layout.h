// DLPack's DLTensor as LLVM sees it, for code that reads kernel arguments (kernel_entry.cc) and
// code that builds tensors for runtime calls (kernel_packed_call.cc).
#pragma once

#include <dlpack/dlpack.h>
#include <llvm/IR/DerivedTypes.h>

#include <cstdint>
#include <utility>

#include "compiler/ir/dtype.h"

namespace relaxc::codegen {

// DLPack's (code, bits) for an element type; bool is {kDLUInt, 1} as in TVM, stored in a byte.
inline std::pair<uint8_t, uint8_t> dl_dtype(DataType dtype) {
  switch (dtype) {
    case DataType::Bool: return {kDLUInt, 1};
    case DataType::UInt8: return {kDLUInt, 8};
    case DataType::BFloat16: return {kDLBfloat, 16};
    case DataType::Float16:
    case DataType::Float32:
    case DataType::Float64: return {kDLFloat, static_cast<uint8_t>(dtype_bits(dtype))};
    default: return {kDLInt, static_cast<uint8_t>(dtype_bits(dtype))};
  }
}

enum DLTensorField { kData = 0, kDevice = 1, kNdim = 2, kDType = 3, kShape = 4, kStrides = 5, kByteOffset = 6 };

// { void* data; DLDevice{i32, i32}; i32 ndim; DLDataType{u8, u8, u16}; i64* shape; i64* strides; u64 byte_offset }
inline llvm::StructType* dl_tensor_type(llvm::LLVMContext& ctx) {
  llvm::Type* i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  return llvm::StructType::get(ctx, {ptr, llvm::StructType::get(ctx, {i32, i32}), i32,
                                     llvm::StructType::get(ctx, {llvm::Type::getInt8Ty(ctx), llvm::Type::getInt8Ty(ctx), llvm::Type::getInt16Ty(ctx)}),
                                     ptr, ptr, llvm::Type::getInt64Ty(ctx)});
}

}  // namespace relaxc::codegen

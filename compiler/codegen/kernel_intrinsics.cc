// TensorIR intrinsics → LLVM, for scalars and vectors alike: how each is emitted comes from
// the one table in ops/tir_intrinsics.h. LLVM intrinsics take vectors directly; C math library
// functions are called one lane at a time, except exp, erf and tanh of float32 vectors
// (vector_math.h); the rest are written out here. float16 arguments of
// library functions are computed in float32, as TVM does; bfloat16 intrinsics compute in float32.
#include <llvm/IR/Intrinsics.h>

#include <limits>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/codegen/vector_math.h"
#include "compiler/ops/tir_intrinsics.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

llvm::Value* KernelEmitter::llvm_intrinsic(const char* name, const std::vector<llvm::Value*>& args) {
  llvm::Intrinsic::ID id = llvm::Function::lookupIntrinsicID(name);
  if (id == llvm::Intrinsic::not_intrinsic) throw std::logic_error(std::string("unknown LLVM intrinsic ") + name);
  llvm::Function* f = llvm::Intrinsic::getDeclaration(&module_, id, {args[0]->getType()});
  return b_.CreateCall(f, args);
}

// One call of the C math library function per lane.
llvm::Value* KernelEmitter::libm_call(const std::string& name, const std::vector<llvm::Value*>& args, DataType dtype) {
  llvm::Type* type = args[0]->getType();
  if (dtype == DataType::Float16) {
    std::vector<llvm::Value*> wide;
    llvm::Type* f32 = b_.getFloatTy();
    if (auto* vector = llvm::dyn_cast<llvm::VectorType>(type)) f32 = llvm::VectorType::get(f32, vector->getElementCount());
    for (llvm::Value* arg : args) wide.push_back(b_.CreateFPExt(arg, f32));
    return b_.CreateFPTrunc(libm_call(name, wide, DataType::Float32), type);
  }
  llvm::Type* scalar = type->getScalarType();
  std::string symbol = dtype == DataType::Float32 ? name + "f" : name;
  std::vector<llvm::Type*> params(args.size(), scalar);
  llvm::FunctionCallee callee = module_.getOrInsertFunction(symbol, llvm::FunctionType::get(scalar, params, false));
  auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(type);
  if (!vector) return b_.CreateCall(callee, args);
  llvm::Value* out = llvm::PoisonValue::get(type);
  for (unsigned lane = 0; lane < vector->getNumElements(); ++lane) {
    std::vector<llvm::Value*> lane_args;
    for (llvm::Value* arg : args) lane_args.push_back(b_.CreateExtractElement(arg, lane));
    out = b_.CreateInsertElement(out, b_.CreateCall(callee, lane_args), lane);
  }
  return out;
}

llvm::Value* KernelEmitter::custom_intrinsic(const std::string& op, const std::vector<llvm::Value*>& args, DataType dtype, SourceLoc loc) {
  llvm::Value* x = args[0];
  llvm::Type* type = x->getType();
  auto fconst = [&](double v) { return llvm::ConstantFP::get(type, v); };
  if (op == "sigmoid") {
    llvm::Value* negated = b_.CreateFNeg(x);
    llvm::Value* e = float32_vector(x) ? vector_exp(b_, negated) : llvm_intrinsic("llvm.exp", {negated});
    return b_.CreateFDiv(fconst(1.0), b_.CreateFAdd(fconst(1.0), e));
  }
  if (op == "rsqrt") return b_.CreateFDiv(fconst(1.0), llvm_intrinsic("llvm.sqrt", {x}));
  if (op == "isnan") return b_.CreateFCmpUNO(x, x);
  if (op == "isinf") return b_.CreateFCmpOEQ(llvm_intrinsic("llvm.fabs", {x}), fconst(std::numeric_limits<double>::infinity()));
  if (op == "isfinite") return b_.CreateFCmpOLT(llvm_intrinsic("llvm.fabs", {x}), fconst(std::numeric_limits<double>::infinity()));
  if (op == "bitwise_and") return b_.CreateAnd(x, args[1]);
  if (op == "bitwise_or") return b_.CreateOr(x, args[1]);
  if (op == "bitwise_xor") return b_.CreateXor(x, args[1]);
  if (op == "bitwise_not") return b_.CreateNot(x);
  if (op == "shift_left" || op == "shift_right") {
    unsigned bits = type->getScalarSizeInBits();
    llvm::Value* in_range = b_.CreateICmpULT(args[1], llvm::ConstantInt::get(type, bits));
    bool is_unsigned = dtype == DataType::UInt8 || dtype == DataType::Bool;
    llvm::Value* safe = b_.CreateSelect(in_range, args[1], llvm::ConstantInt::get(type, bits - 1));
    if (op == "shift_left") return b_.CreateSelect(in_range, b_.CreateShl(x, safe), llvm::ConstantInt::get(type, 0));
    if (is_unsigned) return b_.CreateSelect(in_range, b_.CreateLShr(x, safe), llvm::ConstantInt::get(type, 0));
    return b_.CreateAShr(x, safe);
  }
  if (op == "abs") {
    if (is_float(dtype)) return llvm_intrinsic("llvm.fabs", {x});
    if (dtype == DataType::UInt8 || dtype == DataType::Bool) return x;
    llvm::Value* negative = b_.CreateICmpSLT(x, llvm::ConstantInt::get(type, 0));
    return b_.CreateSelect(negative, b_.CreateNeg(x), x);
  }
  throw CompileError(loc, "T." + op + " is not supported by the code generator");
}

// `args` are scalars or vectors of one shape, already converted to the intrinsic's operand type.
llvm::Value* KernelEmitter::emit_intrinsic(const Call& node, const std::vector<llvm::Value*>& args, DataType operand) {
  const ops::TirIntrinsic* intrinsic = ops::find_tir_intrinsic(node.op);
  if (intrinsic == nullptr || args.size() != static_cast<size_t>(intrinsic->arity)) {
    throw CompileError(node.loc, "T." + node.op + " is not supported by the code generator");
  }
  if (intrinsic->args == ops::IntrinsicArgs::Float && !is_float(operand)) {
    throw CompileError(node.loc, "T." + node.op + " needs a float argument, not " + dtype_name(operand));
  }
  if (intrinsic->args == ops::IntrinsicArgs::Int && is_float(operand)) {
    throw CompileError(node.loc, "T." + node.op + " needs an integer argument, not " + dtype_name(operand));
  }
  // LLVM and the C library would compute these one lane at a time.
  if (float32_vector(args[0])) {
    if (node.op == "exp") return vector_exp(b_, args[0]);
    if (node.op == "erf") return vector_erf(b_, args[0]);
    if (node.op == "tanh") return vector_tanh(b_, args[0]);
  }
  switch (intrinsic->lowering) {
    case ops::IntrinsicLowering::Llvm: return llvm_intrinsic(intrinsic->llvm_name, args);
    case ops::IntrinsicLowering::Libm: return libm_call(intrinsic->name, args, operand);
    case ops::IntrinsicLowering::Custom: return custom_intrinsic(intrinsic->name, args, operand, node.loc);
  }
  throw std::logic_error("unhandled intrinsic lowering");
}

// The type the intrinsic computes in: its arguments' (a result of bool is not an operand type),
// float32 for bfloat16 ones.
DataType intrinsic_operand_type(const Call& node) {
  DataType operand = node.args.empty() ? node.dtype : node.args[0]->dtype;
  return operand == DataType::BFloat16 ? DataType::Float32 : operand;
}

bool intrinsic_vectorizes(const Call& node) {
  const ops::TirIntrinsic* intrinsic = ops::find_tir_intrinsic(node.op);
  DataType operand = intrinsic_operand_type(node);
  return intrinsic && node.args.size() == static_cast<size_t>(intrinsic->arity) && (operand == DataType::Float32 || operand == DataType::Float64);
}

llvm::Value* KernelEmitter::call(const Call& node) {
  if (node.op == kCallPacked) return packed_call(node);
  if (node.op == "min_value" || node.op == "max_value") return extreme_value(node.op == "max_value", node.dtype);
  DataType operand = intrinsic_operand_type(node);
  std::vector<llvm::Value*> args;
  for (const Expr& arg : node.args) args.push_back(convert(expr(arg), arg->dtype, operand));
  return emit_intrinsic(node, args, operand);
}

llvm::Value* KernelEmitter::extreme_value(bool max, DataType dtype) {
  if (dtype == DataType::BFloat16) return b_.getInt16(max ? 0x7F7F : 0xFF7F);  // the bits of ±3.3895314e38
  if (is_float(dtype)) {
    const llvm::fltSemantics& sem = llvm_type(dtype)->getFltSemantics();
    return llvm::ConstantFP::get(llvm_type(dtype), llvm::APFloat::getLargest(sem, !max));
  }
  unsigned bits = static_cast<unsigned>(dtype_bits(dtype));
  bool is_unsigned = dtype == DataType::UInt8 || dtype == DataType::Bool;
  llvm::APInt value = is_unsigned ? (max ? llvm::APInt::getMaxValue(bits) : llvm::APInt::getMinValue(bits))
                                  : (max ? llvm::APInt::getSignedMaxValue(bits) : llvm::APInt::getSignedMinValue(bits));
  return llvm::ConstantInt::get(llvm_type(dtype), value);
}

}  // namespace relaxc::codegen

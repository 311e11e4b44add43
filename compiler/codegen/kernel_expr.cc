// TensorIR expressions → LLVM values. Integer arithmetic follows TVM: `//` and `%` on integers
// are floor division and floor modulo, T.truncdiv/T.truncmod truncate; T.if_then_else only
// evaluates the branch it takes, so a guarded out-of-bounds load is never executed.
//
// bfloat16 is a storage type, as TVM's BF16ComputeLegalize makes it: its values live as their
// 16 bits (i16: loads, literals, casts, selects), and arithmetic and intrinsics on them run in
// float32, whose unrounded result (an LLVM float of a bfloat16 expression) is rounded to
// nearest even only where it becomes a bfloat16 again: a store or a T.Cast. convert() tells
// the two forms apart by their LLVM type. The conversions are integer bit operations, never
// LLVM's bfloat type, whose lowering calls libgcc helpers that Debian 12's libgcc lacks.
#include <llvm/ADT/APFloat.h>
#include <llvm/IR/Intrinsics.h>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

namespace {

// `scalar`, or a vector of it with as many lanes as `like` has.
llvm::Type* shaped_like(llvm::Value* like, llvm::Type* scalar) {
  if (auto* vector = llvm::dyn_cast<llvm::VectorType>(like->getType())) return llvm::VectorType::get(scalar, vector->getElementCount());
  return scalar;
}

llvm::Value* int_like(llvm::IRBuilder<>& b, llvm::Value* like, unsigned bits, uint64_t value) {
  return llvm::ConstantInt::get(shaped_like(like, b.getIntNTy(bits)), value);
}

// The float32 a bfloat16's bits stand for: they are its upper half.
llvm::Value* bfloat16_to_float(llvm::IRBuilder<>& b, llvm::Value* bits) {
  llvm::Value* wide = b.CreateShl(b.CreateZExt(bits, shaped_like(bits, b.getInt32Ty())), 16);
  return b.CreateBitCast(wide, shaped_like(bits, b.getFloatTy()));
}

// A float32 rounded to the nearest bfloat16, ties to even: add 0x7FFF plus the lowest kept bit,
// then keep the upper half (a carry into the exponent is a correct round up, to inf at the
// top). A NaN keeps its sign and upper payload with the quiet bit set: the add could turn its
// payload into an infinity's (0x7F800001) or carry it into the sign (0x7FFFFFFF).
llvm::Value* float_to_bfloat16(llvm::IRBuilder<>& b, llvm::Value* value) {
  llvm::Value* bits = b.CreateBitCast(value, shaped_like(value, b.getInt32Ty()));
  llvm::Value* upper = b.CreateLShr(bits, 16);
  llvm::Value* bias = b.CreateAdd(int_like(b, bits, 32, 0x7FFF), b.CreateAnd(upper, int_like(b, bits, 32, 1)));
  llvm::Value* rounded = b.CreateLShr(b.CreateAdd(bits, bias), 16);
  llvm::Value* quiet_nan = b.CreateOr(upper, int_like(b, bits, 32, 0x40));
  llvm::Value* result = b.CreateSelect(b.CreateFCmpUNO(value, value), quiet_nan, rounded);
  return b.CreateTrunc(result, shaped_like(value, b.getInt16Ty()));
}

// A float64 narrowed to float32 rounding to odd (toward zero, the lowest bit set when anything
// was dropped), so that rounding that float32 to bfloat16 is the float64's correct rounding,
// not a double rounding. NaN and infinities pass through.
llvm::Value* double_to_float_odd(llvm::IRBuilder<>& b, llvm::Module& module, llvm::Value* value) {
  llvm::Value* narrow = b.CreateFPTrunc(value, shaped_like(value, b.getFloatTy()));
  llvm::Value* back = b.CreateFPExt(narrow, value->getType());
  llvm::Function* fabs = llvm::Intrinsic::getDeclaration(&module, llvm::Intrinsic::fabs, {value->getType()});
  llvm::Value* inexact = b.CreateFCmpONE(back, value);
  llvm::Value* rounded_away = b.CreateFCmpOGT(b.CreateCall(fabs, {back}), b.CreateCall(fabs, {value}));
  llvm::Value* bits = b.CreateBitCast(narrow, shaped_like(value, b.getInt32Ty()));
  bits = b.CreateSelect(rounded_away, b.CreateSub(bits, int_like(b, bits, 32, 1)), bits);
  bits = b.CreateOr(bits, b.CreateZExt(inexact, bits->getType()));
  return b.CreateBitCast(bits, narrow->getType());
}

// A signed integer of up to 64 bits as float32 rounded to odd: its 24 leading bits, the lowest
// of them set when any bit below was dropped, scaled back by a power of two (both exact).
llvm::Value* int_to_float_odd(llvm::IRBuilder<>& b, llvm::Module& module, llvm::Value* value) {
  llvm::Type* i64 = shaped_like(value, b.getInt64Ty());
  llvm::Value* x = b.CreateSExt(value, i64);
  llvm::Value* negative = b.CreateICmpSLT(x, int_like(b, x, 64, 0));
  llvm::Value* magnitude = b.CreateSelect(negative, b.CreateNeg(x), x);  // INT64_MIN reads as 2^63 unsigned
  llvm::Function* ctlz = llvm::Intrinsic::getDeclaration(&module, llvm::Intrinsic::ctlz, {i64});
  llvm::Value* leading_zeros = b.CreateCall(ctlz, {magnitude, b.getFalse()});
  llvm::Value* excess = b.CreateSub(int_like(b, x, 64, 40), leading_zeros);  // significant bits beyond 24
  llvm::Value* shift = b.CreateSelect(b.CreateICmpSGT(excess, int_like(b, x, 64, 0)), excess, int_like(b, x, 64, 0));
  llvm::Value* dropped = b.CreateAnd(magnitude, b.CreateSub(b.CreateShl(int_like(b, x, 64, 1), shift), int_like(b, x, 64, 1)));
  llvm::Value* kept = b.CreateOr(b.CreateLShr(magnitude, shift), b.CreateZExt(b.CreateICmpNE(dropped, int_like(b, x, 64, 0)), i64));
  llvm::Value* scale = b.CreateBitCast(b.CreateShl(b.CreateTrunc(b.CreateAdd(shift, int_like(b, x, 64, 127)), shaped_like(value, b.getInt32Ty())), 23),
                                       shaped_like(value, b.getFloatTy()));
  llvm::Value* result = b.CreateFMul(b.CreateUIToFP(kept, scale->getType()), scale);
  return b.CreateSelect(negative, b.CreateFNeg(result), result);
}

// The bits of the bfloat16 nearest to a literal, rounded once from its exact value.
llvm::Constant* bfloat16_constant(llvm::IRBuilder<>& b, const llvm::APFloat& exact) {
  llvm::APFloat value = exact;
  bool loses_info = false;
  value.convert(llvm::APFloat::BFloat(), llvm::APFloat::rmNearestTiesToEven, &loses_info);
  return b.getInt16(static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue()));
}

}  // namespace

llvm::Type* KernelEmitter::llvm_type(DataType dtype) {
  switch (dtype) {
    case DataType::Bool: return b_.getInt1Ty();
    case DataType::Int8:
    case DataType::UInt8: return b_.getInt8Ty();
    case DataType::Int16: return b_.getInt16Ty();
    case DataType::Int32: return b_.getInt32Ty();
    case DataType::Int64: return b_.getInt64Ty();
    case DataType::Float16: return b_.getHalfTy();
    case DataType::BFloat16: return b_.getInt16Ty();  // its bits; see the comment at the top
    case DataType::Float32: return b_.getFloatTy();
    case DataType::Float64: return b_.getDoubleTy();
    case DataType::Handle: return b_.getPtrTy();
    case DataType::Void: break;
  }
  throw std::logic_error("no LLVM type for dtype void");
}

llvm::Type* KernelEmitter::storage_type(DataType dtype) { return dtype == DataType::Bool ? b_.getInt8Ty() : llvm_type(dtype); }

// Bool is stored in memory as one byte, like numpy's bool_. Vectors convert lane by lane.
// A bfloat16 `value` is its bits (i16) or its expression's float32 result; converted to
// bfloat16 it is always bits. Sources wider than float32's 24 bits are rounded to odd first,
// so that the one rounding to bfloat16 is their correct rounding.
llvm::Value* KernelEmitter::convert(llvm::Value* value, DataType from, DataType to) {
  if (from == DataType::BFloat16 || to == DataType::BFloat16) {
    llvm::IRBuilderBase::FastMathFlagGuard exact_math(b_);  // no reassociation inside a reduction
    b_.clearFastMathFlags();
    bool computed = value->getType()->getScalarType()->isFloatTy();
    if (from == DataType::BFloat16) {
      if (to == DataType::BFloat16) return computed ? float_to_bfloat16(b_, value) : value;
      return convert(computed ? value : bfloat16_to_float(b_, value), DataType::Float32, to);
    }
    if (from == DataType::Float64) return float_to_bfloat16(b_, double_to_float_odd(b_, module_, value));
    if (from == DataType::Int32 || from == DataType::Int64) return float_to_bfloat16(b_, int_to_float_odd(b_, module_, value));
    return float_to_bfloat16(b_, convert(value, from, DataType::Float32));  // exact in float32
  }
  if (from == to) return value;
  llvm::Type* target = llvm_type(to);
  if (auto* vector = llvm::dyn_cast<llvm::VectorType>(value->getType())) target = llvm::VectorType::get(target, vector->getElementCount());
  if (to == DataType::Bool) {
    if (is_float(from)) return b_.CreateFCmpUNE(value, llvm::ConstantFP::get(value->getType(), 0.0));
    return b_.CreateICmpNE(value, llvm::ConstantInt::get(value->getType(), 0));
  }
  bool from_signed = from != DataType::UInt8 && from != DataType::Bool;
  if (is_float(from) && is_float(to)) return b_.CreateFPCast(value, target);
  if (is_float(from)) return to == DataType::UInt8 ? b_.CreateFPToUI(value, target) : b_.CreateFPToSI(value, target);
  if (is_float(to)) return from_signed ? b_.CreateSIToFP(value, target) : b_.CreateUIToFP(value, target);
  return b_.CreateIntCast(value, target, from_signed);
}

llvm::Value* KernelEmitter::index_i64(const Expr& e) { return convert(expr(e), e->dtype, DataType::Int64); }

llvm::Value* KernelEmitter::expr(const Expr& e) {
  switch (e->kind) {
    case ExprKind::IntImm: {
      auto* imm = e->as<IntImm>();
      if (imm->dtype == DataType::BFloat16) {
        llvm::APFloat exact(llvm::APFloat::IEEEquad());  // holds any int64 exactly
        exact.convertFromAPInt(llvm::APInt(64, static_cast<uint64_t>(imm->value), true), true, llvm::APFloat::rmNearestTiesToEven);
        return bfloat16_constant(b_, exact);
      }
      if (is_float(imm->dtype)) return llvm::ConstantFP::get(llvm_type(imm->dtype), static_cast<double>(imm->value));
      return llvm::ConstantInt::get(llvm_type(imm->dtype), static_cast<uint64_t>(imm->value), true);
    }
    case ExprKind::FloatImm: {
      auto* imm = e->as<FloatImm>();
      if (!is_float(imm->dtype)) return llvm::ConstantInt::get(llvm_type(imm->dtype), static_cast<int64_t>(imm->value), true);
      if (imm->dtype == DataType::BFloat16) return bfloat16_constant(b_, llvm::APFloat(imm->value));
      return llvm::ConstantFP::get(llvm_type(imm->dtype), imm->value);
    }
    case ExprKind::VarRef: {
      auto* ref = e->as<VarRef>();
      auto it = vars_.find(ref->var.get());
      if (it == vars_.end()) throw CompileError(e->loc, "'" + ref->var->name + "' has no value here");
      return convert(it->second, ref->var->dtype, e->dtype);
    }
    case ExprKind::Load: {
      auto* load = e->as<Load>();
      llvm::Value* ptr = element_pointer(*load->buffer, load->indices, e->loc);
      llvm::Value* value = b_.CreateLoad(storage_type(load->buffer->dtype), ptr);
      if (load->buffer->dtype == DataType::Bool) value = b_.CreateICmpNE(value, b_.getInt8(0));
      return value;
    }
    case ExprKind::Binary: return binary(*e->as<Binary>());
    case ExprKind::Not: return b_.CreateNot(convert(expr(e->as<Not>()->a), e->as<Not>()->a->dtype, DataType::Bool));
    case ExprKind::Cast: {
      auto* cast = e->as<Cast>();
      return convert(expr(cast->value), cast->value->dtype, cast->dtype);
    }
    case ExprKind::Select: return select(*e->as<Select>());
    case ExprKind::Call: return call(*e->as<Call>());
    case ExprKind::StringImm: break;
    case ExprKind::BufferRef: throw CompileError(e->loc, "a whole buffer is a value only as an argument of T.call_packed");
  }
  throw CompileError(e->loc, "a string cannot be used as a value in TensorIR");
}

llvm::Value* KernelEmitter::binary(const Binary& node) {
  DataType operand = binary_operand_type(node);
  llvm::Value* a = convert(expr(node.a), node.a->dtype, operand);
  llvm::Value* b = convert(expr(node.b), node.b->dtype, operand);
  return binary_values(node.op, a, b, operand);
}

// Comparisons and logic take their operand type from the operands, not the (bool) result. The
// front end unifies operand types; a mismatch left here is widened to the float or the wider
// integer type, as TVM's binary operators do.
DataType KernelEmitter::binary_operand_type(const Binary& node) {
  DataType operand = node.a->dtype;
  if (node.op == BinaryOp::And || node.op == BinaryOp::Or) return DataType::Bool;
  if (operand != node.b->dtype) {
    if (is_float(node.b->dtype) && !is_float(operand)) operand = node.b->dtype;
    else if (is_float(node.b->dtype) == is_float(operand) && dtype_bits(node.b->dtype) > dtype_bits(operand)) operand = node.b->dtype;
  }
  return operand == DataType::BFloat16 ? DataType::Float32 : operand;  // bfloat16 arithmetic runs in float32
}

// Scalars or vectors of the same shape, both already of the operand type.
llvm::Value* KernelEmitter::binary_values(BinaryOp op, llvm::Value* a, llvm::Value* b, DataType operand) {
  bool fp = is_float(operand);
  bool is_unsigned = operand == DataType::UInt8 || operand == DataType::Bool;
  switch (op) {
    case BinaryOp::Add: return fp ? b_.CreateFAdd(a, b) : b_.CreateAdd(a, b);
    case BinaryOp::Sub: return fp ? b_.CreateFSub(a, b) : b_.CreateSub(a, b);
    case BinaryOp::Mul: return fp ? b_.CreateFMul(a, b) : b_.CreateMul(a, b);
    case BinaryOp::Div:
      if (fp) return b_.CreateFDiv(a, b);
      return is_unsigned ? b_.CreateUDiv(a, b) : b_.CreateSDiv(a, b);
    case BinaryOp::Mod:
      if (fp) return b_.CreateFRem(a, b);
      return is_unsigned ? b_.CreateURem(a, b) : b_.CreateSRem(a, b);
    case BinaryOp::FloorDiv: {
      if (fp) return llvm_intrinsic("llvm.floor", {b_.CreateFDiv(a, b)});
      if (is_unsigned) return b_.CreateUDiv(a, b);
      // q = a / b rounded toward zero; subtract one when the remainder's sign differs from b's.
      llvm::Value* q = b_.CreateSDiv(a, b);
      llvm::Value* r = b_.CreateSRem(a, b);
      llvm::Value* zero = llvm::ConstantInt::get(a->getType(), 0);
      llvm::Value* adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero), b_.CreateICmpNE(b_.CreateICmpSLT(r, zero), b_.CreateICmpSLT(b, zero)));
      return b_.CreateSub(q, b_.CreateZExt(adjust, a->getType()));
    }
    case BinaryOp::FloorMod: {
      if (fp) return b_.CreateFSub(a, b_.CreateFMul(b, llvm_intrinsic("llvm.floor", {b_.CreateFDiv(a, b)})));
      if (is_unsigned) return b_.CreateURem(a, b);
      llvm::Value* r = b_.CreateSRem(a, b);
      llvm::Value* zero = llvm::ConstantInt::get(a->getType(), 0);
      llvm::Value* adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero), b_.CreateICmpNE(b_.CreateICmpSLT(r, zero), b_.CreateICmpSLT(b, zero)));
      return b_.CreateSelect(adjust, b_.CreateAdd(r, b), r);
    }
    // llvm.minimum/maximum propagate NaN whatever the argument order, as numpy's do.
    case BinaryOp::Min:
      if (fp) return llvm_intrinsic("llvm.minimum", {a, b});
      return b_.CreateSelect(is_unsigned ? b_.CreateICmpULT(a, b) : b_.CreateICmpSLT(a, b), a, b);
    case BinaryOp::Max:
      if (fp) return llvm_intrinsic("llvm.maximum", {a, b});
      return b_.CreateSelect(is_unsigned ? b_.CreateICmpUGT(a, b) : b_.CreateICmpSGT(a, b), a, b);
    case BinaryOp::EQ: return fp ? b_.CreateFCmpOEQ(a, b) : b_.CreateICmpEQ(a, b);
    case BinaryOp::NE: return fp ? b_.CreateFCmpUNE(a, b) : b_.CreateICmpNE(a, b);
    case BinaryOp::LT: return fp ? b_.CreateFCmpOLT(a, b) : is_unsigned ? b_.CreateICmpULT(a, b) : b_.CreateICmpSLT(a, b);
    case BinaryOp::LE: return fp ? b_.CreateFCmpOLE(a, b) : is_unsigned ? b_.CreateICmpULE(a, b) : b_.CreateICmpSLE(a, b);
    case BinaryOp::GT: return fp ? b_.CreateFCmpOGT(a, b) : is_unsigned ? b_.CreateICmpUGT(a, b) : b_.CreateICmpSGT(a, b);
    case BinaryOp::GE: return fp ? b_.CreateFCmpOGE(a, b) : is_unsigned ? b_.CreateICmpUGE(a, b) : b_.CreateICmpSGE(a, b);
    case BinaryOp::And: return b_.CreateAnd(a, b);
    case BinaryOp::Or: return b_.CreateOr(a, b);
  }
  throw std::logic_error("unhandled binary operator");
}

llvm::Value* KernelEmitter::select(const Select& node) {
  llvm::Value* cond = convert(expr(node.cond), node.cond->dtype, DataType::Bool);
  llvm::BasicBlock* then_bb = llvm::BasicBlock::Create(ctx_, "select.then", fn_);
  llvm::BasicBlock* else_bb = llvm::BasicBlock::Create(ctx_, "select.else", fn_);
  llvm::BasicBlock* done_bb = llvm::BasicBlock::Create(ctx_, "select.done", fn_);
  b_.CreateCondBr(cond, then_bb, else_bb);
  b_.SetInsertPoint(then_bb);
  llvm::Value* t = convert(expr(node.true_value), node.true_value->dtype, node.dtype);
  llvm::BasicBlock* then_end = b_.GetInsertBlock();
  b_.CreateBr(done_bb);
  b_.SetInsertPoint(else_bb);
  llvm::Value* f = convert(expr(node.false_value), node.false_value->dtype, node.dtype);
  llvm::BasicBlock* else_end = b_.GetInsertBlock();
  b_.CreateBr(done_bb);
  b_.SetInsertPoint(done_bb);
  llvm::PHINode* phi = b_.CreatePHI(t->getType(), 2);
  phi->addIncoming(t, then_end);
  phi->addIncoming(f, else_end);
  return phi;
}

}  // namespace relaxc::codegen

// The entry of a compiled prim_func: unpacks the kernel-ABI arguments and checks every
// assumption the body makes before it runs, binding symbolic sizes from the first dimension
// that determines them. Each failed check returns 1 with a message naming the function,
// argument, buffer and dimension, plus the expected and actual values.
#include <llvm/IR/MDBuilder.h>

#include <algorithm>

#include "compiler/codegen/dlpack_layout.h"
#include "compiler/codegen/kernel_emitter.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/support/diagnostics.h"
#include "relaxrt/kernel_abi.h"

namespace relaxc::codegen {

using namespace relaxc::tir;


KernelEmitter::KernelEmitter(const PrimFunc& func, llvm::Module& module, bool masked_vectors)
    : func_(func), module_(module), masked_vectors_(masked_vectors), ctx_(module.getContext()), b_(module.getContext()) {}

void KernelEmitter::fail_if(llvm::Value* condition, const std::string& message, llvm::Value* expected, llvm::Value* actual) {
  llvm::BasicBlock* fail_bb = llvm::BasicBlock::Create(ctx_, "check.fail", fn_);
  llvm::BasicBlock* ok_bb = llvm::BasicBlock::Create(ctx_, "check.ok", fn_);
  b_.CreateCondBr(condition, fail_bb, ok_bb, llvm::MDBuilder(ctx_).createUnlikelyBranchWeights());
  b_.SetInsertPoint(fail_bb);
  llvm::StructType* error_type = llvm::StructType::get(ctx_, {b_.getPtrTy(), b_.getInt32Ty(), b_.getInt64Ty(), b_.getInt64Ty()});
  b_.CreateStore(b_.CreateGlobalStringPtr(message, "rx.message"), b_.CreateStructGEP(error_type, error_arg_, 0));
  b_.CreateStore(b_.getInt32(expected ? 1 : 0), b_.CreateStructGEP(error_type, error_arg_, 1));
  if (expected) {
    b_.CreateStore(expected, b_.CreateStructGEP(error_type, error_arg_, 2));
    b_.CreateStore(actual, b_.CreateStructGEP(error_type, error_arg_, 3));
  }
  b_.CreateRet(b_.getInt32(1));
  b_.SetInsertPoint(ok_bb);
}

llvm::Function* KernelEmitter::emit() {
  llvm::FunctionType* type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getInt32Ty(), b_.getPtrTy()}, false);
  fn_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, RX_KERNEL_SYMBOL_PREFIX + func_.name, module_);
  fn_->addFnAttr(llvm::Attribute::NoUnwind);
  entry_ = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  b_.SetInsertPoint(entry_);
  error_arg_ = fn_->getArg(3);
  emit_entry_checks();
  llvm::Function* entry = fn_;
  outline_body();
  std::vector<llvm::Value*> heap = allocate_buffers(func_.root_alloc_buffers, "root");
  stmt(func_.body);
  free_buffers(heap);
  b_.CreateRet(b_.getInt32(0));
  return entry;
}

bool KernelEmitter::buffers_do_not_alias() const {
  for (const auto& [key, value] : func_.attrs) {
    if (key == "tir.noalias") return value->kind == AttrValue::Kind::Bool ? value->bool_value : value->int_value != 0;
  }
  return false;
}

// The body runs in a function of its own whose buffer pointers are arguments, so that with
// "tir.noalias" they can be marked noalias: LLVM then keeps a reduction's accumulator in a
// register and vectorizes. The entry calls it; the inliner folds it back, keeping what noalias
// told it as alias scopes.
void KernelEmitter::outline_body() {
  std::vector<llvm::Value*> captured;
  std::vector<llvm::Type*> types;
  std::vector<const tir::Buffer*> buffers;
  for (const Param& param : func_.params) {
    if (!param.buffer) continue;
    const BufferValue& value = buffers_.at(param.buffer.get());
    buffers.push_back(param.buffer.get());
    captured.push_back(value.data);
    for (llvm::Value* extent : value.shape) captured.push_back(extent);
  }
  std::vector<const tir::Var*> scalars = keys_by_name(vars_);
  for (const tir::Var* var : scalars) captured.push_back(vars_.at(var));
  captured.push_back(error_arg_);
  for (llvm::Value* v : captured) types.push_back(v->getType());
  llvm::Function* body = llvm::Function::Create(llvm::FunctionType::get(b_.getInt32Ty(), types, false), llvm::Function::InternalLinkage,
                                                "__rx_body_" + func_.name, module_);
  body->addFnAttr(llvm::Attribute::NoUnwind);
  body->addFnAttr(llvm::Attribute::AlwaysInline);
  b_.CreateRet(b_.CreateCall(body, captured));

  fn_ = body;
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", body));
  bool noalias = buffers_do_not_alias();
  unsigned arg = 0;
  for (const tir::Buffer* buffer : buffers) {
    BufferValue& value = buffers_.at(buffer);
    if (noalias) body->addParamAttr(arg, llvm::Attribute::NoAlias);
    value.data = body->getArg(arg++);
    for (llvm::Value*& extent : value.shape) extent = body->getArg(arg++);
  }
  for (const tir::Var* var : scalars) vars_[var] = body->getArg(arg++);
  error_arg_ = body->getArg(arg);
}

void KernelEmitter::emit_entry_checks() {
  const std::string where = func_.name + ": ";
  llvm::Value* args = fn_->getArg(0);
  llvm::Value* kinds = fn_->getArg(1);
  llvm::Value* num_args = fn_->getArg(2);
  llvm::Value* expected_count = b_.getInt32(static_cast<uint32_t>(func_.params.size()));
  fail_if(b_.CreateICmpNE(num_args, expected_count), where + "wrong number of arguments",
          b_.CreateSExt(expected_count, b_.getInt64Ty()), b_.CreateSExt(num_args, b_.getInt64Ty()));

  llvm::StructType* dl_type = dl_tensor_type(ctx_);
  // Where each symbolic size was first seen, for messages about later dimensions.
  std::unordered_map<const Var*, std::string> bound_by;
  struct Deferred {
    std::string what;
    Expr dim;
    llvm::Value* actual;
  };
  std::vector<Deferred> deferred;

  for (size_t i = 0; i < func_.params.size(); ++i) {
    const Param& param = func_.params[i];
    std::string arg_name = "argument " + std::to_string(i) + " '" + param.var->name + "'";
    llvm::Value* kind = b_.CreateLoad(b_.getInt32Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt32Ty(), kinds, i));
    llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), args, i);
    if (!param.buffer) {
      bool fp = is_float(param.var->dtype);
      fail_if(b_.CreateICmpNE(kind, b_.getInt32(fp ? RX_ARG_FLOAT : RX_ARG_INT)),
              where + arg_name + " must be " + (fp ? "a float" : "an integer") + " scalar");
      llvm::Value* raw = b_.CreateLoad(fp ? b_.getDoubleTy() : b_.getInt64Ty(), slot);
      vars_[param.var.get()] = convert(raw, fp ? DataType::Float64 : DataType::Int64, param.var->dtype);
      continue;
    }
    const Buffer& buffer = *param.buffer;
    std::string buffer_name = arg_name + " (buffer " + buffer.name + ")";
    fail_if(b_.CreateICmpNE(kind, b_.getInt32(RX_ARG_TENSOR)), where + arg_name + " must be a tensor");
    llvm::Value* tensor = b_.CreateLoad(b_.getPtrTy(), slot);
    fail_if(b_.CreateIsNull(tensor), where + arg_name + " is a null tensor");
    llvm::Value* ndim = b_.CreateLoad(b_.getInt32Ty(), b_.CreateStructGEP(dl_type, tensor, kNdim));
    fail_if(b_.CreateICmpNE(ndim, b_.getInt32(static_cast<uint32_t>(buffer.shape.size()))), where + buffer_name + " has the wrong rank",
            b_.getInt64(buffer.shape.size()), b_.CreateSExt(ndim, b_.getInt64Ty()));
    llvm::Value* dtype_ptr = b_.CreateStructGEP(dl_type, tensor, kDType);
    auto [code, bits] = dl_dtype(buffer.dtype);
    llvm::Value* code_ok = b_.CreateICmpEQ(b_.CreateLoad(b_.getInt8Ty(), dtype_ptr), b_.getInt8(code));
    llvm::Value* bits_ok = b_.CreateICmpEQ(b_.CreateLoad(b_.getInt8Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), dtype_ptr, 1)), b_.getInt8(bits));
    fail_if(b_.CreateNot(b_.CreateAnd(code_ok, bits_ok)), where + buffer_name + " must hold " + dtype_name(buffer.dtype));

    llvm::Value* shape = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(dl_type, tensor, kShape));
    BufferValue value;
    value.dtype = buffer.dtype;
    for (size_t d = 0; d < buffer.shape.size(); ++d) {
      llvm::Value* actual = b_.CreateLoad(b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), shape, d));
      value.shape.push_back(actual);
      std::string dim_name = where + buffer_name + " dimension " + std::to_string(d);
      const Expr& dim = buffer.shape[d];
      const VarRef* ref = dim->as<VarRef>();
      if (ref && !vars_.count(ref->var.get())) {
        vars_[ref->var.get()] = convert(actual, DataType::Int64, ref->var->dtype);
        bound_by[ref->var.get()] = arg_name + " dimension " + std::to_string(d);
        continue;
      }
      bool ready = true;
      for (const VarPtr& used : vars_in(dim)) ready = ready && vars_.count(used.get());
      if (!ready) {
        deferred.push_back({dim_name, dim, actual});
        continue;
      }
      // A constant needs no note: the message carries the expected value.
      std::string note = dim->as<IntImm>() ? "" : " (" + printing::print_tir_expr(dim) + (ref ? ", bound by " + bound_by[ref->var.get()] : "") + ")";
      fail_if(b_.CreateICmpNE(index_i64(dim), actual), dim_name + " mismatch" + note, index_i64(dim), actual);
    }
    // Kernels index buffers as dense row-major arrays; strided views are refused, not misread.
    llvm::Value* strides = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(dl_type, tensor, kStrides));
    llvm::Value* compact = b_.CreateIsNull(strides);
    if (!buffer.shape.empty()) {
      llvm::BasicBlock* check_bb = llvm::BasicBlock::Create(ctx_, "strides", fn_);
      llvm::BasicBlock* done_bb = llvm::BasicBlock::Create(ctx_, "strides.done", fn_);
      llvm::BasicBlock* before = b_.GetInsertBlock();
      b_.CreateCondBr(compact, done_bb, check_bb);
      b_.SetInsertPoint(check_bb);
      llvm::Value* all = b_.getTrue();
      llvm::Value* expected_stride = b_.getInt64(1);
      for (size_t d = buffer.shape.size(); d-- > 0;) {
        llvm::Value* stride = b_.CreateLoad(b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), strides, d));
        // A dimension of extent 1 may have any stride.
        llvm::Value* ok = b_.CreateOr(b_.CreateICmpEQ(stride, expected_stride), b_.CreateICmpEQ(value.shape[d], b_.getInt64(1)));
        all = b_.CreateAnd(all, ok);
        expected_stride = b_.CreateMul(expected_stride, value.shape[d]);
      }
      b_.CreateBr(done_bb);
      b_.SetInsertPoint(done_bb);
      llvm::PHINode* phi = b_.CreatePHI(b_.getInt1Ty(), 2);
      phi->addIncoming(b_.getTrue(), before);
      phi->addIncoming(all, check_bb);
      compact = phi;
    }
    fail_if(b_.CreateNot(compact), where + buffer_name + " must be a compact row-major tensor");
    llvm::Value* data = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(dl_type, tensor, kData));
    llvm::Value* offset = b_.CreateLoad(b_.getInt64Ty(), b_.CreateStructGEP(dl_type, tensor, kByteOffset));
    value.data = b_.CreateInBoundsGEP(b_.getInt8Ty(), data, offset);
    buffers_[param.buffer.get()] = value;
  }
  for (const Deferred& item : deferred) {
    for (const VarPtr& used : vars_in(item.dim)) {
      if (!vars_.count(used.get())) {
        throw CompileError(used->loc, "the size '" + used->name + "' of " + func_.name +
                                          " is not determined by any parameter: use it alone as a dimension of some buffer parameter");
      }
    }
    llvm::Value* expected = index_i64(item.dim);
    fail_if(b_.CreateICmpNE(expected, item.actual), item.what + " mismatch (" + printing::print_tir_expr(item.dim) + ")", expected, item.actual);
  }
}

}  // namespace relaxc::codegen

// The entry of a compiled prim_func: unpacks the kernel-ABI arguments and checks every
// assumption the body makes before it runs, binding symbolic sizes from the first dimension
// that determines them. Each failed check returns 1 with a message naming the function,
// argument, buffer and dimension, plus the expected and actual values.
#include <llvm/IR/MDBuilder.h>

#include <algorithm>
#include <set>

#include "compiler/codegen/dlpack_layout.h"
#include "compiler/codegen/kernel_emitter.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/support/diagnostics.h"
#include "relaxrt/kernel_abi.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

KernelEmitter::KernelEmitter(const PrimFunc& func, llvm::Module& module, bool masked_vectors, int64_t min_parallel_work)
    : func_(func),
      module_(module),
      masked_vectors_(masked_vectors),
      min_parallel_work_(min_parallel_work),
      ctx_(module.getContext()),
      b_(module.getContext()) {}

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

llvm::Value* KernelEmitter::kept_constant(llvm::Value* captured, llvm::Value* passed) {
  return llvm::isa<llvm::Constant>(captured) ? captured : passed;
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
  // Constants (the extents the argument checks fixed) stay constants, for the body and for the
  // parallel loops whose closures capture them.
  auto next = [&](llvm::Value* value) { return kept_constant(value, body->getArg(arg++)); };
  for (const tir::Buffer* buffer : buffers) {
    BufferValue& value = buffers_.at(buffer);
    if (noalias) body->addParamAttr(arg, llvm::Attribute::NoAlias);
    value.data = body->getArg(arg++);
    for (llvm::Value*& extent : value.shape) extent = next(extent);
  }
  for (const tir::Var* var : scalars) vars_[var] = next(vars_.at(var));
  error_arg_ = body->getArg(arg);
}

namespace {

// The LLVM types of kernel_abi.h's RxDimCheck, RxArgCheck and RxKernelChecks.
struct CheckTypes {
  explicit CheckTypes(llvm::LLVMContext& ctx)
      : ptr(llvm::PointerType::getUnqual(ctx)),
        i8(llvm::Type::getInt8Ty(ctx)),
        i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)),
        dim(llvm::StructType::get(ctx, {i32, i32, i64, ptr})),
        arg(llvm::StructType::get(ctx, {i32, i32, i8, i8, ptr, ptr, ptr, ptr, ptr, ptr})),
        kernel(llvm::StructType::get(ctx, {i32, ptr, ptr})) {}
  llvm::PointerType* ptr;
  llvm::Type *i8, *i32, *i64;
  llvm::StructType *dim, *arg, *kernel;
};

// A constant array of `type` as a private global; a null pointer when empty.
llvm::Constant* constant_array(llvm::Module& module, llvm::StructType* type, const std::vector<llvm::Constant*>& items, const std::string& name) {
  if (items.empty()) return llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(module.getContext()));
  auto* array_type = llvm::ArrayType::get(type, items.size());
  return new llvm::GlobalVariable(module, array_type, true, llvm::GlobalValue::PrivateLinkage, llvm::ConstantArray::get(array_type, items), name);
}

}  // namespace

// The checks become a table the runtime's checker reads (kernel_abi.h): as code they made most
// of a small kernel's LLVM IR and of its compile time. What the table cannot say (a dimension
// that is an expression, or a size a scalar argument gives) stays code, run after the checker.
void KernelEmitter::emit_entry_checks() {
  const std::string where = func_.name + ": ";
  CheckTypes types(ctx_);
  auto text = [&](const std::string& message) -> llvm::Constant* { return b_.CreateGlobalStringPtr(message, "rx.message"); };
  auto i32 = [&](int64_t v) { return llvm::ConstantInt::get(types.i32, static_cast<uint64_t>(v), true); };
  std::unordered_map<const Var*, int> slot_of;           // sizes the checker binds, by slot
  std::unordered_map<const Var*, std::string> bound_by;  // where each size was first seen
  std::set<const Var*> scalar_vars;                      // sizes given by scalar arguments so far
  struct ByCode {
    std::string what;
    Expr dim;
    size_t param, d;
  };
  std::vector<ByCode> by_code;
  std::vector<std::vector<bool>> compared(func_.params.size());  // by the checker, against a known value
  std::vector<llvm::Constant*> arg_checks;
  for (size_t i = 0; i < func_.params.size(); ++i) {
    const Param& param = func_.params[i];
    std::string arg_name = "argument " + std::to_string(i) + " '" + param.var->name + "'";
    llvm::Constant* null = llvm::ConstantPointerNull::get(types.ptr);
    if (!param.buffer) {
      bool fp = is_float(param.var->dtype);
      scalar_vars.insert(param.var.get());
      arg_checks.push_back(llvm::ConstantStruct::get(
          types.arg, {i32(fp ? RX_ARG_FLOAT : RX_ARG_INT), i32(0), llvm::ConstantInt::get(types.i8, 0), llvm::ConstantInt::get(types.i8, 0),
                      text(where + arg_name + " must be " + (fp ? "a float" : "an integer") + " scalar"), null, null, null, null, null}));
      continue;
    }
    const Buffer& buffer = *param.buffer;
    std::string buffer_name = arg_name + " (buffer " + buffer.name + ")";
    std::vector<llvm::Constant*> dims;
    for (size_t d = 0; d < buffer.shape.size(); ++d) {
      std::string dim_name = where + buffer_name + " dimension " + std::to_string(d);
      const Expr& dim = buffer.shape[d];
      const VarRef* ref = dim->as<VarRef>();
      const Var* var = ref ? ref->var.get() : nullptr;
      int how = RX_DIM_BY_CODE, slot = 0;
      int64_t value = 0;
      std::string mismatch;
      if (const IntImm* imm = dim->as<IntImm>()) {
        how = RX_DIM_EQUALS;
        value = imm->value;
        mismatch = dim_name + " mismatch";
      } else if (var && !slot_of.count(var) && !scalar_vars.count(var)) {
        how = RX_DIM_BINDS;
        slot = static_cast<int>(slot_of.size());
        slot_of[var] = slot;
        bound_by[var] = arg_name + " dimension " + std::to_string(d);
      } else if (var && slot_of.count(var) && var->dtype == DataType::Int64) {
        how = RX_DIM_EQUALS_VAR;
        slot = slot_of[var];
        mismatch = dim_name + " mismatch (" + printing::print_tir_expr(dim) + ", bound by " + bound_by[var] + ")";
      } else {
        by_code.push_back({dim_name, dim, i, d});
      }
      compared[i].push_back(how == RX_DIM_EQUALS || how == RX_DIM_EQUALS_VAR);
      dims.push_back(llvm::ConstantStruct::get(types.dim, {i32(how), i32(slot), llvm::ConstantInt::get(types.i64, static_cast<uint64_t>(value), true),
                                                           mismatch.empty() ? null : text(mismatch)}));
    }
    auto [code, bits] = dl_dtype(buffer.dtype);
    arg_checks.push_back(llvm::ConstantStruct::get(
        types.arg,
        {i32(RX_ARG_TENSOR), i32(static_cast<int64_t>(buffer.shape.size())), llvm::ConstantInt::get(types.i8, code),
         llvm::ConstantInt::get(types.i8, bits), text(where + arg_name + " must be a tensor"), text(where + arg_name + " is a null tensor"),
         text(where + buffer_name + " has the wrong rank"), text(where + buffer_name + " must hold " + dtype_name(buffer.dtype)),
         text(where + buffer_name + " must be a compact row-major tensor"),
         constant_array(module_, types.dim, dims, "rx.dims." + func_.name + "." + std::to_string(i))}));
  }
  auto* table = new llvm::GlobalVariable(
      module_, types.kernel, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantStruct::get(types.kernel, {i32(static_cast<int64_t>(func_.params.size())), text(where + "wrong number of arguments"),
                                               constant_array(module_, types.arg, arg_checks, "rx.args." + func_.name)}),
      "rx.checks." + func_.name);
  call_argument_checker(table, slot_of.size());
  unpack_arguments(compared);
  for (const ByCode& item : by_code)
    check_dimension_by_code(item.what, item.dim, buffers_.at(func_.params[item.param].buffer.get()).shape[item.d], bound_by);
}

void KernelEmitter::call_argument_checker(llvm::Value* table, size_t slots) {
  llvm::Value* checker = b_.CreateLoad(b_.getPtrTy(), runtime_hook(module_, RX_CHECK_ARGS_SYMBOL));
  fail_if(b_.CreateIsNull(checker), func_.name + ": the runtime did not provide the argument checker " RX_CHECK_ARGS_SYMBOL);
  bound_sizes_ = b_.CreateAlloca(b_.getInt64Ty(), b_.getInt32(static_cast<uint32_t>(std::max<size_t>(1, slots))), "rx.sizes");
  llvm::FunctionType* type =
      llvm::FunctionType::get(b_.getInt32Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getPtrTy(), b_.getInt32Ty(), b_.getPtrTy(), b_.getPtrTy()}, false);
  llvm::Value* failed = b_.CreateCall(type, checker, {table, fn_->getArg(0), fn_->getArg(1), fn_->getArg(2), bound_sizes_, error_arg_});
  llvm::BasicBlock* fail_bb = llvm::BasicBlock::Create(ctx_, "check.fail", fn_);
  llvm::BasicBlock* ok_bb = llvm::BasicBlock::Create(ctx_, "check.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(failed, b_.getInt32(0)), fail_bb, ok_bb, llvm::MDBuilder(ctx_).createUnlikelyBranchWeights());
  b_.SetInsertPoint(fail_bb);
  b_.CreateRet(b_.getInt32(1));
  b_.SetInsertPoint(ok_bb);
}

// After the checker: each scalar's value, each buffer's data and extents, the sizes bound. An
// extent the checker compared with a constant or a bound size is that value, so that LLVM
// folds it into the body's indexing as it did when the comparison was a branch it could see.
void KernelEmitter::unpack_arguments(const std::vector<std::vector<bool>>& compared) {
  llvm::Value* args = fn_->getArg(0);
  llvm::StructType* dl_type = dl_tensor_type(ctx_);
  for (size_t i = 0; i < func_.params.size(); ++i) {
    const Param& param = func_.params[i];
    llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), args, i);
    if (!param.buffer) {
      bool fp = is_float(param.var->dtype);
      llvm::Value* raw = b_.CreateLoad(fp ? b_.getDoubleTy() : b_.getInt64Ty(), slot);
      vars_[param.var.get()] = convert(raw, fp ? DataType::Float64 : DataType::Int64, param.var->dtype);
      continue;
    }
    const Buffer& buffer = *param.buffer;
    llvm::Value* tensor = b_.CreateLoad(b_.getPtrTy(), slot);
    llvm::Value* shape = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(dl_type, tensor, kShape));
    BufferValue value;
    value.dtype = buffer.dtype;
    for (size_t d = 0; d < buffer.shape.size(); ++d) {
      if (compared[i][d]) {
        value.shape.push_back(index_i64(buffer.shape[d]));
        continue;
      }
      llvm::Value* actual = b_.CreateLoad(b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), shape, d));
      value.shape.push_back(actual);
      const VarRef* ref = buffer.shape[d]->as<VarRef>();
      if (ref && !vars_.count(ref->var.get())) vars_[ref->var.get()] = convert(actual, DataType::Int64, ref->var->dtype);
    }
    llvm::Value* data = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(dl_type, tensor, kData));
    llvm::Value* offset = b_.CreateLoad(b_.getInt64Ty(), b_.CreateStructGEP(dl_type, tensor, kByteOffset));
    value.data = b_.CreateInBoundsGEP(b_.getInt8Ty(), data, offset);
    buffers_[param.buffer.get()] = value;
  }
}

void KernelEmitter::check_dimension_by_code(const std::string& what, const Expr& dim, llvm::Value* actual,
                                            const std::unordered_map<const Var*, std::string>& bound_by) {
  for (const VarPtr& used : vars_in(dim)) {
    if (!vars_.count(used.get())) {
      throw CompileError(used->loc, "the size '" + used->name + "' of " + func_.name +
                                        " is not determined by any parameter: use it alone as a dimension of some buffer parameter");
    }
  }
  const VarRef* ref = dim->as<VarRef>();
  auto bound = ref ? bound_by.find(ref->var.get()) : bound_by.end();
  std::string note = " (" + printing::print_tir_expr(dim) + (bound != bound_by.end() ? ", bound by " + bound->second : "") + ")";
  llvm::Value* expected = index_i64(dim);
  fail_if(b_.CreateICmpNE(expected, actual), what + " mismatch" + note, expected, actual);
}

}  // namespace relaxc::codegen

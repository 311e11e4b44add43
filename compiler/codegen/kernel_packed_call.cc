// T.call_packed("name", args...) in a kernel: the arguments become the kernel ABI's tagged values
// (a buffer a DLTensor built on the stack over the buffer's memory, a number an int64 or a
// double), and the function is called through a slot the runtime fills at load time (see
// RxPackedFunctionSlot in relaxrt/kernel_abi.h). A failure returns from the kernel with the
// callee's message, to which the runtime's failure hook adds the kernel's name.
#include "compiler/codegen/dlpack_layout.h"
#include "compiler/codegen/kernel_emitter.h"
#include "relaxrt/kernel_abi.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

namespace {

constexpr const char* kSlotPrefix = "__rx_packed_slot.";

// The pointer the runtime fills for `name`, one per name in the module. Weak and hidden: the
// kernels are compiled in several modules at once (compile_kernels.h), each defining the slots
// it uses, and the linker merges them into one per name inside the library.
llvm::GlobalVariable* packed_slot(llvm::Module& module, const std::string& name) {
  std::string symbol = kSlotPrefix + name;
  if (llvm::GlobalVariable* slot = module.getGlobalVariable(symbol, true)) return slot;
  llvm::PointerType* ptr = llvm::PointerType::getUnqual(module.getContext());
  auto* slot = new llvm::GlobalVariable(module, ptr, false, llvm::GlobalValue::WeakAnyLinkage, llvm::ConstantPointerNull::get(ptr), symbol);
  slot->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return slot;
}

}  // namespace

llvm::GlobalVariable* runtime_hook(llvm::Module& module, const char* symbol) {
  if (llvm::GlobalVariable* hook = module.getGlobalVariable(symbol)) return hook;
  llvm::PointerType* ptr = llvm::PointerType::getUnqual(module.getContext());
  return new llvm::GlobalVariable(module, ptr, false, llvm::GlobalValue::WeakAnyLinkage, llvm::ConstantPointerNull::get(ptr), symbol);
}

// A DLTensor over the whole of `buffer`: dense row-major, on the CPU, offset 0.
llvm::Value* KernelEmitter::dl_tensor_of(const tir::Buffer& buffer) {
  const BufferValue& value = buffers_.at(&buffer);
  llvm::StructType* type = dl_tensor_type(ctx_);
  llvm::IRBuilder<> at_entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::Value* tensor = at_entry.CreateAlloca(type, nullptr, buffer.name + ".dltensor");
  size_t rank = value.shape.size();
  llvm::Value* shape = at_entry.CreateAlloca(b_.getInt64Ty(), b_.getInt32(static_cast<uint32_t>(std::max<size_t>(rank, 1))), buffer.name + ".shape");
  for (size_t d = 0; d < rank; ++d) b_.CreateStore(value.shape[d], b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), shape, d));
  auto [code, bits] = dl_dtype(buffer.dtype);
  b_.CreateStore(value.data, b_.CreateStructGEP(type, tensor, kData));
  llvm::Value* device = b_.CreateStructGEP(type, tensor, kDevice);
  b_.CreateStore(b_.getInt32(kDLCPU), b_.CreateStructGEP(type->getElementType(kDevice), device, 0));
  b_.CreateStore(b_.getInt32(0), b_.CreateStructGEP(type->getElementType(kDevice), device, 1));
  b_.CreateStore(b_.getInt32(static_cast<uint32_t>(rank)), b_.CreateStructGEP(type, tensor, kNdim));
  llvm::Value* dtype = b_.CreateStructGEP(type, tensor, kDType);
  llvm::Type* dtype_type = type->getElementType(kDType);
  b_.CreateStore(b_.getInt8(code), b_.CreateStructGEP(dtype_type, dtype, 0));
  b_.CreateStore(b_.getInt8(bits), b_.CreateStructGEP(dtype_type, dtype, 1));
  b_.CreateStore(b_.getInt16(1), b_.CreateStructGEP(dtype_type, dtype, 2));
  b_.CreateStore(shape, b_.CreateStructGEP(type, tensor, kShape));
  b_.CreateStore(llvm::ConstantPointerNull::get(b_.getPtrTy()), b_.CreateStructGEP(type, tensor, kStrides));
  b_.CreateStore(b_.getInt64(0), b_.CreateStructGEP(type, tensor, kByteOffset));
  return tensor;
}

llvm::Value* KernelEmitter::packed_call(const Call& node) {
  const std::string& name = node.args.at(0)->as<StringImm>()->value;
  const std::string context = func_.name + ": T.call_packed(\"" + name + "\")";
  uint32_t count = static_cast<uint32_t>(node.args.size() - 1);
  llvm::IRBuilder<> at_entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::Value* values = at_entry.CreateAlloca(b_.getInt64Ty(), b_.getInt32(std::max(count, 1u)), "packed.args");
  llvm::Value* kinds = at_entry.CreateAlloca(b_.getInt32Ty(), b_.getInt32(std::max(count, 1u)), "packed.kinds");
  for (uint32_t i = 0; i < count; ++i) {
    const Expr& arg = node.args[i + 1];
    llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), values, i);
    int32_t kind = RX_ARG_INT;
    if (const auto* ref = arg->as<BufferRef>()) {
      b_.CreateStore(dl_tensor_of(*ref->buffer), slot);
      kind = RX_ARG_TENSOR;
    } else if (is_float(arg->dtype)) {
      b_.CreateStore(convert(expr(arg), arg->dtype, DataType::Float64), slot);
      kind = RX_ARG_FLOAT;
    } else {
      b_.CreateStore(convert(expr(arg), arg->dtype, DataType::Int64), slot);
    }
    b_.CreateStore(b_.getInt32(static_cast<uint32_t>(kind)), b_.CreateConstInBoundsGEP1_64(b_.getInt32Ty(), kinds, i));
  }
  llvm::Value* function = b_.CreateLoad(b_.getPtrTy(), packed_slot(module_, name));
  fail_if(b_.CreateIsNull(function), context + ": the runtime function '" + name + "' is not registered (a relaxrun plugin can register it)");
  llvm::FunctionType* abi = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getInt32Ty(), b_.getPtrTy()}, false);
  llvm::Value* status = b_.CreateCall(abi, function, {values, kinds, b_.getInt32(count), error_arg_});

  llvm::BasicBlock* failed = llvm::BasicBlock::Create(ctx_, "packed.failed", fn_);
  llvm::BasicBlock* report = llvm::BasicBlock::Create(ctx_, "packed.report", fn_);
  llvm::BasicBlock* leave = llvm::BasicBlock::Create(ctx_, "packed.leave", fn_);
  llvm::BasicBlock* ok = llvm::BasicBlock::Create(ctx_, "packed.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(status, b_.getInt32(0)), failed, ok);
  b_.SetInsertPoint(failed);
  llvm::Value* hook = b_.CreateLoad(b_.getPtrTy(), runtime_hook(module_, RX_PACKED_FAILURE_HOOK_SYMBOL));
  b_.CreateCondBr(b_.CreateIsNull(hook), leave, report);
  b_.SetInsertPoint(report);
  llvm::FunctionType* hook_type = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), b_.getPtrTy()}, false);
  b_.CreateCall(hook_type, hook, {b_.CreateGlobalStringPtr(context, "rx.packed.context"), error_arg_});
  b_.CreateBr(leave);
  b_.SetInsertPoint(leave);
  b_.CreateRet(b_.getInt32(1));
  b_.SetInsertPoint(ok);
  return status;
}

std::vector<std::string> packed_function_names(const llvm::Module& module) {
  std::vector<std::string> names;
  const std::string prefix = kSlotPrefix;
  for (const llvm::GlobalVariable& global : module.globals()) {
    if (global.getName().starts_with(prefix)) names.push_back(global.getName().drop_front(prefix.size()).str());
  }
  return names;
}

void emit_packed_function_table(llvm::Module& module, const std::vector<std::string>& names) {
  if (names.empty()) return;
  llvm::LLVMContext& ctx = module.getContext();
  llvm::PointerType* ptr = llvm::PointerType::getUnqual(ctx);
  llvm::StructType* entry = llvm::StructType::get(ctx, {ptr, ptr});
  std::vector<llvm::Constant*> entries;
  for (const std::string& name : names) {
    // The slot of a kernel in another module is declared here and resolved by the linker.
    llvm::GlobalVariable* slot = module.getGlobalVariable(kSlotPrefix + name, true);
    if (!slot) {
      slot = new llvm::GlobalVariable(module, ptr, false, llvm::GlobalValue::ExternalLinkage, nullptr, kSlotPrefix + name);
      slot->setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
    llvm::Constant* text = llvm::ConstantDataArray::getString(ctx, name);
    auto* text_global = new llvm::GlobalVariable(module, text->getType(), true, llvm::GlobalValue::PrivateLinkage, text, "rx.packed.name");
    entries.push_back(llvm::ConstantStruct::get(entry, {text_global, slot}));
  }
  entries.push_back(llvm::ConstantStruct::get(entry, {llvm::ConstantPointerNull::get(ptr), llvm::ConstantPointerNull::get(ptr)}));
  llvm::ArrayType* type = llvm::ArrayType::get(entry, entries.size());
  new llvm::GlobalVariable(module, type, false, llvm::GlobalValue::ExternalLinkage, llvm::ConstantArray::get(type, entries), RX_PACKED_FUNCTIONS_SYMBOL);
}

void emit_packed_function_table(llvm::Module& module) { emit_packed_function_table(module, packed_function_names(module)); }

}  // namespace relaxc::codegen

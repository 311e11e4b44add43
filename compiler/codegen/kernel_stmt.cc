// TensorIR statements → LLVM control flow. Loops are counted loops with an i64-or-narrower
// induction variable; a block binds its iteration variables, tests its T.where predicate, runs
// T.init when every reduction variable is at the start of its domain, then its body. Buffers a
// block allocates live in the stack frame when small and of constant size, otherwise on the
// heap (64-byte aligned) for the block's extent.
#include <algorithm>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

void KernelEmitter::stmt(const Stmt& s) {
  if (init_only_) return init_only_stmt(s);
  switch (s->kind) {
    case StmtKind::For:
      return emit_for(*s->as<For>());
    case StmtKind::Block:
      return emit_block(*s->as<Block>());
    case StmtKind::Store:
      return emit_store(*s->as<Store>());
    case StmtKind::Seq:
      for (const Stmt& part : s->as<Seq>()->stmts) stmt(part);
      return;
    case StmtKind::If:
      return emit_if(*s->as<If>());
    case StmtKind::Evaluate: {
      const Expr& value = s->as<Evaluate>()->value;
      if (!value->as<IntImm>()) expr(value);
      return;
    }
    case StmtKind::Let: {
      auto* let = s->as<Let>();
      vars_[let->var.get()] = convert(expr(let->value), let->value->dtype, let->var->dtype);
      stmt(let->body);
      vars_.erase(let->var.get());
      return;
    }
  }
}

namespace {

// Whether `loop` walks a reduction axis of a block with T.init inside it.
bool reduces_with_init(const For& loop) {
  bool found = false;
  visit_stmt(
      loop.body,
      [&](const StmtNode& node) {
        const auto* block = node.as<Block>();
        if (!block || !block->init) return;
        for (const IterVar& iv : block->iter_vars) {
          if (iv.kind != IterKind::Reduce || !iv.binding) continue;
          for (const VarPtr& var : vars_in(iv.binding)) found = found || var.get() == loop.loop_var.get();
        }
      },
      [](const ExprNode&) {});
  return found;
}

}  // namespace

// Inside an empty reduction only loops, blocks (for their inits) and the bindings they need are
// emitted; a binding's value is not computed, since it may read past the empty axis.
void KernelEmitter::init_only_stmt(const Stmt& s) {
  switch (s->kind) {
    case StmtKind::For:
      return emit_for(*s->as<For>());
    case StmtKind::Block:
      return emit_block(*s->as<Block>());
    case StmtKind::Seq:
      for (const Stmt& part : s->as<Seq>()->stmts) init_only_stmt(part);
      return;
    case StmtKind::Let: {
      auto* let = s->as<Let>();
      vars_[let->var.get()] = llvm::UndefValue::get(llvm_type(let->var->dtype));
      init_only_stmt(let->body);
      vars_.erase(let->var.get());
      return;
    }
    default:
      return;
  }
}

// A reduction loop whose extent is 0 at run time never reaches its block, so T.init would never
// run: run the body once with the loop at its start, emitting only the inits.
void KernelEmitter::emit_empty_reduction_inits(const For& loop) {
  const auto* constant = loop.extent->as<IntImm>();
  if ((constant && constant->value > 0) || !reduces_with_init(loop)) return;
  DataType dtype = loop.loop_var->dtype;
  llvm::Value* extent = convert(expr(loop.extent), loop.extent->dtype, dtype);
  llvm::BasicBlock* empty_bb = llvm::BasicBlock::Create(ctx_, loop.loop_var->name + ".empty", fn_);
  llvm::BasicBlock* loop_bb = llvm::BasicBlock::Create(ctx_, loop.loop_var->name + ".nonempty", fn_);
  b_.CreateCondBr(b_.CreateICmpSLE(extent, llvm::ConstantInt::get(extent->getType(), 0)), empty_bb, loop_bb);
  b_.SetInsertPoint(empty_bb);
  bool saved = init_only_;
  init_only_ = true;
  vars_[loop.loop_var.get()] = convert(expr(loop.min), loop.min->dtype, dtype);
  stmt(loop.body);
  vars_.erase(loop.loop_var.get());
  init_only_ = saved;
  b_.CreateBr(loop_bb);
  b_.SetInsertPoint(loop_bb);
}

void KernelEmitter::emit_for(const For& loop) {
  emit_empty_reduction_inits(loop);
  if (init_only_) return emit_serial_for(loop);  // the plain form: only inits are emitted
  if (loop.for_kind == ForKind::Parallel && !in_parallel_) return emit_parallel_for(loop);
  if (loop.for_kind == ForKind::Unrolled && emit_unrolled(loop)) return;
  if (loop.for_kind == ForKind::Vectorized && emit_vectorized(loop)) return;
  emit_serial_for(loop);
}

void KernelEmitter::emit_serial_for(const For& loop) {
  DataType dtype = loop.loop_var->dtype;
  llvm::Value* begin = convert(expr(loop.min), loop.min->dtype, dtype);
  llvm::Value* end = b_.CreateAdd(begin, convert(expr(loop.extent), loop.extent->dtype, dtype));
  llvm::BranchInst* latch = emit_counted_loop(begin, end, loop.loop_var->name, [&](llvm::Value* index) {
    vars_[loop.loop_var.get()] = index;
    stmt(loop.body);
    vars_.erase(loop.loop_var.get());
  });

  // What the code generator could not do itself is left to LLVM's loop optimisers as a hint
  // they may decline; parallel and thread-bound loops run serially here (same results).
  std::vector<llvm::Metadata*> hints;
  if (loop.for_kind == ForKind::Vectorized) {
    hints.push_back(llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.vectorize.enable"), llvm::ConstantAsMetadata::get(b_.getTrue())}));
  } else if (loop.for_kind == ForKind::Unrolled) {
    hints.push_back(llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.unroll.full")}));
  }
  if (!hints.empty()) {
    hints.insert(hints.begin(), nullptr);
    llvm::MDNode* id = llvm::MDNode::getDistinct(ctx_, hints);
    id->replaceOperandWith(0, id);
    latch->setMetadata(llvm::LLVMContext::MD_loop, id);
  }
}

llvm::BranchInst* KernelEmitter::emit_counted_loop(llvm::Value* begin, llvm::Value* end, const std::string& name,
                                                   const std::function<void(llvm::Value*)>& body_fn) {
  llvm::BasicBlock* preheader = b_.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(ctx_, name + ".header", fn_);
  llvm::BasicBlock* body = llvm::BasicBlock::Create(ctx_, name + ".body", fn_);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(ctx_, name + ".exit", fn_);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* index = b_.CreatePHI(begin->getType(), 2, name);
  index->addIncoming(begin, preheader);
  b_.CreateCondBr(b_.CreateICmpSLT(index, end), body, exit);
  b_.SetInsertPoint(body);
  body_fn(index);
  llvm::Value* next = b_.CreateNSWAdd(index, llvm::ConstantInt::get(index->getType(), 1));
  llvm::BranchInst* latch = b_.CreateBr(header);
  index->addIncoming(next, b_.GetInsertBlock());
  b_.SetInsertPoint(exit);
  return latch;
}

void KernelEmitter::emit_if(const If& branch) {
  llvm::Value* cond = convert(expr(branch.cond), branch.cond->dtype, DataType::Bool);
  llvm::BasicBlock* then_bb = llvm::BasicBlock::Create(ctx_, "if.then", fn_);
  llvm::BasicBlock* else_bb = branch.else_case ? llvm::BasicBlock::Create(ctx_, "if.else", fn_) : nullptr;
  llvm::BasicBlock* done_bb = llvm::BasicBlock::Create(ctx_, "if.done", fn_);
  b_.CreateCondBr(cond, then_bb, else_bb ? else_bb : done_bb);
  b_.SetInsertPoint(then_bb);
  stmt(branch.then_case);
  b_.CreateBr(done_bb);
  if (else_bb) {
    b_.SetInsertPoint(else_bb);
    stmt(branch.else_case);
    b_.CreateBr(done_bb);
  }
  b_.SetInsertPoint(done_bb);
}

void KernelEmitter::emit_block(const Block& block) {
  for (const IterVar& iv : block.iter_vars) {
    if (!iv.binding) throw CompileError(block.loc, "block '" + block.name + "' has an iteration variable '" + iv.var->name + "' without a value");
    vars_[iv.var.get()] = convert(expr(iv.binding), iv.binding->dtype, iv.var->dtype);
  }
  llvm::BasicBlock* done_bb = nullptr;
  if (block.predicate) {
    llvm::Value* cond = convert(expr(block.predicate), block.predicate->dtype, DataType::Bool);
    llvm::BasicBlock* run_bb = llvm::BasicBlock::Create(ctx_, block.name + ".where", fn_);
    done_bb = llvm::BasicBlock::Create(ctx_, block.name + ".skip", fn_);
    b_.CreateCondBr(cond, run_bb, done_bb);
    b_.SetInsertPoint(run_bb);
  }
  if (init_only_) {
    // Only the inits of an empty reduction: nothing else in the block may run.
    if (block.init) {
      init_only_ = false;
      stmt(block.init);
      init_only_ = true;
    }
    if (done_bb) {
      b_.CreateBr(done_bb);
      b_.SetInsertPoint(done_bb);
    }
    for (const IterVar& iv : block.iter_vars) vars_.erase(iv.var.get());
    return;
  }
  std::vector<llvm::Value*> heap = allocate_buffers(block.alloc_buffers, block.name);
  if (block.init) emit_init(block);
  // A reduction may be summed in any order (results stay within rounding of numpy's, which
  // sums in its own order too); that lets LLVM vectorize it and use fused multiply-add.
  bool reduction = std::any_of(block.iter_vars.begin(), block.iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; });
  llvm::FastMathFlags saved = b_.getFastMathFlags();
  if (reduction) b_.setFastMathFlags(reduction_math_flags());
  stmt(block.body);
  b_.setFastMathFlags(saved);
  free_buffers(heap);
  for (const BufferPtr& buffer : block.alloc_buffers) buffers_.erase(buffer.get());
  if (done_bb) {
    b_.CreateBr(done_bb);
    b_.SetInsertPoint(done_bb);
  }
  for (const IterVar& iv : block.iter_vars) vars_.erase(iv.var.get());
}

// T.init runs when every reduction axis is at the start of its domain.
void KernelEmitter::emit_init(const Block& block) {
  emit_init(block, [&] { stmt(block.init); });
}

void KernelEmitter::emit_init(const Block& block, const std::function<void()>& body) {
  llvm::Value* first = b_.getTrue();
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind != IterKind::Reduce) continue;
    llvm::Value* value = vars_.at(iv.var.get());
    llvm::Value* start = convert(expr(iv.min), iv.min->dtype, iv.var->dtype);
    first = b_.CreateAnd(first, b_.CreateICmpEQ(value, start));
  }
  llvm::BasicBlock* init_bb = llvm::BasicBlock::Create(ctx_, block.name + ".init", fn_);
  llvm::BasicBlock* body_bb = llvm::BasicBlock::Create(ctx_, block.name + ".body", fn_);
  b_.CreateCondBr(first, init_bb, body_bb);
  b_.SetInsertPoint(init_bb);
  body();
  b_.CreateBr(body_bb);
  b_.SetInsertPoint(body_bb);
}

void KernelEmitter::emit_store(const Store& store) {
  llvm::Value* ptr = element_pointer(*store.buffer, store.indices, store.loc);
  llvm::Value* value = convert(expr(store.value), store.value->dtype, store.buffer->dtype);
  if (store.buffer->dtype == DataType::Bool) value = b_.CreateZExt(value, b_.getInt8Ty());
  b_.CreateStore(value, ptr);
}

namespace {

// `v` as the sum of a value (null: none) and a constant, looking through additions,
// subtractions and multiplications by constants, so that an address's constant part becomes
// the access's displacement. Without it LLVM hoists each unrolled column's whole offset out of
// a convolution's reduction loop into a register of its own: at stride 2, 29 of them, spilled,
// every multiply-add reloading one (half speed).
std::pair<llvm::Value*, int64_t> split_constant(llvm::IRBuilder<>& b, llvm::Value* v, int depth = 0) {
  if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(v)) return {nullptr, c->getSExtValue()};
  auto* op = llvm::dyn_cast<llvm::BinaryOperator>(v);
  if (!op || depth > 8) return {v, 0};
  auto [a, ca] = split_constant(b, op->getOperand(0), depth + 1);
  auto [c, cc] = split_constant(b, op->getOperand(1), depth + 1);
  int64_t sum = 0;
  switch (op->getOpcode()) {
    case llvm::Instruction::Add:
      if (__builtin_add_overflow(ca, cc, &sum)) return {v, 0};
      return {!a ? c : !c ? a : b.CreateAdd(a, c), sum};
    case llvm::Instruction::Sub:
      if (__builtin_sub_overflow(ca, cc, &sum)) return {v, 0};
      return {!c ? a : b.CreateSub(a ? a : b.getInt64(0), c), sum};
    case llvm::Instruction::Mul: {
      // (a + ca) * k with k constant; otherwise the product stays whole.
      bool right_constant = c == nullptr;
      llvm::Value* factor = right_constant ? a : c;
      int64_t k = right_constant ? cc : ca, rest = right_constant ? ca : cc, scaled = 0;
      if ((right_constant ? c : a) != nullptr || __builtin_mul_overflow(rest, k, &scaled)) return {v, 0};
      return {factor ? b.CreateMul(factor, b.getInt64(static_cast<uint64_t>(k))) : nullptr, scaled};
    }
    default:
      return {v, 0};
  }
}

}  // namespace

llvm::Value* KernelEmitter::element_pointer(const Buffer& buffer, const std::vector<Expr>& indices, SourceLoc loc) {
  auto it = buffers_.find(&buffer);
  if (it == buffers_.end()) throw CompileError(loc, "buffer '" + buffer.name + "' is not available here");
  const BufferValue& value = it->second;
  if (indices.size() != value.shape.size()) {
    throw CompileError(loc, "buffer '" + buffer.name + "' has " + std::to_string(value.shape.size()) + " dimensions but is indexed with " +
                                std::to_string(indices.size()));
  }
  llvm::Value* offset = b_.getInt64(0);
  for (size_t d = 0; d < indices.size(); ++d) {
    offset = d == 0 ? index_i64(indices[d]) : b_.CreateAdd(b_.CreateMul(offset, value.shape[d]), index_i64(indices[d]));
  }
  llvm::Type* element = storage_type(buffer.dtype);
  if (offset->getType()->isIntegerTy(64)) {
    auto [variable, constant] = split_constant(b_, offset);
    if (constant != 0) {
      llvm::Value* base = variable ? b_.CreateInBoundsGEP(element, value.data, variable) : value.data;
      return b_.CreateInBoundsGEP(element, base, b_.getInt64(static_cast<uint64_t>(constant)));
    }
  }
  return b_.CreateInBoundsGEP(element, value.data, offset);
}

std::vector<llvm::Value*> KernelEmitter::allocate_buffers(const std::vector<BufferPtr>& list, const std::string& owner) {
  std::vector<llvm::Value*> heap;
  llvm::FunctionCallee aligned_alloc =
      module_.getOrInsertFunction("aligned_alloc", llvm::FunctionType::get(b_.getPtrTy(), {b_.getInt64Ty(), b_.getInt64Ty()}, false));
  for (const BufferPtr& buffer : list) {
    BufferValue value;
    value.dtype = buffer->dtype;
    if (llvm::Value* slot = stack_slot(*buffer)) {
      value.data = slot;
      for (const Expr& dim : buffer->shape) value.shape.push_back(index_i64(dim));
      buffers_[buffer.get()] = value;
      continue;
    }
    llvm::Value* bytes = b_.getInt64(static_cast<uint64_t>(std::max(1, dtype_bits(buffer->dtype) / 8)));
    for (const Expr& dim : buffer->shape) {
      llvm::Value* extent = index_i64(dim);
      value.shape.push_back(extent);
      bytes = b_.CreateMul(bytes, b_.CreateSelect(b_.CreateICmpSGT(extent, b_.getInt64(0)), extent, b_.getInt64(0)));
    }
    // aligned_alloc wants a multiple of the alignment, and never a size of zero.
    llvm::Value* rounded = b_.CreateAnd(b_.CreateAdd(bytes, b_.getInt64(64)), b_.getInt64(~uint64_t{63}));
    llvm::Value* data = b_.CreateCall(aligned_alloc, {b_.getInt64(64), rounded});
    fail_if(b_.CreateIsNull(data), func_.name + ": out of memory allocating buffer " + buffer->name + " of block " + owner);
    value.data = data;
    heap.push_back(data);
    buffers_[buffer.get()] = value;
  }
  return heap;
}

// A buffer of small constant size lives in the function's frame: no allocation per call, and
// LLVM can keep its elements in registers when they are addressed by constants.
llvm::Value* KernelEmitter::stack_slot(const tir::Buffer& buffer) {
  constexpr int64_t kMaxStackBytes = 64 * 1024;
  int64_t bytes = std::max(1, dtype_bits(buffer.dtype) / 8);
  for (const Expr& dim : buffer.shape) {
    const IntImm* extent = dim->as<IntImm>();
    if (!extent || extent->value < 1 || extent->value > kMaxStackBytes) return nullptr;
    bytes *= extent->value;
    if (bytes > kMaxStackBytes) return nullptr;
  }
  llvm::IRBuilder<> at_entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::AllocaInst* slot = at_entry.CreateAlloca(llvm::ArrayType::get(b_.getInt8Ty(), static_cast<uint64_t>(bytes)), nullptr, buffer.name);
  slot->setAlignment(llvm::Align(64));
  return slot;
}

void KernelEmitter::free_buffers(const std::vector<llvm::Value*>& heap) {
  if (heap.empty()) return;
  llvm::FunctionCallee free_fn = module_.getOrInsertFunction("free", llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy()}, false));
  for (llvm::Value* pointer : heap) b_.CreateCall(free_fn, {pointer});
}

}  // namespace relaxc::codegen

// Parallel loops → the runtime's thread pool. The loop's body becomes a function over a range of
// iterations, called through the `__rx_parallel_for_work` hook with a closure of every value in scope,
// or run in place when the loop's work is too small to pay for waking a thread.
#include <set>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

// A parallel loop: its body becomes a function of (begin, end, closure) over the iterations,
// the values it uses are stored in a closure, and the runtime's thread pool runs chunks of the
// range (through the `__rx_parallel_for_work` pointer the runtime fills in; when it is null the
// whole range runs here). A failing chunk's status is returned like any other error.
void KernelEmitter::emit_parallel_for(const For& loop) {
  llvm::Value* begin = convert(expr(loop.min), loop.min->dtype, DataType::Int64);
  llvm::Value* extent = convert(expr(loop.extent), loop.extent->dtype, DataType::Int64);
  // Waking another thread costs about a microsecond: a loop with less work runs here. When its
  // size is known now, the loop is emitted in place, sparing the back end an outlined body and a
  // closure (a module of thousands of small kernels compiles that much faster).
  llvm::Value* work = b_.CreateMul(extent, inner_work(loop.body));
  llvm::Value* small = b_.CreateICmpSLT(work, b_.getInt64(min_parallel_work_));
  if (auto* known = llvm::dyn_cast<llvm::ConstantInt>(small); known && known->isOne()) {
    in_parallel_ = true;
    emit_serial_for(loop);
    in_parallel_ = false;
    return;
  }
  // Everything the body may use: every variable and buffer in scope, and the error record.
  ParallelScope scope{keys_by_name(vars_), keys_by_name(buffers_), {begin, error_arg_}, {}};
  for (const tir::Var* var : scope.vars) scope.values.push_back(vars_.at(var));
  for (const tir::Buffer* buffer : scope.buffers) {
    scope.values.push_back(buffers_.at(buffer).data);
    for (llvm::Value* d : buffers_.at(buffer).shape) scope.values.push_back(d);
  }
  for (llvm::Value* v : scope.values) scope.types.push_back(v->getType());
  llvm::StructType* closure_type = llvm::StructType::get(ctx_, scope.types);
  llvm::IRBuilder<> at_entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::Value* closure = at_entry.CreateAlloca(closure_type);
  for (unsigned i = 0; i < scope.values.size(); ++i) b_.CreateStore(scope.values[i], b_.CreateStructGEP(closure_type, closure, i));
  llvm::Function* body = emit_parallel_body(loop, scope, closure_type);
  launch_parallel_body(body, extent, work, closure, small);
}

// The function the pool calls: the captured values reloaded from the closure, passed on to the
// chunk's loop (emit_parallel_chunk).
llvm::Function* KernelEmitter::emit_parallel_body(const For& loop, const ParallelScope& scope, llvm::StructType* closure_type) {
  llvm::FunctionType* body_type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getInt64Ty(), b_.getInt64Ty(), b_.getPtrTy()}, false);
  llvm::Function* body = llvm::Function::Create(body_type, llvm::Function::InternalLinkage,
                                                "__rx_parallel_" + func_.name + "_" + std::to_string(parallel_count_++), module_);
  body->addFnAttr(llvm::Attribute::NoUnwind);
  // One copy of the body, shared by the pool and the inline path (inlining it would double the
  // code the back end compiles, for a call that happens once per loop).
  body->addFnAttr(llvm::Attribute::NoInline);
  llvm::IRBuilderBase::InsertPoint saved_point = b_.saveIP();
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", body));
  std::vector<llvm::Value*> reloaded = {body->getArg(0), body->getArg(1)};
  for (unsigned at = 0; at < scope.types.size(); ++at)
    reloaded.push_back(b_.CreateLoad(scope.types[at], b_.CreateStructGEP(closure_type, body->getArg(2), at)));
  std::vector<llvm::Type*> types;
  for (llvm::Value* v : reloaded) types.push_back(v->getType());
  llvm::Function* chunk = llvm::Function::Create(llvm::FunctionType::get(b_.getInt32Ty(), types, false), llvm::Function::InternalLinkage,
                                                 body->getName() + "_chunk", module_);
  chunk->addFnAttr(llvm::Attribute::NoUnwind);
  chunk->addFnAttr(llvm::Attribute::AlwaysInline);
  b_.CreateRet(b_.CreateCall(chunk, reloaded));
  emit_parallel_chunk(loop, scope, chunk);
  b_.restoreIP(saved_point);
  return body;
}

// The loop over one chunk of the iterations, in a function of its own whose buffer pointers are
// arguments: with "tir.noalias" the kernel's parameters are marked noalias there, as
// outline_body does for the kernel's body, and constant extents stay constants. Loaded from the
// closure they told LLVM nothing, and a matmul summing straight into its output reloaded and
// stored its accumulators at every step (GPT-2's 128x768 by 768x1024 output layer ran 5x
// slower than its other layers).
void KernelEmitter::emit_parallel_chunk(const For& loop, const ParallelScope& scope, llvm::Function* chunk) {
  llvm::Function* saved_fn = fn_;
  llvm::Value* saved_error = error_arg_;
  auto saved_vars = vars_;
  auto saved_buffers = buffers_;
  fn_ = chunk;
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", chunk));
  std::set<const tir::Buffer*> params;
  if (buffers_do_not_alias()) {
    for (const Param& param : func_.params) params.insert(param.buffer.get());
  }
  // A value that is a constant stays one: constant extents keep the accesses of one buffer at
  // offsets LLVM can tell apart, which it must to keep a tile's sums in registers.
  unsigned arg = 2;
  auto next = [&]() {
    llvm::Value* captured = scope.values[arg - 2];
    return kept_constant(captured, chunk->getArg(arg++));
  };
  llvm::Value* base = next();
  error_arg_ = next();
  for (const tir::Var* var : scope.vars) vars_[var] = next();
  for (const tir::Buffer* buffer : scope.buffers) {
    BufferValue& value = buffers_.at(buffer);
    if (params.count(buffer)) chunk->addParamAttr(arg, llvm::Attribute::NoAlias);
    value.data = next();
    for (llvm::Value*& d : value.shape) d = next();
  }
  in_parallel_ = true;
  emit_counted_loop(chunk->getArg(0), chunk->getArg(1), "chunk", [&](llvm::Value* index) {
    vars_[loop.loop_var.get()] = convert(b_.CreateAdd(base, index), DataType::Int64, loop.loop_var->dtype);
    stmt(loop.body);
  });
  b_.CreateRet(b_.getInt32(0));
  in_parallel_ = false;
  fn_ = saved_fn;
  error_arg_ = saved_error;
  vars_ = std::move(saved_vars);
  buffers_ = std::move(saved_buffers);
}

// Runs `body` over [0, extent): through the runtime's pool when there is one and the work is
// not `small`, else the whole range here; a failing status returns from the kernel. The pool is
// told the loop's work: it starts its threads only once loops have done enough to pay for them.
void KernelEmitter::launch_parallel_body(llvm::Function* body, llvm::Value* extent, llvm::Value* work, llvm::Value* closure, llvm::Value* small) {
  llvm::PointerType* ptr = b_.getPtrTy();
  llvm::Value* launcher = b_.CreateLoad(ptr, runtime_hook(module_, "__rx_parallel_for_work"));
  llvm::BasicBlock* pooled = llvm::BasicBlock::Create(ctx_, "parallel.pool", fn_);
  llvm::BasicBlock* inline_bb = llvm::BasicBlock::Create(ctx_, "parallel.inline", fn_);
  llvm::BasicBlock* joined = llvm::BasicBlock::Create(ctx_, "parallel.done", fn_);
  b_.CreateCondBr(b_.CreateOr(b_.CreateIsNull(launcher), small), inline_bb, pooled);
  b_.SetInsertPoint(pooled);
  llvm::FunctionType* launch_type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getInt64Ty(), b_.getInt64Ty(), ptr, ptr}, false);
  llvm::Value* pooled_status = b_.CreateCall(launch_type, launcher, {extent, work, body, closure});
  b_.CreateBr(joined);
  b_.SetInsertPoint(inline_bb);
  llvm::Value* inline_status = b_.CreateCall(body, {b_.getInt64(0), extent, closure});
  b_.CreateBr(joined);
  b_.SetInsertPoint(joined);
  llvm::PHINode* status = b_.CreatePHI(b_.getInt32Ty(), 2);
  status->addIncoming(pooled_status, pooled);
  status->addIncoming(inline_status, inline_bb);
  llvm::BasicBlock* failed = llvm::BasicBlock::Create(ctx_, "parallel.failed", fn_);
  llvm::BasicBlock* ok = llvm::BasicBlock::Create(ctx_, "parallel.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(status, b_.getInt32(0)), failed, ok);
  b_.SetInsertPoint(failed);
  b_.CreateRet(status);
  b_.SetInsertPoint(ok);
}

// A run-time estimate of the statements `s` executes: loop extents that are known before `s`
// runs multiply, sequences add; a loop whose extent depends on variables bound inside counts once.
llvm::Value* KernelEmitter::inner_work(const Stmt& s) {
  if (!s) return b_.getInt64(0);
  switch (s->kind) {
    case StmtKind::For: {
      auto* f = s->as<For>();
      llvm::Value* body = inner_work(f->body);
      for (const VarPtr& v : vars_in(f->extent)) {
        if (!vars_.count(v.get())) return body;
      }
      llvm::Value* extent = index_i64(f->extent);
      return b_.CreateMul(b_.CreateSelect(b_.CreateICmpSGT(extent, b_.getInt64(0)), extent, b_.getInt64(0)), body);
    }
    case StmtKind::Seq: {
      llvm::Value* total = b_.getInt64(0);
      for (const Stmt& part : s->as<Seq>()->stmts) total = b_.CreateAdd(total, inner_work(part));
      return total;
    }
    case StmtKind::Block:
      return b_.CreateAdd(inner_work(s->as<Block>()->init), inner_work(s->as<Block>()->body));
    case StmtKind::If:
      return b_.CreateAdd(inner_work(s->as<If>()->then_case), inner_work(s->as<If>()->else_case));
    case StmtKind::Let:
      return inner_work(s->as<Let>()->body);
    default:
      return b_.getInt64(1);
  }
}

}  // namespace relaxc::codegen

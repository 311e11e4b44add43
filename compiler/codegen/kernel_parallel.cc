// Parallel loops → the runtime's thread pool. The loop's body becomes a function over a range of
// iterations, called through the `__rx_parallel_for` hook with a closure of every value in scope,
// or run in place when the loop's work is too small to pay for waking a thread.
#include "compiler/codegen/kernel_emitter.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

// A parallel loop: its body becomes a function of (begin, end, closure) over the iterations,
// the values it uses are stored in a closure, and the runtime's thread pool runs chunks of the
// range (through the `__rx_parallel_for` pointer the runtime fills in; when it is null the
// whole range runs here). A failing chunk's status is returned like any other error.
void KernelEmitter::emit_parallel_for(const For& loop) {
  DataType dtype = loop.loop_var->dtype;
  llvm::Value* begin = convert(expr(loop.min), loop.min->dtype, DataType::Int64);
  llvm::Value* extent = convert(expr(loop.extent), loop.extent->dtype, DataType::Int64);
  // Waking another thread costs about a microsecond: a loop with less work runs here. When its
  // size is known now, the loop is emitted in place, sparing the back end an outlined body and a
  // closure (a module of thousands of small kernels compiles that much faster).
  llvm::Value* small = b_.CreateICmpSLT(b_.CreateMul(extent, inner_work(loop.body)), b_.getInt64(kMinParallelWork));
  if (auto* known = llvm::dyn_cast<llvm::ConstantInt>(small); known && known->isOne()) {
    in_parallel_ = true;
    emit_serial_for(loop);
    in_parallel_ = false;
    return;
  }

  // Everything the body may use: every variable and buffer in scope, and the error record.
  std::vector<const tir::Var*> vars = keys_by_name(vars_);
  std::vector<const tir::Buffer*> buffers = keys_by_name(buffers_);
  std::vector<llvm::Value*> captured = {begin, error_arg_};
  for (const tir::Var* var : vars) captured.push_back(vars_.at(var));
  for (const tir::Buffer* buffer : buffers) {
    captured.push_back(buffers_.at(buffer).data);
    for (llvm::Value* d : buffers_.at(buffer).shape) captured.push_back(d);
  }
  std::vector<llvm::Type*> types;
  for (llvm::Value* v : captured) types.push_back(v->getType());
  llvm::StructType* closure_type = llvm::StructType::get(ctx_, types);
  llvm::IRBuilder<> at_entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::Value* closure = at_entry.CreateAlloca(closure_type);
  for (unsigned i = 0; i < captured.size(); ++i) b_.CreateStore(captured[i], b_.CreateStructGEP(closure_type, closure, i));

  llvm::FunctionType* body_type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getInt64Ty(), b_.getInt64Ty(), b_.getPtrTy()}, false);
  llvm::Function* body = llvm::Function::Create(body_type, llvm::Function::InternalLinkage,
                                                "__rx_parallel_" + func_.name + "_" + std::to_string(parallel_count_++), module_);
  body->addFnAttr(llvm::Attribute::NoUnwind);
  // One copy of the body, shared by the pool and the inline path (inlining it would double the
  // code the back end compiles, for a call that happens once per loop).
  body->addFnAttr(llvm::Attribute::NoInline);

  // Emit the body function with the captured values reloaded.
  llvm::IRBuilderBase::InsertPoint saved_point = b_.saveIP();
  llvm::Function* saved_fn = fn_;
  llvm::Value* saved_error = error_arg_;
  auto saved_vars = vars_;
  auto saved_buffers = buffers_;
  fn_ = body;
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", body));
  llvm::Value* env = body->getArg(2);
  unsigned field = 0;
  auto reload = [&]() {
    unsigned at = field++;
    return b_.CreateLoad(types[at], b_.CreateStructGEP(closure_type, env, at));
  };
  llvm::Value* base = reload();
  error_arg_ = reload();
  for (const tir::Var* var : vars) vars_[var] = reload();
  for (const tir::Buffer* buffer : buffers) {
    BufferValue& value = buffers_.at(buffer);
    value.data = reload();
    for (llvm::Value*& d : value.shape) d = reload();
  }
  in_parallel_ = true;
  llvm::BasicBlock* preheader = b_.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(ctx_, "chunk.header", body);
  llvm::BasicBlock* loop_body = llvm::BasicBlock::Create(ctx_, "chunk.body", body);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(ctx_, "chunk.exit", body);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* index = b_.CreatePHI(b_.getInt64Ty(), 2);
  index->addIncoming(body->getArg(0), preheader);
  b_.CreateCondBr(b_.CreateICmpSLT(index, body->getArg(1)), loop_body, exit);
  b_.SetInsertPoint(loop_body);
  vars_[loop.loop_var.get()] = convert(b_.CreateAdd(base, index), DataType::Int64, dtype);
  stmt(loop.body);
  index->addIncoming(b_.CreateNSWAdd(index, b_.getInt64(1)), b_.GetInsertBlock());
  b_.CreateBr(header);
  b_.SetInsertPoint(exit);
  b_.CreateRet(b_.getInt32(0));
  in_parallel_ = false;
  fn_ = saved_fn;
  error_arg_ = saved_error;
  vars_ = std::move(saved_vars);
  buffers_ = std::move(saved_buffers);
  b_.restoreIP(saved_point);

  // Run it: through the runtime's pool when there is one, else the whole range here.
  llvm::PointerType* ptr = b_.getPtrTy();
  llvm::Value* launcher = b_.CreateLoad(ptr, runtime_hook(module_, "__rx_parallel_for"));
  llvm::BasicBlock* pooled = llvm::BasicBlock::Create(ctx_, "parallel.pool", fn_);
  llvm::BasicBlock* inline_bb = llvm::BasicBlock::Create(ctx_, "parallel.inline", fn_);
  llvm::BasicBlock* joined = llvm::BasicBlock::Create(ctx_, "parallel.done", fn_);
  b_.CreateCondBr(b_.CreateOr(b_.CreateIsNull(launcher), small), inline_bb, pooled);
  b_.SetInsertPoint(pooled);
  llvm::FunctionType* launch_type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getInt64Ty(), ptr, ptr}, false);
  llvm::Value* pooled_status = b_.CreateCall(launch_type, launcher, {extent, body, closure});
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

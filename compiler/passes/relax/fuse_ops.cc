#include "compiler/passes/relax/fuse_ops.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "compiler/ir/distinct_names.h"
#include "compiler/ir/relax_uses.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/window_consumer.h"

namespace relaxc {

using relax::Binding;
using relax::BindingBlock;
using relax::Call;
using relax::Expr;

namespace {

// A destination-passing call of a prim_func of the module with one tensor result.
struct KernelCall {
  const tir::PrimFunc* func = nullptr;
  std::vector<Expr> inputs;
};

// The prim_funcs of the module by name, and whether each calls the runtime, each found once:
// fusion asks for every binding again after each fusion it makes.
class KernelIndex {
 public:
  explicit KernelIndex(const Module& module) {
    for (const tir::PrimFuncPtr& f : module.prim_funcs) add(f.get());
  }
  void add(const tir::PrimFunc* f) { by_name_.emplace(f->name, f); }
  // nullptr when no prim_func has the name, or it calls the runtime (T.call_packed).
  const tir::PrimFunc* fusable(const std::string& name) {
    auto found = by_name_.find(name);
    if (found == by_name_.end()) return nullptr;
    auto [known, inserted] = calls_runtime_.emplace(found->second, false);
    if (inserted) known->second = tir::calls_runtime(*found->second);
    return known->second ? nullptr : found->second;
  }

 private:
  std::unordered_map<std::string, const tir::PrimFunc*> by_name_;
  std::unordered_map<const tir::PrimFunc*, bool> calls_runtime_;
};

std::optional<KernelCall> kernel_call(const Expr& e, KernelIndex& kernels) {
  const auto* call = e ? e->as<Call>() : nullptr;
  if (!call || (call->op != "call_tir" && call->op != "call_dps_packed") || call->args.size() != 2 || call->sinfo_args.size() != 1) return std::nullopt;
  if (call->sinfo_args[0]->kind != relax::StructInfoKind::Tensor) return std::nullopt;
  std::string name;
  if (const auto* g = call->args[0]->as<relax::GlobalVar>()) name = g->name;
  if (const auto* x = call->args[0]->as<relax::ExternFunc>()) name = x->name;
  KernelCall k;
  k.func = kernels.fusable(name);
  if (!k.func || k.func->scheduled) return std::nullopt;
  if (const auto* tuple = call->args[1]->as<relax::Tuple>()) k.inputs = tuple->fields;
  else k.inputs = {call->args[1]};
  // Every parameter a buffer: one per input plus the output.
  if (k.func->params.size() != k.inputs.size() + 1) return std::nullopt;
  for (const tir::Param& p : k.func->params) {
    if (!p.buffer) return std::nullopt;
  }
  return k;
}

// One block over every element of the output, reading parameter `operand` only at that element.
bool elementwise(const tir::PrimFunc& f, size_t operand) {
  if (operand + 1 >= f.params.size() || !f.root_alloc_buffers.empty()) return false;
  const tir::Buffer* input = f.params[operand].buffer.get();
  const tir::Buffer* output = f.params.back().buffer.get();
  if (input->shape.size() != output->shape.size()) return false;
  tir::Stmt s = f.body;
  std::vector<const tir::For*> loops;
  while (const auto* loop = s->as<tir::For>()) {
    loops.push_back(loop);
    s = loop->body;
  }
  const auto* block = s->as<tir::Block>();
  if (!block || block->init || block->predicate || !block->alloc_buffers.empty()) return false;
  const auto* store = block->body->as<tir::Store>();
  if (!store || store->buffer.get() != output || store->indices.size() != block->iter_vars.size()) return false;
  for (const tir::IterVar& iv : block->iter_vars) {
    if (iv.kind != tir::IterKind::Spatial) return false;
  }
  bool ok = true;
  tir::visit_expr(store->value, [&](const tir::ExprNode& e) {
    const auto* load = e.as<tir::Load>();
    if (!load) return;
    if (load->buffer.get() == output) ok = false;
    if (load->buffer.get() == input) {
      for (size_t d = 0; d < load->indices.size(); ++d) {
        auto* a = load->indices[d]->as<tir::VarRef>();
        auto* b = d < store->indices.size() ? store->indices[d]->as<tir::VarRef>() : nullptr;
        if (!a || !b || a->var != b->var) ok = false;
      }
    }
  });
  return ok;
}

// The sizes a kernel learns from its inputs (dimensions that are exactly a variable).
std::set<const tir::Var*> sizes_from_inputs(const tir::PrimFunc& f) {
  std::set<const tir::Var*> known;
  for (size_t i = 0; i + 1 < f.params.size(); ++i) {
    for (const tir::Expr& dim : f.params[i].buffer->shape) {
      if (const auto* ref = dim->as<tir::VarRef>()) known.insert(ref->var.get());
    }
  }
  return known;
}

void reserve_blocks(const tir::Stmt& s, tir::NameTable& names) {
  tir::visit_stmt(s, [&](const tir::StmtNode& n) {
    if (const auto* block = n.as<tir::Block>()) names.reserve(block->name);
  });
}

// FuseTIR for one producer → consumer pair: the producer's nests, then the consumer's reading
// the producer's output buffer (now allocated inside) instead of its parameter `operand`. The
// fused function's parameters are the producer's inputs, then the consumer's other parameters.
tir::PrimFuncPtr fuse_functions(const tir::PrimFunc& producer, const tir::PrimFunc& consumer, size_t operand, const std::string& name) {
  auto fused = std::make_shared<tir::PrimFunc>();
  fused->name = name;
  fused->loc = producer.loc;
  fused->has_root_block = true;
  fused->is_private = true;  // the pass's, not the user's: relaxrun does not offer it to run alone
  bool noalias = true;
  for (const tir::PrimFunc* f : {&producer, &consumer}) {
    bool has = false;
    for (const auto& [key, value] : f->attrs) has = has || (key == "tir.noalias" && (value->kind == AttrValue::Kind::Bool ? value->bool_value : value->int_value != 0));
    noalias = noalias && has;
  }
  for (const auto& [key, value] : producer.attrs) {
    if (key == "tir.noalias" && noalias) fused->attrs.emplace_back(key, value);
  }
  tir::NameTable names, blocks;
  const tir::BufferPtr& intermediate = producer.params.back().buffer;
  for (size_t i = 0; i + 1 < producer.params.size(); ++i) fused->params.push_back(producer.params[i]);
  for (const tir::Param& p : producer.params) {
    names.reserve(p.var->name);
    names.reserve(p.buffer->name);
  }
  for (const tir::VarPtr& v : producer.size_vars) names.reserve(v->name);
  fused->size_vars = producer.size_vars;
  fused->root_alloc_buffers = producer.root_alloc_buffers;
  for (const tir::BufferPtr& b : producer.root_alloc_buffers) names.reserve(b->name);
  fused->root_alloc_buffers.push_back(intermediate);
  reserve_blocks(producer.body, blocks);

  // The consumer's sizes read from the fused operand are the producer's output sizes; its other
  // sizes, parameters and buffers get names of their own where they clash.
  tir::VarMap sizes;
  const tir::Buffer& input = *consumer.params[operand].buffer;
  for (size_t d = 0; d < input.shape.size(); ++d) {
    if (const auto* ref = input.shape[d]->as<tir::VarRef>(); ref && !sizes.count(ref->var.get())) sizes[ref->var.get()] = intermediate->shape[d];
  }
  for (const tir::VarPtr& v : consumer.size_vars) {
    if (sizes.count(v.get())) continue;
    auto renamed = std::make_shared<tir::Var>(tir::Var{names.take(v->name), v->dtype, v->loc});
    sizes[v.get()] = std::make_shared<tir::VarRef>(renamed, v->loc);
    fused->size_vars.push_back(renamed);
  }
  auto replace = [&](const tir::Expr& e) -> tir::Expr {
    const auto* ref = e->as<tir::VarRef>();
    if (!ref) return nullptr;
    auto it = sizes.find(ref->var.get());
    return it == sizes.end() ? nullptr : it->second;
  };
  tir::BufferMap buffers = {{&input, intermediate}};
  auto copy_buffer = [&](const tir::BufferPtr& b) {
    auto copy = std::make_shared<tir::Buffer>(*b);
    copy->name = names.take(b->name);
    for (tir::Expr& dim : copy->shape) dim = tir::rewrite_expr(dim, replace);
    buffers[b.get()] = copy;
    return copy;
  };
  for (size_t i = 0; i < consumer.params.size(); ++i) {
    if (i == operand) continue;
    tir::Param p = consumer.params[i];
    p.var = std::make_shared<tir::Var>(tir::Var{names.take(p.var->name), p.var->dtype, p.var->loc});
    p.buffer = copy_buffer(p.buffer);
    fused->params.push_back(p);
  }
  for (const tir::BufferPtr& b : consumer.root_alloc_buffers) fused->root_alloc_buffers.push_back(copy_buffer(b));
  tir::Stmt tail = tir::rename_blocks(tir::rewrite_stmt(consumer.body, replace, buffers), [&](const std::string& block) { return blocks.take(block); });
  std::vector<tir::Stmt> parts;
  for (const tir::Stmt& body : {producer.body, tail}) {
    if (const auto* seq = body->as<tir::Seq>()) parts.insert(parts.end(), seq->stmts.begin(), seq->stmts.end());
    else parts.push_back(body);
  }
  fused->body = std::make_shared<tir::Seq>(std::move(parts), producer.body->loc);
  return fused;
}

class Fuser {
 public:
  Fuser(const Module& module, const schedule::Target& target) : out_(module), kernels_(out_), names_(tir::function_names(module)), target_(target) {}

  Module run() {
    std::set<std::string> called_before = names_referenced(out_);
    for (relax::FunctionPtr& f : out_.functions) {
      auto copy = std::make_shared<relax::Function>(*f);
      uses_ = relax::use_counts(*copy);
      for (BindingBlock& block : copy->blocks) {
        for (size_t from = 0; std::optional<size_t> next = fuse_one(block, from);) from = *next;
      }
      f = copy;
    }
    // Kernels that were called (or made here) and no longer are have been fused away.
    drop_kernels_no_longer_named(out_, called_before, made_);
    return std::move(out_);
  }

 private:
  // Fuses the first pair at or after binding `from` and returns where to look again (nullopt
  // when there is none). A fusion changes only the decisions of the producers of the fused
  // producer's inputs (their consumer is now the fused call): bindings before the first of
  // those decide as they did.
  std::optional<size_t> fuse_one(BindingBlock& block, size_t from) {
    for (size_t i = from; i < block.bindings.size(); ++i) {
      const Binding& produce = block.bindings[i];
      std::optional<KernelCall> producer = produce.is_match_cast ? std::nullopt : kernel_call(produce.value, kernels_);
      if (!producer || use_count(produce.var.get()) != 1) continue;
      // The producer's output sizes must be learnable from its inputs alone.
      std::set<const tir::Var*> known = sizes_from_inputs(*producer->func);
      bool learnable = true;
      for (const tir::Expr& dim : producer->func->params.back().buffer->shape) {
        for (const tir::VarPtr& v : tir::vars_in(dim)) learnable = learnable && known.count(v.get());
      }
      if (!learnable) continue;
      for (size_t j = i + 1; j < block.bindings.size(); ++j) {
        Binding& consume = block.bindings[j];
        if (relax::uses_in(produce.var.get(), consume.value) == 0) continue;
        std::optional<KernelCall> consumer = consume.is_match_cast ? std::nullopt : kernel_call(consume.value, kernels_);
        if (!consumer) break;
        // Any operand of an elementwise consumer (a residual add may name the convolution
        // second); only the first of a window consumer, as computes_rows_in_windows reads it.
        auto at = std::find_if(consumer->inputs.begin(), consumer->inputs.end(), [&](const Expr& in) { return in.get() == produce.var.get(); });
        if (at == consumer->inputs.end()) break;
        size_t operand = static_cast<size_t>(at - consumer->inputs.begin());
        bool windows = operand == 0 && tir::computes_rows_in_windows(*producer->func, *consumer->func, target_);
        if (!elementwise(*consumer->func, operand) && !windows) break;
        const std::string& first = producer->func->name;
        std::string name = names_.take((first.rfind("fused_", 0) == 0 ? first : "fused_" + first) + "_" + consumer->func->name);
        made_.insert(name);
        out_.prim_funcs.push_back(fuse_functions(*producer->func, *consumer->func, operand, name));
        kernels_.add(out_.prim_funcs.back().get());
        auto call = std::make_shared<Call>(*consume.value->as<Call>());
        call->op = "call_tir";
        // The fused call stands where its first operator was written (profiles and messages name that line).
        call->loc = produce.value->loc;
        call->args[0] = std::make_shared<relax::GlobalVar>(name, call->loc);
        std::vector<Expr> inputs = producer->inputs;
        for (size_t k = 0; k < consumer->inputs.size(); ++k) {
          if (k != operand) inputs.push_back(consumer->inputs[k]);
        }
        call->args[1] = std::make_shared<relax::Tuple>(std::move(inputs), call->loc);
        consume.value = call;
        // The inputs moved from the producer's binding to the fused call: their counts stand.
        uses_.erase(produce.var.get());
        size_t again = i;
        for (size_t k = 0; k < i; ++k) {
          const relax::Var* var = block.bindings[k].var.get();
          if (std::any_of(producer->inputs.begin(), producer->inputs.end(), [&](const Expr& in) { return in.get() == var; })) {
            again = k;
            break;
          }
        }
        block.bindings.erase(block.bindings.begin() + static_cast<std::ptrdiff_t>(i));
        return again;
      }
    }
    return std::nullopt;
  }

  int use_count(const relax::Var* var) const {
    auto found = uses_.find(var);
    return found == uses_.end() ? 0 : found->second;
  }

  Module out_;
  KernelIndex kernels_;
  std::unordered_map<const relax::Var*, int> uses_;  // of the function being fused
  tir::NameTable names_;
  schedule::Target target_;     // what the schedule's tiles will be, which decides some fusions
  std::set<std::string> made_;  // prim_funcs this pass created
};

}  // namespace

Module fuse_ops(const Module& module, const schedule::Target& target) { return Fuser(module, target).run(); }

}  // namespace relaxc

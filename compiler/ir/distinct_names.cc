#include "compiler/ir/distinct_names.h"

#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

std::string NameTable::take(const std::string& name) {
  for (int i = 0;; ++i) {
    std::string candidate = i == 0 ? name : name + "_" + std::to_string(i);
    if (used_.insert(candidate).second) return candidate;
  }
}

NameTable function_names(const Module& module) {
  NameTable names;
  for (const auto& f : module.prim_funcs) names.reserve(f->name);
  for (const auto& f : module.functions) names.reserve(f->name);
  return names;
}

Stmt rename_blocks(const Stmt& s, const std::function<std::string(const std::string&)>& rename) {
  if (!s) return s;
  if (const auto* loop = s->as<For>()) {
    auto copy = std::make_shared<For>(*loop);
    copy->body = rename_blocks(loop->body, rename);
    return copy;
  }
  if (const auto* seq = s->as<Seq>()) {
    std::vector<Stmt> parts;
    for (const Stmt& part : seq->stmts) parts.push_back(rename_blocks(part, rename));
    return std::make_shared<Seq>(std::move(parts), seq->loc);
  }
  if (const auto* block = s->as<Block>()) {
    auto copy = std::make_shared<Block>(*block);
    copy->name = rename(block->name);
    copy->init = rename_blocks(block->init, rename);
    copy->body = rename_blocks(block->body, rename);
    return copy;
  }
  if (const auto* branch = s->as<If>()) {
    return std::make_shared<If>(branch->cond, rename_blocks(branch->then_case, rename), rename_blocks(branch->else_case, rename), branch->loc);
  }
  if (const auto* let = s->as<Let>()) return std::make_shared<Let>(let->var, let->value, rename_blocks(let->body, rename), let->loc);
  return s;
}

namespace {

BufferMap renamed_buffers(const PrimFunc& func) {
  std::vector<const Buffer*> declared;  // in declaration order, each once
  std::set<const Buffer*> seen;
  auto declare = [&](const BufferPtr& b) {
    if (b && seen.insert(b.get()).second) declared.push_back(b.get());
  };
  for (const Param& p : func.params) declare(p.buffer);
  for (const BufferPtr& b : func.root_alloc_buffers) declare(b);
  visit_stmt(func.body, [&](const StmtNode& s) {
    if (const auto* block = s.as<Block>()) {
      for (const BufferPtr& b : block->alloc_buffers) declare(b);
    }
  });
  NameTable names;
  for (const Buffer* b : declared) names.reserve(b->name);
  std::set<std::string> claimed;
  BufferMap renamed;
  for (const Buffer* b : declared) {
    if (claimed.insert(b->name).second) continue;
    auto copy = std::make_shared<Buffer>(*b);
    copy->name = names.take(b->name);
    renamed[b] = copy;
  }
  return renamed;
}

bool block_names_repeat(const Stmt& body) {
  std::set<std::string> names;
  bool repeat = false;
  visit_stmt(body, [&](const StmtNode& s) {
    if (const auto* block = s.as<Block>()) repeat = repeat || !names.insert(block->name).second;
  });
  return repeat;
}

// Loops whose variable is named like a size or scalar parameter of the function (a legalized
// matmul's loop k over a tensor of shape (m, k)): `for k in T.grid(m, n, k)` reads back, but
// only by Python's scoping, and the front end warns about it.
Stmt rename_shadowing_loops(const Stmt& s, const std::set<std::string>& outer, NameTable& names) {
  if (!s) return s;
  if (const auto* loop = s->as<For>()) {
    auto copy = std::make_shared<For>(*loop);
    if (outer.count(loop->loop_var->name)) {
      auto renamed = std::make_shared<Var>(*loop->loop_var);
      renamed->name = names.take(loop->loop_var->name);
      const Var* old = loop->loop_var.get();
      copy->loop_var = renamed;
      copy->body = rewrite_stmt(loop->body, [&](const Expr& e) -> Expr {
        const auto* ref = e->as<VarRef>();
        return ref && ref->var.get() == old ? std::make_shared<VarRef>(renamed, ref->loc) : nullptr;
      });
    }
    copy->body = rename_shadowing_loops(copy->body, outer, names);
    return copy;
  }
  if (const auto* seq = s->as<Seq>()) {
    std::vector<Stmt> parts;
    for (const Stmt& part : seq->stmts) parts.push_back(rename_shadowing_loops(part, outer, names));
    return std::make_shared<Seq>(std::move(parts), seq->loc);
  }
  if (const auto* block = s->as<Block>()) {
    auto copy = std::make_shared<Block>(*block);
    copy->init = rename_shadowing_loops(block->init, outer, names);
    copy->body = rename_shadowing_loops(block->body, outer, names);
    return copy;
  }
  if (const auto* branch = s->as<If>()) {
    return std::make_shared<If>(branch->cond, rename_shadowing_loops(branch->then_case, outer, names),
                                rename_shadowing_loops(branch->else_case, outer, names), branch->loc);
  }
  if (const auto* let = s->as<Let>()) return std::make_shared<Let>(let->var, let->value, rename_shadowing_loops(let->body, outer, names), let->loc);
  return s;
}

// The names a loop variable must not take: scalar parameters and the size variables that
// parameter shapes use (a declared size variable nothing uses is not printed).
std::set<std::string> function_scope_vars(const PrimFunc& func) {
  std::set<std::string> out;
  for (const Param& p : func.params) {
    if (!p.buffer) out.insert(p.var->name);
    if (!p.buffer) continue;
    for (const Expr& dim : p.buffer->shape) {
      for (const VarPtr& v : vars_in(dim)) out.insert(v->name);
    }
  }
  return out;
}

}  // namespace

PrimFunc with_distinct_names(const PrimFunc& func) {
  PrimFunc out = func;
  BufferMap renamed = renamed_buffers(func);
  if (!renamed.empty()) {
    auto replace = [&](BufferPtr& b) {
      auto it = b ? renamed.find(b.get()) : renamed.end();
      if (it != renamed.end()) b = it->second;
    };
    for (Param& p : out.params) replace(p.buffer);
    for (BufferPtr& b : out.root_alloc_buffers) replace(b);
    out.body = rewrite_stmt(out.body, [](const Expr&) -> Expr { return nullptr; }, renamed);
  }
  if (block_names_repeat(out.body)) {
    NameTable names;
    visit_stmt(out.body, [&](const StmtNode& s) {
      if (const auto* block = s.as<Block>()) names.reserve(block->name);
    });
    std::set<std::string> claimed;
    out.body = rename_blocks(out.body, [&](const std::string& name) { return claimed.insert(name).second ? name : names.take(name); });
  }
  std::set<std::string> outer = function_scope_vars(out);
  bool shadows = false;
  visit_stmt(out.body, [&](const StmtNode& n) {
    if (const auto* loop = n.as<For>()) shadows = shadows || outer.count(loop->loop_var->name);
  });
  if (shadows) {
    NameTable names;
    for (const std::string& name : outer) names.reserve(name);
    visit_stmt(out.body, [&](const StmtNode& n) {
      if (const auto* loop = n.as<For>()) names.reserve(loop->loop_var->name);
    });
    out.body = rename_shadowing_loops(out.body, outer, names);
  }
  return out;
}

}  // namespace relaxc::tir

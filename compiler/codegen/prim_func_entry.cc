#include "compiler/codegen/prim_func_entry.h"

#include <set>

#include "compiler/ir/struct_info.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::codegen {

namespace {

std::set<const tir::Buffer*> written_buffers(const tir::PrimFunc& f) {
  std::set<const tir::Buffer*> written;
  tir::visit_stmt(f.body, [&](const tir::StmtNode& s) {
    if (const auto* store = s.as<tir::Store>()) written.insert(store->buffer.get());
  });
  return written;
}

// The entry of `f`, or why there is none.
PrimFuncEntry entry_of(const tir::PrimFunc& f) {
  PrimFuncEntry entry;
  entry.prim_func = f.name;
  std::set<const tir::Buffer*> written = written_buffers(f);
  auto fn = std::make_shared<relax::Function>();
  fn->name = f.name;
  fn->loc = f.loc;
  fn->return_loc = f.loc;
  std::set<const tir::Var*> bound;
  std::vector<relax::Expr> inputs;
  std::vector<relax::StructInfoPtr> outputs;
  for (const tir::Param& p : f.params) {
    if (!p.buffer) {
      entry.why_not = "it takes the scalar '" + p.var->name + "'; relaxrun runs prim_funcs of buffers only";
      return entry;
    }
    relax::StructInfoPtr sinfo = make_tensor_sinfo(p.buffer->shape, p.buffer->dtype);
    if (written.count(p.buffer.get())) {
      outputs.push_back(sinfo);
      continue;
    }
    for (const tir::Expr& dim : p.buffer->shape) {
      if (const auto* ref = dim->as<tir::VarRef>(); ref && bound.insert(ref->var.get()).second) fn->size_vars.push_back(ref->var);
    }
    auto var = std::make_shared<relax::Var>(p.buffer->name, sinfo, p.buffer->loc);
    fn->params.push_back(var);
    inputs.push_back(var);
  }
  if (outputs.empty()) {
    entry.why_not = "it writes none of its buffers, so it has no result";
    return entry;
  }
  for (const relax::StructInfoPtr& out : outputs) {
    for (const tir::Expr& dim : *out->shape) {
      for (const tir::VarPtr& v : tir::vars_in(dim)) {
        if (!bound.count(v.get())) {
          entry.why_not = "the size '" + v->name + "' of a buffer it writes is not a size of a buffer it reads";
          return entry;
        }
      }
    }
  }
  auto call = std::make_shared<relax::Call>(f.loc);
  call->op = "call_tir";
  call->args = {std::make_shared<relax::GlobalVar>(f.name, f.loc), std::make_shared<relax::Tuple>(inputs, f.loc)};
  call->sinfo_args = {outputs.size() == 1 ? outputs[0] : make_tuple_sinfo(outputs)};
  fn->body = call;
  fn->ret_sinfo = call->sinfo_args[0];
  fn->ret_annotation = fn->ret_sinfo;
  entry.function = fn;
  return entry;
}

}  // namespace

std::vector<PrimFuncEntry> prim_func_entries(const Module& module) {
  std::vector<PrimFuncEntry> entries;
  for (const tir::PrimFuncPtr& f : module.prim_funcs) {
    if (f->is_private || module.find_function(f->name)) continue;
    entries.push_back(entry_of(*f));
  }
  return entries;
}

}  // namespace relaxc::codegen

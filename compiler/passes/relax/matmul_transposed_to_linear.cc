#include "compiler/passes/relax/matmul_transposed_to_linear.h"

#include <map>

#include "compiler/ir/relax_uses.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

const AttrValue* attr(const Call& call, const std::string& key) {
  for (const auto& [k, v] : call.attrs) {
    if (k == key) return v.get();
  }
  return nullptr;
}

// A transpose of a matrix: permute_dims of a rank-2 tensor with axes None or [1, 0].
bool is_matrix_transpose(const Call& call) {
  if (call.op != "permute_dims" || call.args.size() != 1) return false;
  const auto* w = call.args[0]->as<relax::Var>();
  if (!w || !w->sinfo || w->sinfo->rank() != 2) return false;
  const AttrValue* axes = attr(call, "axes");
  if (!axes || axes->kind == AttrValue::Kind::None) return true;
  return axes->kind == AttrValue::Kind::List && axes->items.size() == 2 && axes->items[0]->int_value == 1 && axes->items[1]->int_value == 0;
}

FunctionPtr rewrite(const Function& original) {
  auto func = std::make_shared<Function>(original);
  for (BindingBlock& block : func->blocks) {
    std::map<const relax::Var*, size_t> transposes;  // bound var -> binding index
    std::vector<bool> dropped(block.bindings.size(), false);
    for (size_t i = 0; i < block.bindings.size(); ++i) {
      Binding& b = block.bindings[i];
      const auto* call = b.value->as<Call>();
      if (!call || b.is_match_cast) continue;
      if (is_matrix_transpose(*call)) {
        transposes[b.var.get()] = i;
        continue;
      }
      if (call->op != "matmul" || call->args.size() != 2) continue;
      const auto* t = call->args[1]->as<relax::Var>();
      auto found = t ? transposes.find(t) : transposes.end();
      const auto* x = call->args[0]->as<relax::Var>();
      if (found == transposes.end() || !x || !x->sinfo || x->sinfo->rank() < 1 || uses_in_function(t, *func) != 1) continue;
      const Call& transpose = *block.bindings[found->second].value->as<Call>();
      auto linear = std::make_shared<Call>(call->loc);
      linear->op = "nn.linear";
      linear->args = {call->args[0], transpose.args[0]};
      if (const AttrValue* out_dtype = attr(*call, "out_dtype")) linear->attrs.emplace_back("out_dtype", std::make_shared<AttrValue>(*out_dtype));
      b.value = linear;
      dropped[found->second] = true;
    }
    std::vector<Binding> kept;
    for (size_t i = 0; i < block.bindings.size(); ++i) {
      if (!dropped[i]) kept.push_back(block.bindings[i]);
    }
    block.bindings = std::move(kept);
  }
  return func;
}

}  // namespace

Module matmul_transposed_to_linear(const Module& module) {
  Module out = module;
  for (FunctionPtr& f : out.functions) f = rewrite(*f);
  return out;
}

}  // namespace relaxc

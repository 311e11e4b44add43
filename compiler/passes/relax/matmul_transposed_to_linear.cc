#include "compiler/passes/relax/matmul_transposed_to_linear.h"

#include <functional>
#include <map>

#include "compiler/ir/relax_uses.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

const AttrValue* attr(const Call& call, const std::string& key) { return find_attr(call.attrs, key); }

// A transpose of a matrix: permute_dims of a rank-2 tensor with axes None or [1, 0].
bool is_matrix_transpose(const Call& call) {
  if (call.op != "permute_dims" || call.args.size() != 1) return false;
  const auto* w = call.args[0]->as<relax::Var>();
  if (!w || !w->sinfo || w->sinfo->rank() != 2) return false;
  const AttrValue* axes = attr(call, "axes");
  if (!axes || axes->kind == AttrValue::Kind::None) return true;
  return axes->kind == AttrValue::Kind::List && axes->items.size() == 2 && axes->items[0]->int_value == 1 && axes->items[1]->int_value == 0;
}

Expr make_linear(const Call& matmul, const Expr& weight) {
  auto linear = std::make_shared<Call>(matmul.loc);
  linear->op = "nn.linear";
  linear->args = {matmul.args[0], weight};
  if (const AttrValue* out_dtype = attr(matmul, "out_dtype")) linear->attrs.emplace_back("out_dtype", std::make_shared<AttrValue>(*out_dtype));
  return linear;
}

FunctionPtr rewrite(const Function& original) {
  auto func = std::make_shared<Function>(original);
  for (BindingBlock& block : func->blocks) {
    std::map<const relax::Var*, size_t> transposes;  // bound var -> binding index
    std::vector<bool> dropped(block.bindings.size(), false);
    // Every matmul in e, also inside other calls, whose second operand is a transpose: written
    // in place (R.matmul(x, R.permute_dims(w))) or bound earlier and used only there.
    std::function<Expr(const Expr&)> visit = [&](const Expr& e) -> Expr {
      const auto* call = e ? e->as<Call>() : nullptr;
      if (!call) return e;
      auto copy = std::make_shared<Call>(*call);
      bool changed = false;
      for (Expr& arg : copy->args) {
        Expr rewritten = visit(arg);
        changed = changed || rewritten != arg;
        arg = rewritten;
      }
      Expr result = changed ? Expr(copy) : e;
      if (call->op != "matmul" || call->args.size() != 2) return result;
      const auto* x = copy->args[0]->as<relax::Var>();
      if (!x || !x->sinfo || x->sinfo->rank() < 1) return result;
      if (const auto* inner = copy->args[1]->as<Call>(); inner && is_matrix_transpose(*inner)) return make_linear(*copy, inner->args[0]);
      const auto* t = copy->args[1]->as<relax::Var>();
      auto found = t ? transposes.find(t) : transposes.end();
      if (found == transposes.end() || uses_in_function(t, *func) != 1) return result;
      dropped[found->second] = true;
      return make_linear(*copy, block.bindings[found->second].value->as<Call>()->args[0]);
    };
    for (size_t i = 0; i < block.bindings.size(); ++i) {
      Binding& b = block.bindings[i];
      const auto* call = b.value->as<Call>();
      if (!call || b.is_match_cast) continue;
      if (is_matrix_transpose(*call)) {
        transposes[b.var.get()] = i;
        continue;
      }
      b.value = visit(b.value);
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

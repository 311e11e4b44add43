#include "compiler/codegen/plan_memory.h"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

namespace relaxc::codegen {

using namespace relaxc::relax;

namespace {

bool allocates_output(const Expr& value) {
  const auto* call = value ? value->as<Call>() : nullptr;
  if (!call || (call->op != "call_tir" && call->op != "call_dps_packed") || call->sinfo_args.size() != 1) return false;
  const StructInfo& out = *call->sinfo_args[0];
  return out.kind == StructInfoKind::Tensor && out.shape && out.dtype != DataType::Void;
}

}  // namespace

MemoryPlan plan_memory(const Function& func) {
  std::vector<const Binding*> bindings;
  for (const BindingBlock& block : func.blocks) {
    for (const Binding& b : block.bindings) bindings.push_back(&b);
  }
  std::unordered_map<const Var*, size_t> defined;     // planned candidates: where they are made
  std::unordered_map<const Var*, const Var*> root;    // a view (or copy) -> the tensor it shows
  std::unordered_map<const Var*, size_t> last_use;
  std::set<const Var*> escapes;
  auto root_of = [&](const Var* v) {
    auto it = root.find(v);
    return it == root.end() ? v : it->second;
  };
  // Every variable in e: used at `at`; when `safe` is false it may outlive the function.
  std::function<void(const Expr&, size_t, bool)> use = [&](const Expr& e, size_t at, bool safe) {
    if (!e) return;
    if (const auto* v = e->as<Var>()) {
      const Var* r = root_of(v);
      last_use[r] = std::max(last_use[r], at);
      if (!safe) escapes.insert(r);
      return;
    }
    if (const auto* call = e->as<Call>()) {
      bool dps = call->op == "call_tir" || call->op == "call_dps_packed";
      for (size_t a = 0; a < call->args.size(); ++a) {
        const Expr& arg = call->args[a];
        // A destination-passing call's inputs are read during the call only.
        if (dps && a == 1) {
          if (const auto* tuple = arg->as<Tuple>()) {
            for (const Expr& field : tuple->fields) use(field, at, true);
            continue;
          }
          use(arg, at, true);
          continue;
        }
        use(arg, at, false);
      }
      use(call->callee, at, false);
      return;
    }
    if (const auto* tuple = e->as<Tuple>()) {
      for (const Expr& field : tuple->fields) use(field, at, false);
      return;
    }
    if (const auto* item = e->as<TupleGetItem>()) use(item->tuple, at, false);
  };
  for (size_t i = 0; i < bindings.size(); ++i) {
    const Binding& b = *bindings[i];
    const auto* call = b.value ? b.value->as<Call>() : nullptr;
    // R.reshape(x, shape) and `y = x` show x's storage: their uses are x's.
    const Var* source = nullptr;
    if (!b.is_match_cast) {
      if (const auto* v = b.value ? b.value->as<Var>() : nullptr) source = v;
      if (call && call->op == "reshape" && !call->args.empty()) source = call->args[0]->as<Var>();
    }
    if (source) {
      use(call ? call->args[0] : b.value, i, true);
      root[b.var.get()] = root_of(source);
      continue;
    }
    use(b.value, i, false);
    if (!b.is_match_cast && allocates_output(b.value)) defined[b.var.get()] = i;
  }
  use(func.body, bindings.size(), false);

  // Tokens in order of definition; a token is free once its last tensor's last use is behind.
  MemoryPlan plan;
  std::vector<size_t> busy_until;  // by token
  for (size_t i = 0; i < bindings.size(); ++i) {
    const Var* v = bindings[i]->var.get();
    auto d = defined.find(v);
    if (d == defined.end() || escapes.count(v)) continue;
    size_t until = std::max(i, last_use.count(v) ? last_use[v] : i);
    int64_t token = -1;
    for (size_t t = 0; t < busy_until.size(); ++t) {
      if (busy_until[t] < i) {
        token = static_cast<int64_t>(t);
        break;
      }
    }
    if (token < 0) {
      token = static_cast<int64_t>(busy_until.size());
      busy_until.push_back(0);
    }
    busy_until[static_cast<size_t>(token)] = until;
    plan.token[v] = token;
  }
  plan.tokens = static_cast<int64_t>(busy_until.size());
  return plan;
}

}  // namespace relaxc::codegen

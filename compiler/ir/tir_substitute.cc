#include "compiler/ir/tir_substitute.h"

#include "compiler/ir/tir_rewrite.h"

namespace relaxc::tir {

Expr substitute(const Expr& expr, const VarMap& map) {
  if (!expr || map.empty()) return expr;
  return rewrite_expr(expr, [&](const Expr& e) -> Expr {
    const auto* ref = e->as<VarRef>();
    if (!ref) return nullptr;
    auto it = map.find(ref->var.get());
    return it == map.end() ? e : it->second;
  });
}

relax::StructInfoPtr substitute(const relax::StructInfoPtr& sinfo, const VarMap& map) {
  if (!sinfo || map.empty()) return sinfo;
  auto copy = std::make_shared<relax::StructInfo>(*sinfo);
  bool changed = false;
  if (copy->shape) {
    for (Expr& dim : *copy->shape) {
      Expr replaced = substitute(dim, map);
      changed = changed || replaced != dim;
      dim = replaced;
    }
  }
  for (relax::StructInfoPtr& field : copy->fields) {
    relax::StructInfoPtr replaced = substitute(field, map);
    changed = changed || replaced != field;
    field = replaced;
  }
  return changed ? copy : sinfo;
}

}  // namespace relaxc::tir

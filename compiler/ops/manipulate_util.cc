// Shared helpers of the manipulation families (see manipulate_util.h).
#include "compiler/ops/manipulate_util.h"

#include <algorithm>

#include "compiler/ir/tir_visitor.h"

namespace relaxc::ops {

tir::Expr element_count(const std::vector<tir::Expr>& shape) {
  int64_t constant = 1;
  tir::Expr symbolic;
  for (const tir::Expr& d : shape) {
    if (std::optional<int64_t> v = const_dim(d)) {
      constant *= *v;
      continue;
    }
    symbolic = symbolic ? dim_mul(symbolic, d) : d;
  }
  if (!symbolic) return dim_const(constant);
  return constant == 1 ? symbolic : dim_mul(symbolic, dim_const(constant));
}

namespace {

void collect_factors(const tir::Expr& d, Factors& out) {
  if (std::optional<int64_t> v = const_dim(d)) {
    out.constant *= *v;
  } else if (const auto* mul = d->as<tir::Binary>(); mul && mul->op == tir::BinaryOp::Mul) {
    collect_factors(mul->a, out);
    collect_factors(mul->b, out);
  } else {
    out.symbolic.push_back(d);
  }
}

}  // namespace

Factors factors_of(const std::vector<tir::Expr>& shape) {
  Factors out;
  for (const tir::Expr& d : shape) collect_factors(d, out);
  std::sort(out.symbolic.begin(), out.symbolic.end(), [](const tir::Expr& a, const tir::Expr& b) { return dim_text(a) < dim_text(b); });
  return out;
}

std::optional<tir::Expr> exact_quotient(const Factors& total, const Factors& part) {
  if (part.constant == 0 || total.constant % part.constant != 0) return std::nullopt;
  std::vector<tir::Expr> left = total.symbolic;
  for (const tir::Expr& f : part.symbolic) {
    auto it = std::find_if(left.begin(), left.end(), [&](const tir::Expr& g) { return same_dim(f, g); });
    if (it == left.end()) return std::nullopt;
    left.erase(it);
  }
  tir::Expr out;
  for (const tir::Expr& f : left) out = out ? dim_mul(out, f) : f;
  int64_t constant = total.constant / part.constant;
  if (!out) return dim_const(constant);
  return constant == 1 ? out : dim_mul(out, dim_const(constant));
}

bool same_element_count(const std::vector<tir::Expr>& a, const std::vector<tir::Expr>& b) {
  Factors fa = factors_of(a), fb = factors_of(b);
  if (fa.constant == 0 && fb.constant == 0) return true;
  std::optional<tir::Expr> q = exact_quotient(fa, fb);
  return q && const_dim(*q) == 1;
}

bool written_as_list(const relax::Call& call, const std::string& name) {
  for (const auto& [key, value] : call.attrs) {
    if (key == name) return value->kind == AttrValue::Kind::List;
  }
  return false;
}

bool written_as_none(const relax::Call& call, const std::string& name) {
  for (const auto& [key, value] : call.attrs) {
    if (key == name) return value->kind == AttrValue::Kind::None;
  }
  return false;
}

std::optional<size_t> checked_axis(const InferCall& c, const std::string& attr, int64_t axis, size_t rank) {
  std::optional<size_t> k = normalize_axis(axis, rank);
  if (!k) c.error_at(attr, "axis " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(rank));
  return k;
}

void require_sizes_of(const KernelRequest& r, const tir::Expr& value) {
  std::vector<const tir::Var*> known;
  auto scan = [&](const relax::StructInfoPtr& sinfo) {
    for (const tir::Expr& dim : *sinfo->shape) {
      for (const tir::VarPtr& var : tir::vars_in(dim)) known.push_back(var.get());
    }
  };
  for (const Operand& operand : r.operands) {
    if (operand.sinfo) scan(operand.sinfo);
  }
  if (r.result->kind == relax::StructInfoKind::Tuple) {
    for (const relax::StructInfoPtr& field : r.result->fields) scan(field);
  } else {
    scan(r.result);
  }
  for (const tir::VarPtr& var : tir::vars_in(value)) {
    if (std::find(known.begin(), known.end(), var.get()) != known.end()) continue;
    throw CompileError(r.call.loc, "R." + r.call.op + ": the scalar " + dim_text(value) + " uses '" + var->name +
                                       "', which no operand's shape holds, so the kernel cannot learn it");
  }
}

std::string int64_text(int64_t value) { return "T.int64(" + std::to_string(value) + ")"; }

std::string as_int64(const std::string& load) { return "T.Cast(\"int64\", " + load + ")"; }

std::string wrapped_index(const std::string& index, const std::string& extent) {
  std::string normalized = "T.if_then_else(" + index + " < T.int64(0), " + index + " + (" + extent + "), " + index + ")";
  return "T.min(T.max(" + normalized + ", T.int64(0)), (" + extent + ") - T.int64(1))";
}

void check_scatter_operands(const InferCall& c, const relax::StructInfo& data, const relax::StructInfo& indices, const relax::StructInfo& updates) {
  if (indices.dtype != DataType::Void && !is_int(indices.dtype)) {
    c.error(std::string("the indices must have an integer dtype, not ") + dtype_name(indices.dtype));
  }
  if (data.dtype != DataType::Void && updates.dtype != DataType::Void && data.dtype != updates.dtype) {
    c.error(std::string("the data (") + dtype_name(data.dtype) + ") and the updates (" + dtype_name(updates.dtype) + ") must have the same dtype");
  }
  const std::string& reduction = c.attrs.get_string("reduction");
  if (data.dtype == DataType::Bool && reduction != "update") {
    c.error_at("reduction", "reduction=\"" + reduction + "\" of bool tensors is not supported; only \"update\" is");
  }
}

std::string guard_empty_axes(const std::string& value, const std::vector<tir::Expr>& extents, DataType dtype) {
  std::string nonempty;
  for (const tir::Expr& extent : extents) {
    std::optional<int64_t> known = const_dim(extent);
    if (known && *known > 0) continue;
    nonempty += (nonempty.empty() ? "" : " and ") + std::string("T.int64(0) < ") + dim_text(extent);
  }
  if (nonempty.empty()) return value;
  std::string fill = is_float(dtype) ? std::string("T.") + dtype_name(dtype) + "(\"nan\")" : dtype_literal(dtype, 0);
  return "T.if_then_else(" + nonempty + ", " + value + ", " + fill + ")";
}

}  // namespace relaxc::ops

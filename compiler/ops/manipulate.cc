// Operators that move elements without changing them: permute_dims (TVM's "transpose"),
// reshape and flatten (the same elements in row-major order under a new shape).
#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

std::string shape_text_of(const std::vector<int64_t>& values) {
  std::string out;
  for (int64_t v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return "[" + out + "]";
}

StructInfoPtr infer_permute(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, a.ndim);
  size_t rank = a.shape->size();
  std::optional<std::vector<int64_t>> given = c.attrs.get_axes("axes");
  std::vector<int64_t> axes;
  if (given)
    axes = *given;
  else
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(rank - 1 - i));
  if (axes.size() != rank) {
    c.error(std::to_string(axes.size()) + " axes for a tensor of rank " + std::to_string(rank));
    return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
  }
  std::vector<tir::Expr> out;
  std::vector<bool> used(rank, false);
  for (int64_t axis : axes) {
    std::optional<size_t> k = normalize_axis(axis, rank);
    if (!k || used[*k]) {
      c.error(k ? "axes " + shape_text_of(axes) + " name axis " + std::to_string(*k) + " twice; they must be a permutation"
                : "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
      return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
    }
    used[*k] = true;
    out.push_back((*a.shape)[*k]);
  }
  return make_tensor_sinfo(out, a.dtype);
}

// The new shape of R.reshape with TVM's special values resolved: in a shape written in the
// call (not one held in a variable), 0 copies the input's extent at that position and one -1
// is whatever extent keeps the element count, exact by the factors of the extents or else
// their floor quotient as in TVM.
std::optional<std::vector<tir::Expr>> reshape_target(const InferCall& c, const StructInfo& a) {
  std::vector<tir::Expr> out = *c.shapes[1];
  if (!c.call.args[1]->as<relax::ShapeExpr>()) return out;
  std::optional<size_t> infer_at;
  const std::vector<tir::Expr> written = out;
  for (size_t i = 0; i < out.size(); ++i) {
    std::optional<int64_t> d = const_dim(out[i]);
    std::string problem;
    if (d == 0 && a.rank() >= 0 && i >= static_cast<size_t>(a.rank()))
      problem = "its 0 at position " + std::to_string(i) + " copies an axis the input lacks";
    else if (d == -1 && infer_at)
      problem = "it has more than one -1";
    else if (d && *d < -1)
      problem = "it has a negative extent other than -1";
    if (!problem.empty()) {
      c.error("the new shape " + shape_text(written) + " is not valid: " + problem);
      return std::nullopt;
    }
    if (d == -1) infer_at = i;
    if (d == 0 && !a.shape) return std::nullopt;
    if (d == 0) out[i] = (*a.shape)[i];
  }
  if (!infer_at) return out;
  if (!a.shape) return std::nullopt;
  std::vector<tir::Expr> known = out;
  known.erase(known.begin() + static_cast<std::ptrdiff_t>(*infer_at));
  Factors total = factors_of(*a.shape), part = factors_of(known);
  if (part.constant == 0) {
    c.error("cannot infer the -1 of " + shape_text(out) + ": the other extents hold no elements");
    return std::nullopt;
  }
  std::optional<tir::Expr> exact = exact_quotient(total, part);
  out[*infer_at] = exact ? *exact : dim_binary(tir::BinaryOp::FloorDiv, element_count(*a.shape), element_count(known));
  return out;
}

StructInfoPtr infer_reshape(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  std::optional<std::vector<tir::Expr>> out = reshape_target(c, a);
  if (!out) return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(c.shapes[1]->size()));
  if (a.shape) {
    Factors in = factors_of(*a.shape), to = factors_of(*out);
    if (in.symbolic.empty() && to.symbolic.empty() && in.constant != to.constant) {
      c.error("cannot reshape " + shape_text(*a.shape) + " (" + std::to_string(in.constant) + " elements) to " + shape_text(*out) + " (" +
              std::to_string(to.constant) + " elements)");
    }
  }
  return make_tensor_sinfo(*out, a.dtype);
}

// The product of the extents: folded where constant, `n * 12` where symbolic.
tir::Expr extent_product(std::vector<tir::Expr>::const_iterator begin, std::vector<tir::Expr>::const_iterator end) {
  int64_t constant = 1;
  tir::Expr symbolic;
  for (auto it = begin; it != end; ++it) {
    const tir::Expr& d = *it;
    if (std::optional<int64_t> v = const_dim(d)) {
      constant *= *v;
      continue;
    }
    symbolic = symbolic ? std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, d, DataType::Int64, SourceLoc{}) : d;
  }
  tir::Expr total = dim_const(constant);
  if (symbolic) total = constant == 1 ? symbolic : std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, total, DataType::Int64, SourceLoc{});
  return total;
}

StructInfoPtr infer_flatten(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, 1);
  return make_tensor_sinfo(std::vector<tir::Expr>{extent_product(a.shape->begin(), a.shape->end())}, a.dtype);
}

// nn.batch_flatten: (N, everything else).
StructInfoPtr infer_batch_flatten(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (a.rank() >= 0 && a.rank() < 2) c.error("needs a tensor of rank 2 or more, not rank " + std::to_string(a.rank()));
  if (!a.shape || a.shape->size() < 2) return make_tensor_sinfo(std::nullopt, a.dtype, 2);
  return make_tensor_sinfo(std::vector<tir::Expr>{a.shape->front(), extent_product(a.shape->begin() + 1, a.shape->end())}, a.dtype);
}

std::string permute_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  size_t rank = shape_of(a).size();
  std::vector<int64_t> fallback;
  for (size_t i = rank; i-- > 0;) fallback.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> axes = request.attrs.get_axes("axes").value_or(fallback);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  if (rank == 0) throw CompileError(request.call.loc, "R.permute_dims of a 0-d tensor is not supported");
  KernelText k(name);
  k.param("A", shape_of(a), a.dtype);
  k.param("T_transpose", out_shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", rank);
  std::vector<std::string> in_index(rank), out_index;
  for (size_t j = 0; j < rank; ++j) {
    int64_t axis = axes[j] < 0 ? axes[j] + static_cast<int64_t>(rank) : axes[j];
    in_index[static_cast<size_t>(axis)] = "v_" + loops[j];
    out_index.push_back("v_" + loops[j]);
  }
  k.open_block("T_transpose", loops, dim_texts(out_shape), std::string(rank, 'S'));
  k.line("T_transpose[" + join_text(out_index) + "] = A[" + join_text(in_index) + "]");
  k.close_block();
  return k.str();
}

std::string reshape_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  // A copy trusts that the counts agree; only the view form (from -O1) checks it at run time.
  if (!same_element_count(in_shape, out_shape)) {
    throw CompileError(request.call.loc, "R." + request.call.op + ": " + shape_text(in_shape) + " and " + shape_text(out_shape) +
                                             " may hold different numbers of elements, which only the view form checks at run time; compile with -O1 "
                                             "or R.match_cast the shapes");
  }
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  k.param("T_reshape", out_shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size());
  // The row-major position of the output element, then the input index holding it.
  std::string flat = out_shape.empty() ? "T.int64(0)" : "v_" + loops[0];
  for (size_t j = 1; j < out_shape.size(); ++j) flat = "(" + flat + ") * (" + dim_text(out_shape[j]) + ") + v_" + loops[j];
  std::vector<std::string> in_index;
  for (size_t i = 0; i < in_shape.size(); ++i) {
    std::string stride;
    for (size_t t = i + 1; t < in_shape.size(); ++t) stride += (stride.empty() ? "" : " * ") + ("(" + dim_text(in_shape[t]) + ")");
    std::string index = stride.empty() ? "(" + flat + ")" : "T.floordiv(" + flat + ", " + stride + ")";
    if (i > 0) index = "T.floormod(" + index + ", " + dim_text(in_shape[i]) + ")";
    in_index.push_back(index);
  }
  k.open_block("T_reshape", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line(indexed("T_reshape", iter_names(loops)) + " = " + indexed("A", in_index));
  k.close_block();
  return k.str();
}

}  // namespace

void register_manipulate(std::vector<OpDef>& ops) {
  ops.push_back(define_op("permute_dims", "transpose", {{"x"}}, {axes_attr("axes")}, infer_permute, permute_kernel));

  OpDef reshape = define_op("reshape", "reshape", {{"x"}, {"shape", OperandKind::Shape}}, {}, infer_reshape, reshape_kernel);
  reshape.row_major_view = true;
  ops.push_back(reshape);

  OpDef flatten = define_op("flatten", "reshape", {{"x"}}, {}, infer_flatten, reshape_kernel);
  flatten.row_major_view = true;
  ops.push_back(flatten);

  OpDef batch_flatten = define_op("nn.batch_flatten", "reshape", {{"data"}}, {}, infer_batch_flatten, reshape_kernel);
  batch_flatten.row_major_view = true;
  ops.push_back(batch_flatten);
}

}  // namespace relaxc::ops

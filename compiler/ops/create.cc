// Tensor creation: zeros, ones, full (a shape and a fill value), their _like forms (the shape
// of a tensor), arange, eye and eye_like, and tril/triu (a tensor with the elements off one side of a
// diagonal zeroed). Fill values are 0-d tensors (an R.const scalar is written into the kernel)
// converted to the result dtype as TVM does; bounds of arange and eye are R.prim_value or
// numbers and must be constants.
#include <cmath>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

bool is_like(const std::string& op) { return op.size() > 5 && op.compare(op.size() - 5, 5, "_like") == 0; }

// The fill value's dtype: R.zeros/ones have none; R.full/full_like take their fill operand's.
StructInfoPtr infer_fill(const InferCall& c) {
  const std::string& op = c.call.op;
  std::optional<DataType> dtype = c.attrs.get_dtype("dtype");
  bool has_fill = op == "full" || op == "full_like";
  const StructInfo* fill = has_fill ? c.operands[1] : nullptr;
  if (fill && fill->rank() > 0) c.error("the fill value must be a 0-d tensor (a scalar), not rank " + std::to_string(fill->rank()));
  if (is_like(op)) {
    const StructInfo& x = *c.operands[0];
    return like(x, dtype.value_or(x.dtype));
  }
  DataType out = dtype ? *dtype : fill ? fill->dtype : DataType::Void;
  if (out == DataType::Void && !has_fill) c.error("needs dtype=");
  return make_tensor_sinfo(*c.shapes[0], out);
}

std::string fill_kernel(const std::string& name, const KernelRequest& r) {
  const std::string& op = r.call.op;
  DataType dtype = r.result->dtype;
  const std::vector<tir::Expr>& shape = shape_of(*r.result);
  KernelText k(name);
  std::string value = op.rfind("zeros", 0) == 0 ? dtype_literal(dtype, 0) : dtype_literal(dtype, 1);
  // The _like forms take their first operand for its shape only; it is still a parameter.
  if (is_like(op)) k.param("x", shape_of(*r.operands[0].sinfo), r.operands[0].sinfo->dtype);
  const Operand* fill = op == "full" ? &r.operands[0] : op == "full_like" ? &r.operands[1] : nullptr;
  if (fill && fill->scalar) {
    if (!is_float(dtype) && !std::isfinite(*fill->scalar)) throw CompileError(r.call.loc, "R." + op + ": a non-finite fill value for an integer tensor");
    value = dtype_literal(dtype, is_float(dtype) ? *fill->scalar : std::trunc(*fill->scalar));
  } else if (fill) {
    k.param("A", {}, fill->sinfo->dtype);
    value = fill->sinfo->dtype == dtype ? "A[()]" : "T.Cast(\"" + std::string(dtype_name(dtype)) + "\", A[()])";
  }
  k.param("T_full", shape, dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size());
  k.open_block("T_full", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_full", iter_names(loops)) + " = " + value);
  k.close_block();
  return k.str();
}

// A PrimValue operand's constant, or nullopt for a symbolic one.
std::optional<double> prim_constant(const relax::Call& call, size_t i) {
  if (i >= call.args.size()) return std::nullopt;
  const auto* prim = call.args[i]->as<relax::PrimValue>();
  if (!prim) return std::nullopt;
  if (const auto* integer = prim->value->as<tir::IntImm>()) return static_cast<double>(integer->value);
  if (const auto* number = prim->value->as<tir::FloatImm>()) return number->value;
  return std::nullopt;
}

bool prim_is_float(const relax::Call& call, size_t i) {
  const auto* prim = i < call.args.size() ? call.args[i]->as<relax::PrimValue>() : nullptr;
  return prim && is_float(prim->value->dtype);
}

struct Range {
  double start, step;
  int64_t count;
};

// numpy's arange: R.arange(stop), R.arange(start, stop), R.arange(start, stop, step).
std::optional<Range> arange_range(const InferCall& c) {
  size_t given = c.call.args.size();
  std::optional<double> a = prim_constant(c.call, 0), b = prim_constant(c.call, 1), s = prim_constant(c.call, 2);
  if (!a || (given > 1 && !b) || (given > 2 && !s)) {
    c.error("start, end and step must be constants (a symbolic bound is not supported)");
    return std::nullopt;
  }
  double start = given > 1 ? *a : 0, stop = given > 1 ? *b : *a, step = given > 2 ? *s : 1;
  if (step == 0) {
    c.error("step must not be 0");
    return std::nullopt;
  }
  double count = std::ceil((stop - start) / step);
  return Range{start, step, count > 0 ? static_cast<int64_t>(count) : 0};
}

StructInfoPtr infer_arange(const InferCall& c) {
  std::optional<DataType> dtype = c.attrs.get_dtype("dtype");
  bool fractional = prim_is_float(c.call, 0) || prim_is_float(c.call, 1) || prim_is_float(c.call, 2);
  DataType out = dtype.value_or(fractional ? DataType::Float32 : DataType::Int64);
  std::optional<Range> range = arange_range(c);
  if (!range) return make_tensor_sinfo(std::nullopt, out, 1);
  return make_tensor_sinfo(std::vector<tir::Expr>{dim_const(range->count)}, out);
}

std::string arange_kernel(const std::string& name, const KernelRequest& r) {
  DataType dtype = r.result->dtype;
  const std::vector<tir::Expr>& shape = shape_of(*r.result);
  const relax::Call& call = r.call;
  size_t given = call.args.size();
  double start = given > 1 ? *prim_constant(call, 0) : 0, step = given > 2 ? *prim_constant(call, 2) : 1;
  KernelText k(name);
  k.param("T_arange", shape, dtype);
  k.open_block("T_arange", {"ax0"}, dim_texts(shape), "S");
  // In float64 and then converted, as numpy computes start + i * step.
  k.line("T_arange[v_ax0] = T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + dtype_literal(DataType::Float64, start) + " + T.Cast(\"float64\", v_ax0) * " +
         dtype_literal(DataType::Float64, step) + ")");
  k.close_block();
  return k.str();
}

StructInfoPtr infer_eye(const InferCall& c) {
  DataType out = c.attrs.get_dtype("dtype").value_or(DataType::Float32);
  std::optional<double> n = prim_constant(c.call, 0);
  std::optional<double> m = c.call.args.size() > 1 ? prim_constant(c.call, 1) : n;
  if (!n || !m || (c.call.args.size() > 2 && !prim_constant(c.call, 2))) {
    c.error("n, m and k must be constants (a symbolic size is not supported)");
    return make_tensor_sinfo(std::nullopt, out, 2);
  }
  if (*n < 0 || *m < 0) c.error("n and m must not be negative");
  return make_tensor_sinfo(std::vector<tir::Expr>{dim_const(static_cast<int64_t>(*n)), dim_const(static_cast<int64_t>(*m))}, out);
}

StructInfoPtr infer_eye_like(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (x.rank() >= 0 && x.rank() != 2) c.error("needs a 2-d tensor, not rank " + std::to_string(x.rank()));
  if (c.call.args.size() > 1 && !prim_constant(c.call, 1)) c.error("k must be a constant");
  return like(x, c.attrs.get_dtype("dtype").value_or(x.dtype));
}

std::string eye_kernel(const std::string& name, const KernelRequest& r) {
  DataType dtype = r.result->dtype;
  const std::vector<tir::Expr>& shape = shape_of(*r.result);
  bool is_eye_like = r.call.op == "eye_like";
  size_t k_position = is_eye_like ? 1 : 2;
  int64_t diagonal = r.call.args.size() > k_position ? static_cast<int64_t>(*prim_constant(r.call, k_position)) : 0;
  KernelText k(name);
  if (is_eye_like) k.param("x", shape_of(*r.operands[0].sinfo), r.operands[0].sinfo->dtype);
  k.param("T_eye", shape, dtype);
  k.open_block("T_eye", {"ax0", "ax1"}, dim_texts(shape), "SS");
  k.line("T_eye[v_ax0, v_ax1] = T.if_then_else(v_ax1 - v_ax0 == T.int64(" + std::to_string(diagonal) + "), " + dtype_literal(dtype, 1) + ", " +
         dtype_literal(dtype, 0) + ")");
  k.close_block();
  return k.str();
}

StructInfoPtr infer_triangle(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (x.rank() >= 0 && x.rank() < 2) c.error("needs a tensor of rank 2 or more, not rank " + std::to_string(x.rank()));
  if (c.call.args.size() > 1 && !prim_constant(c.call, 1)) c.error("k must be a constant");
  return like(x, x.dtype);
}

// tril keeps j <= i + k, triu keeps j >= i + k (over the last two axes).
std::string triangle_kernel(const std::string& name, const KernelRequest& r) {
  const relax::StructInfo& x = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(x);
  int64_t diagonal = r.call.args.size() > 1 ? static_cast<int64_t>(*prim_constant(r.call, 1)) : 0;
  size_t rank = shape.size();
  std::string out = "T_" + r.call.op;
  KernelText k(name);
  k.param("A", shape, x.dtype);
  k.param(out, shape, x.dtype);
  std::vector<std::string> loops = loop_names("ax", rank);
  std::vector<std::string> at = iter_names(loops);
  std::string row = at[rank - 2], col = at[rank - 1];
  std::string keep = r.call.op == "tril" ? col + " - " + row + " <= T.int64(" + std::to_string(diagonal) + ")"
                                         : col + " - " + row + " >= T.int64(" + std::to_string(diagonal) + ")";
  k.open_block(out, loops, dim_texts(shape), std::string(rank, 'S'));
  k.line(indexed(out, at) + " = T.if_then_else(" + keep + ", " + indexed("A", at) + ", " + dtype_literal(x.dtype, 0) + ")");
  k.close_block();
  return k.str();
}

// Fill values written as R.const are kernel literals.
OpDef make_op(const std::string& name, const std::string& kernel, std::vector<OperandSpec> operands, std::vector<AttrSpec> attrs, InferFn infer,
              LegalizeFn legalize) {
  OpDef op = define_op(name, kernel, std::move(operands), std::move(attrs), infer, legalize);
  op.scalar_literals = true;
  return op;
}

}  // namespace

void register_create(std::vector<OpDef>& ops) {
  OperandSpec shape{"shape", OperandKind::Shape};
  for (const char* name : {"zeros", "ones"}) ops.push_back(make_op(name, "full", {shape}, {dtype_attr("dtype")}, infer_fill, fill_kernel));
  ops.push_back(make_op("full", "full", {shape, {"fill_value"}}, {dtype_attr("dtype")}, infer_fill, fill_kernel));
  for (const char* name : {"zeros_like", "ones_like"}) ops.push_back(make_op(name, "full", {{"x"}}, {dtype_attr("dtype")}, infer_fill, fill_kernel));
  ops.push_back(make_op("full_like", "full", {{"x"}, {"fill_value"}}, {dtype_attr("dtype")}, infer_fill, fill_kernel));
  OperandSpec scalar_start{"start", OperandKind::PrimValue}, end{"end", OperandKind::PrimValue, true}, step{"step", OperandKind::PrimValue, true};
  ops.push_back(make_op("arange", "arange", {scalar_start, end, step}, {dtype_attr("dtype")}, infer_arange, arange_kernel));
  OperandSpec n{"n", OperandKind::PrimValue}, m{"m", OperandKind::PrimValue, true}, k{"k", OperandKind::PrimValue, true};
  ops.push_back(make_op("eye", "eye", {n, m, k}, {dtype_attr("dtype")}, infer_eye, eye_kernel));
  ops.push_back(make_op("eye_like", "eye", {{"x"}, k}, {dtype_attr("dtype")}, infer_eye_like, eye_kernel));
  for (const char* name : {"tril", "triu"}) ops.push_back(make_op(name, name, {{"x"}, {"k", OperandKind::PrimValue, true}}, {}, infer_triangle, triangle_kernel));
}

}  // namespace relaxc::ops

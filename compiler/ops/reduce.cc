// Reductions over a set of axes (None, an integer or a list; keepdims): sum, prod, max, min,
// mean, variance and std (population variance, as TVM's), and softmax along one axis (max, exp
// of the difference, sum, divide — the numerically stable form TVM uses).
//
// Empty axes: sum and prod give 0 and 1, mean/variance/std of floats NaN (0/0) as numpy. max and
// min of an axis of known size 0 are compile errors (numpy raises); of a symbolic size that is 0
// at run time they give their identity, -inf/+inf (the lowest/highest integer for integers).
// Integer tensors reduce in their own type as TVM types them; their mean truncates toward zero
// (TVM divides the integer sum by the count) and is 0 over an axis that is empty at run time.
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_reduce(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  const std::string& op = c.call.op;
  bool float_only = op == "variance" || op == "std";
  if (a.dtype != DataType::Void && (a.dtype == DataType::Bool || (float_only && !is_float(a.dtype)))) {
    c.error(std::string(dtype_name(a.dtype)) + " tensors are not supported; cast to " +
            (float_only ? "a float dtype" : "a numeric dtype") + " first");
  }
  return infer_reduced(c, a.dtype, false);
}

StructInfoPtr infer_same(const InferCall& c) { return like(*c.operands[0], c.operands[0]->dtype); }

// The reduction of sum, prod, max and min: identity and combine pattern.
Reduction reduction_of(const std::string& op, DataType dtype) {
  Reduction r;
  r.block = "A_red";
  r.target = "A_red";
  if (op == "prod") {
    r.identity = dtype_literal(dtype, 1);
    r.combine = "{acc} * {x}";
  } else if (op == "max" || op == "min") {
    r.identity = extreme_text(dtype, op == "max");
    r.combine = "T." + op + "({acc}, {x})";
  } else {
    r.identity = dtype_literal(dtype, 0);
    r.combine = "{acc} + {x}";
  }
  return r;
}

void refuse_empty_extreme(const KernelRequest& request, const ReduceNest& nest) {
  const std::string& op = request.call.op;
  if ((op == "max" || op == "min") && nest.empty_axis) {
    throw CompileError(request.call.loc, "R." + op + " over axis " + std::to_string(*nest.empty_axis) +
                                             ", which has size 0: a maximum or minimum of no elements is undefined (numpy raises)");
  }
}

// sum, prod, max, min: one reduction block into the result.
std::string reduce_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  ReduceNest nest = reduce_nest(in_shape, reduced_axes(request.attrs, in_shape.size()), request.attrs.get_bool("keepdims"));
  refuse_empty_extreme(request, nest);
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  k.param("A_red", shape_of(*request.result), request.result->dtype);
  Reduction r = reduction_of(request.call.op, a.dtype);
  r.term = indexed("A", nest.in_index);
  emit_reduction(k, nest, r);
  return k.str();
}

// `sum / count` in the element type: a float division, or the integer division TVM's mean
// does (truncating), by a count of at least 1 so that an axis empty at run time gives 0.
std::string divide_text(DataType dtype, const std::string& sum, const ReduceNest& nest, SourceLoc loc) {
  std::string count = nest.count();
  if (is_float(dtype)) return sum + " / T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + count + ")";
  if (nest.empty_axis) {
    throw CompileError(loc, "R.mean of an integer tensor over axis " + std::to_string(*nest.empty_axis) + ", which has size 0, divides by zero");
  }
  if (nest.maybe_empty) count = "T.max(" + count + ", T.int64(1))";
  return "T.truncdiv(" + sum + ", T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + count + "))";
}

// mean: the sum, then each element divided by the count.
std::string mean_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  ReduceNest nest = reduce_nest(in_shape, reduced_axes(request.attrs, in_shape.size()), request.attrs.get_bool("keepdims"));
  DataType dtype = a.dtype;
  KernelText k(name);
  k.param("A", in_shape, dtype);
  k.param("T_divide", shape_of(*request.result), dtype);
  k.alloc("A_red", nest.out_dims, dtype);
  Reduction r = reduction_of("sum", dtype);
  r.term = indexed("A", nest.in_index);
  emit_reduction(k, nest, r);
  std::vector<std::string> at = open_spatial(k, "T_divide", nest.out_dims);
  k.line(indexed("T_divide", at) + " = " + divide_text(dtype, indexed("A_red", at), nest, request.call.loc));
  k.close_block();
  return k.str();
}

// variance and std, as TVM computes them: the mean (axes kept), then the mean of the squared
// deviations from it; std is its square root.
std::string variance_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  ReduceNest nest = reduce_nest(in_shape, reduced_axes(request.attrs, in_shape.size()), request.attrs.get_bool("keepdims"));
  DataType dtype = a.dtype;
  bool std_dev = request.call.op == "std";
  std::string out = std_dev ? "compute" : "T_divide";
  KernelText k(name);
  k.param("A", in_shape, dtype);
  k.param(out, shape_of(*request.result), dtype);
  k.alloc("A_red", nest.kept_dims, dtype);
  k.alloc("T_mean", nest.kept_dims, dtype);
  k.alloc("T_sq_sum", nest.out_dims, dtype);
  std::string x = indexed("A", nest.in_index);
  Reduction sum = reduction_of("sum", dtype);
  sum.kept = true;
  sum.term = x;
  emit_reduction(k, nest, sum);
  std::vector<std::string> kept = open_spatial(k, "T_mean", nest.kept_dims);
  k.line(indexed("T_mean", kept) + " = " + divide_text(dtype, indexed("A_red", kept), nest, request.call.loc));
  k.close_block();
  std::string deviation = "(" + x + " - " + indexed("T_mean", nest.kept_index) + ")";
  Reduction squares = reduction_of("sum", dtype);
  squares.block = squares.target = "T_sq_sum";
  squares.term = deviation + " * " + deviation;
  emit_reduction(k, nest, squares);
  std::vector<std::string> at = open_spatial(k, out, nest.out_dims);
  std::string variance = divide_text(dtype, indexed("T_sq_sum", at), nest, request.call.loc);
  k.line(indexed(out, at) + " = " + (std_dev ? "T.sqrt(" + variance + ")" : variance));
  k.close_block();
  return k.str();
}

std::string softmax_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  DataType dtype = a.dtype;
  size_t rank = shape.size();
  if (rank == 0) throw CompileError(request.call.loc, "R.nn.softmax of a 0-d tensor is not supported");
  if (!is_float(dtype)) throw CompileError(request.call.loc, "R.nn.softmax needs a float tensor");
  int64_t axis = request.attrs.get_int("axis");
  std::optional<size_t> normalized = normalize_axis(axis, rank);
  if (!normalized) throw CompileError(request.attrs.loc("axis"), "R.nn.softmax: axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  size_t ax = *normalized;
  // The per-row intermediates keep the softmax axis with extent 1, so no buffer is 0-d.
  std::vector<std::string> full = dim_texts(shape), kept = full;
  kept[ax] = "T.int64(1)";
  KernelText k(name);
  k.param("A", shape, dtype);
  k.param("T_softmax_norm", shape, dtype);
  k.alloc("T_softmax_maxelem", kept, dtype);
  k.alloc("T_softmax_exp", full, dtype);
  k.alloc("T_softmax_expsum", kept, dtype);
  std::vector<std::string> loops = loop_names("i", rank), index, row;
  for (size_t i = 0; i < rank; ++i) {
    index.push_back("v_" + loops[i]);
    row.push_back(i == ax ? "T.int64(0)" : "v_" + loops[i]);
  }
  std::string all_s(rank, 'S'), reduce_kinds = all_s;
  reduce_kinds[ax] = 'R';
  std::string at = "[" + join_text(index) + "]", at_row = "[" + join_text(row) + "]";
  k.open_block("T_softmax_maxelem", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    T_softmax_maxelem" + at_row + " = T.min_value(\"" + dtype_name(dtype) + "\")");
  k.line("T_softmax_maxelem" + at_row + " = T.max(T_softmax_maxelem" + at_row + ", A" + at + ")");
  k.close_block();
  k.open_block("T_softmax_exp", loops, full, all_s);
  k.line("T_softmax_exp" + at + " = T.exp(A" + at + " - T_softmax_maxelem" + at_row + ")");
  k.close_block();
  k.open_block("T_softmax_expsum", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    T_softmax_expsum" + at_row + " = " + dtype_literal(dtype, 0));
  k.line("T_softmax_expsum" + at_row + " = T_softmax_expsum" + at_row + " + T_softmax_exp" + at);
  k.close_block();
  k.open_block("T_softmax_norm", loops, full, all_s);
  k.line("T_softmax_norm" + at + " = T_softmax_exp" + at + " / T_softmax_expsum" + at_row);
  k.close_block();
  return k.str();
}

}  // namespace

void register_reduce(std::vector<OpDef>& ops) {
  struct Form {
    const char* name;
    LegalizeFn legalize;
  };
  for (const Form& form : {Form{"sum", reduce_kernel}, Form{"mean", mean_kernel}, Form{"prod", reduce_kernel}, Form{"max", reduce_kernel},
                           Form{"min", reduce_kernel}, Form{"variance", variance_kernel}, Form{"std", variance_kernel}}) {
    ops.push_back(define_op(form.name, form.name, {{"x"}}, {axes_attr("axis"), bool_attr("keepdims", false)}, infer_reduce, form.legalize));
  }
  ops.push_back(define_op("nn.softmax", "softmax", {{"x"}}, {int_attr("axis", -1)}, infer_same, softmax_kernel));
}

}  // namespace relaxc::ops

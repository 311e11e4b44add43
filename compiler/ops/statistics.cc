// argmax and argmin over one axis or all (flattened, as numpy), and the scans cumsum and cumprod
// along one axis or over the flattened tensor (row-major), inclusive or exclusive, in `dtype`.
//
// argmax/argmin give int64 indices (TVM's type): the first index of the maximum (minimum), and
// NaN counts as the maximum (and the minimum), as in numpy. An axis of known size 0 is a compile
// error (numpy raises); one that is 0 at run time gives -1, the index of TVM's reducer identity.
#include "compiler/ir/tir_build.h"
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_arg_extreme(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (a.dtype == DataType::Bool) c.error("bool tensors are not supported; cast to a numeric dtype first");
  return infer_reduced(c, DataType::Int64, true);
}

// The row-major position of an element among the reduced ones: the index along a single axis,
// or the flattened index when every axis is reduced.
std::string flat_index(const ReduceNest& nest) {
  std::string flat;
  for (size_t i = 0; i < nest.kinds.size(); ++i) {
    if (nest.kinds[i] != 'R') continue;
    flat = flat.empty() ? nest.in_index[i] : "(" + flat + ") * " + nest.extents[i] + " + " + nest.in_index[i];
  }
  return flat.empty() ? "T.int64(0)" : flat;
}

// Two reductions: the extreme value (NaN-propagating, axes kept), then the smallest position
// holding it (or holding a NaN when the extreme is NaN).
std::string arg_extreme_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  ReduceNest nest = reduce_nest(in_shape, reduced_axes(request.attrs, in_shape.size()), request.attrs.get_bool("keepdims"));
  bool max = request.call.op == "argmax";
  if (nest.empty_axis) {
    throw CompileError(request.call.loc, "R." + request.call.op + " over axis " + std::to_string(*nest.empty_axis) +
                                             ", which has size 0: there is no element to point at (numpy raises)");
  }
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  k.param("A_red", shape_of(*request.result), DataType::Int64);
  k.alloc("A_red_temp", nest.kept_dims, a.dtype);
  std::string x = indexed("A", nest.in_index);
  Reduction extreme{"A_red_temp", "A_red_temp", true, extreme_text(a.dtype, max), max ? "T.max({acc}, {x})" : "T.min({acc}, {x})", x};
  emit_reduction(k, nest, extreme);
  std::string best = indexed("A_red_temp", nest.kept_index);
  std::string match = x + " == " + best;
  if (is_float(a.dtype)) match += " or (" + isnan_text(best) + " and " + isnan_text(x) + ")";
  std::string count = nest.count();
  Reduction position{"A_red", "A_red", false, count, "T.min({acc}, {x})", "T.if_then_else(" + match + ", " + flat_index(nest) + ", " + count + ")"};
  emit_reduction(k, nest, position);
  if (nest.maybe_empty) {
    // Nothing matched only when there was nothing to look at.
    std::vector<std::string> at = open_spatial(k, "A_red_empty", nest.out_dims);
    std::string found = indexed("A_red", at);
    k.line(found + " = T.if_then_else(" + found + " == " + count + ", T.int64(-1), " + found + ")");
    k.close_block();
  }
  return k.str();
}

// ---- cumsum, cumprod ----

// The product of the extents, folded where constant (`n * 12`).
tir::Expr element_count(const std::vector<tir::Expr>& shape) {
  int64_t constant = 1;
  tir::Expr symbolic;
  for (const tir::Expr& d : shape) {
    if (std::optional<int64_t> v = const_dim(d)) constant *= *v;
    else symbolic = symbolic ? tir::build::arith(tir::BinaryOp::Mul, symbolic, d) : d;
  }
  if (!symbolic) return dim_const(constant);
  return constant == 1 ? symbolic : tir::build::arith(tir::BinaryOp::Mul, symbolic, dim_const(constant));
}

StructInfoPtr infer_scan(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  std::optional<DataType> given = c.attrs.get_dtype("dtype");
  DataType dtype = given.value_or(a.dtype);
  if (dtype == DataType::Bool) c.error_at("dtype", "a bool result is not supported; give a numeric dtype (dtype=\"int64\")");
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  if (!axes) {
    if (!a.shape) return make_tensor_sinfo(std::nullopt, dtype, 1);
    return make_tensor_sinfo(std::vector<tir::Expr>{element_count(*a.shape)}, dtype);
  }
  if (axes->size() != 1) {
    c.error_at("axis", "axis takes one axis or None, not " + std::to_string(axes->size()) + " axes");
  } else if (a.rank() >= 0 && !normalize_axis((*axes)[0], static_cast<size_t>(a.rank()))) {
    c.error_at("axis", "axis " + std::to_string((*axes)[0]) + " is out of range for rank " + std::to_string(a.rank()));
  }
  return like(a, dtype);
}

struct Scan {
  std::string out, identity, combine;
  bool exclusive;
  DataType from, to;
};

// One step of the running value `acc[0]` over element `x`, storing the result at `at`: the
// value before the element (exclusive) or after it.
void scan_step(KernelText& k, const Scan& s, const std::string& x, const std::string& at) {
  std::string value = s.from == s.to ? x : "T.Cast(\"" + std::string(dtype_name(s.to)) + "\", " + x + ")";
  if (s.exclusive) k.line(at + " = acc[0]");
  k.line("acc[0] = " + combine_text(s.combine, "acc[0]", value));
  if (!s.exclusive) k.line(at + " = acc[0]");
}

// A serial scan in one block per line along the axis (or one block over the flattened tensor):
// the running value lives in a one-element buffer of the block.
std::string scan_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  DataType dtype = request.result->dtype;
  bool sum = request.call.op == "cumsum";
  Scan s{"T_" + request.call.op, dtype_literal(dtype, sum ? 0 : 1), sum ? "{acc} + {x}" : "{acc} * {x}", request.attrs.get_bool("exclusive"),
         a.dtype, dtype};
  std::optional<std::vector<int64_t>> axes = request.attrs.get_axes("axis");
  KernelText k(name);
  k.param("A", shape, a.dtype);
  k.param(s.out, shape_of(*request.result), dtype);
  std::vector<std::string> loops, extents, index;
  size_t axis = axes ? *normalize_axis((*axes)[0], shape.size()) : 0;
  for (size_t i = 0; axes && i < shape.size(); ++i) {
    if (i == axis) continue;
    loops.push_back("ax" + std::to_string(i));
    extents.push_back(dim_text(shape[i]));
  }
  k.open_block(s.out, loops, extents, std::string(loops.size(), 'S'));
  k.line("acc = T.alloc_buffer((1,), \"" + std::string(dtype_name(dtype)) + "\")");
  k.line("acc[0] = " + s.identity);
  std::vector<std::string> scan_loops, scan_extents;
  std::string flat;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (axes && i != axis) {
      index.push_back("v_ax" + std::to_string(i));
      continue;
    }
    std::string loop = "k" + std::to_string(i);
    scan_loops.push_back(loop);
    scan_extents.push_back(dim_text(shape[i]));
    index.push_back(loop);
    flat = flat.empty() ? loop : "(" + flat + ") * " + dim_text(shape[i]) + " + " + loop;
  }
  std::string at = axes ? indexed(s.out, index) : s.out + "[" + (flat.empty() ? "T.int64(0)" : flat) + "]";
  if (!scan_loops.empty()) {
    k.line("for " + join_text(scan_loops) + " in T.grid(" + join_text(scan_extents) + "):");
    k.indent();
  }
  scan_step(k, s, indexed("A", index), at);
  if (!scan_loops.empty()) k.dedent();
  k.close_block();
  return k.str();
}

}  // namespace

void register_statistics(std::vector<OpDef>& ops) {
  for (const char* name : {"argmax", "argmin"}) {
    ops.push_back(define_op(name, name, {{"x"}}, {axes_attr("axis"), bool_attr("keepdims", false)}, infer_arg_extreme, arg_extreme_kernel));
  }
  for (const char* name : {"cumsum", "cumprod"}) {
    ops.push_back(
        define_op(name, name, {{"data"}}, {axes_attr("axis"), dtype_attr("dtype"), bool_attr("exclusive", false)}, infer_scan, scan_kernel));
  }
}

}  // namespace relaxc::ops

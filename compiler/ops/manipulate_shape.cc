// Operators that rearrange or repeat a tensor's elements under a new shape: expand_dims and
// squeeze (row-major views, as reshape: from -O1 LegalizeOps keeps them as R.reshape),
// broadcast_to, tile, repeat, flip, and one_hot (which builds a tensor from indices and two
// scalars). Each kernel is one block computing an output element from the input index that
// holds it.
#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// One block over the output: T_out[v...] = value(v...).
std::string one_block(const std::string& name, const KernelRequest& r, const std::string& out, const std::string& value) {
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  KernelText k(name);
  k.param("A", shape_of(*r.operands[0].sinfo), r.operands[0].sinfo->dtype);
  k.param(out, out_shape, r.result->dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size());
  k.open_block(out, loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line(indexed(out, iter_names(loops)) + " = " + value);
  k.close_block();
  return k.str();
}

std::vector<std::string> out_iters(const KernelRequest& r) { return iter_names(loop_names("ax", shape_of(*r.result).size())); }

// ---- expand_dims, squeeze ----

// The axes expand_dims inserts, normalized for the output's rank, or an error and nullopt.
std::optional<std::vector<bool>> inserted_axes(const InferCall& c, size_t in_rank) {
  const std::vector<int64_t>& axes = c.attrs.get_ints("axis");
  size_t rank = in_rank + axes.size();
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes) {
    std::optional<size_t> k = checked_axis(c, "axis", axis, rank);
    if (!k) return std::nullopt;
    if (inserted[*k]) {
      c.error_at("axis", "axis " + std::to_string(*k) + " is given twice");
      return std::nullopt;
    }
    inserted[*k] = true;
  }
  return inserted;
}

StructInfoPtr infer_expand_dims(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (!c.attrs.given("axis")) {
    c.error("axis is required: the position of each new axis of extent 1");
    return make_tensor_sinfo(std::nullopt, x.dtype);
  }
  if (x.rank() < 0) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::optional<std::vector<bool>> inserted = inserted_axes(c, static_cast<size_t>(x.rank()));
  int rank = x.rank() + static_cast<int>(c.attrs.get_ints("axis").size());
  if (!inserted || !x.shape) return make_tensor_sinfo(std::nullopt, x.dtype, rank);
  std::vector<tir::Expr> out;
  size_t next = 0;
  for (bool is_new : *inserted) out.push_back(is_new ? dim_const(1) : (*x.shape)[next++]);
  return make_tensor_sinfo(out, x.dtype);
}

// The axes squeeze removes: the given ones (normalized) whose extent is 1 or symbolic (TVM
// keeps a given axis of another constant extent, as PyTorch does), or for axis=None every axis
// of extent 1. Nullopt when the result's rank is unknown (axis=None and a symbolic extent).
std::optional<std::vector<bool>> squeeze_mask(const std::vector<tir::Expr>& shape, const std::optional<std::vector<size_t>>& axes) {
  std::vector<bool> removed(shape.size(), false);
  for (size_t d = 0; d < shape.size() && !axes; ++d) {
    if (!const_dim(shape[d])) return std::nullopt;
    removed[d] = const_dim(shape[d]) == 1;
  }
  for (size_t k : axes.value_or(std::vector<size_t>{})) removed[k] = const_dim(shape[k]).value_or(1) == 1;
  return removed;
}

std::optional<std::vector<size_t>> squeeze_axes(const std::optional<std::vector<int64_t>>& axes, size_t rank) {
  if (!axes) return std::nullopt;
  std::vector<size_t> out;
  for (int64_t axis : *axes) out.push_back(*normalize_axis(axis, rank));
  return out;
}

StructInfoPtr infer_squeeze(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (!x.shape) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  for (int64_t axis : axes.value_or(std::vector<int64_t>{})) {
    if (!checked_axis(c, "axis", axis, x.shape->size())) return make_tensor_sinfo(std::nullopt, x.dtype);
  }
  std::optional<std::vector<bool>> removed = squeeze_mask(*x.shape, squeeze_axes(axes, x.shape->size()));
  if (!removed) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::vector<tir::Expr> out;
  for (size_t d = 0; d < removed->size(); ++d) {
    if (!(*removed)[d]) out.push_back((*x.shape)[d]);
  }
  return make_tensor_sinfo(out, x.dtype);
}

// expand_dims and squeeze as copies (at -O0): the output index without the axes of extent 1
// that only one side has. A squeezed axis of symbolic extent is 1 only by assumption, which
// the view form checks at run time and a copy cannot.
std::string unit_axes_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& in = shape_of(*r.operands[0].sinfo);
  const std::vector<tir::Expr>& out = shape_of(*r.result);
  bool expand = r.call.op == "expand_dims";
  if (!same_element_count(in, out)) {
    throw CompileError(r.call.loc,
                       "R.squeeze of an axis of symbolic extent needs the run-time check of the view form, which -O0 does not use; "
                       "compile with -O1 or R.match_cast the extent to 1");
  }
  std::vector<std::string> iters = out_iters(r), read;
  if (expand) {
    std::vector<int64_t> axes = r.attrs.get_ints("axis");
    std::vector<bool> inserted(out.size(), false);
    for (int64_t axis : axes) inserted[*normalize_axis(axis, out.size())] = true;
    for (size_t d = 0; d < out.size(); ++d) {
      if (!inserted[d]) read.push_back(iters[d]);
    }
  } else {
    std::optional<std::vector<bool>> removed = squeeze_mask(in, squeeze_axes(r.attrs.get_axes("axis"), in.size()));
    size_t j = 0;
    for (size_t d = 0; d < in.size(); ++d) read.push_back((*removed)[d] ? int64_text(0) : iters[j++]);
  }
  return one_block(name, r, expand ? "expand_dims" : "T_squeeze", indexed("A", read));
}

// ---- broadcast_to ----

StructInfoPtr infer_broadcast_to(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  const std::vector<tir::Expr>& target = *c.shapes[1];
  if (x.rank() > static_cast<int>(target.size())) {
    c.error("cannot broadcast a tensor of rank " + std::to_string(x.rank()) + " to the shape " + shape_text(target) + " of lower rank");
    return make_tensor_sinfo(std::nullopt, x.dtype, static_cast<int>(target.size()));
  }
  for (size_t i = 0; x.shape && i < x.shape->size(); ++i) {
    const tir::Expr& have = (*x.shape)[x.shape->size() - 1 - i];
    const tir::Expr& want = target[target.size() - 1 - i];
    if (const_dim(have) != 1 && const_dim(have) && const_dim(want) && *const_dim(have) != *const_dim(want)) {
      c.error("cannot broadcast " + shape_text(*x.shape) + " to " + shape_text(target));
      break;
    }
  }
  return make_tensor_sinfo(target, x.dtype);
}

std::string broadcast_to_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& in = shape_of(*r.operands[0].sinfo);
  const std::vector<tir::Expr>& out = shape_of(*r.result);
  if (out.empty()) throw CompileError(r.call.loc, "R.broadcast_to a 0-d shape is not supported");
  std::vector<std::string> iters = out_iters(r), read;
  for (size_t d = 0; d < in.size(); ++d) {
    const tir::Expr& want = out[out.size() - in.size() + d];
    // A symbolic extent may be 1 (repeated) or equal the target's: a copy cannot tell which.
    if (const_dim(in[d]) != 1 && !same_dim(in[d], want)) {
      throw CompileError(r.call.loc, "R.broadcast_to: the extent " + dim_text(in[d]) + " of " + shape_text(in) +
                                         " may or may not be 1 for the target " + shape_text(out) + "; R.match_cast it to 1 or to " + dim_text(want));
    }
    read.push_back(broadcast_index(in[d], want, iters[out.size() - in.size() + d]));
  }
  return one_block(name, r, "T_broadcast_to", indexed("A", read));
}

// ---- tile, repeat, flip ----

StructInfoPtr infer_tile(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  const std::vector<int64_t>& reps = c.attrs.get_ints("repeats");
  for (int64_t rep : reps) {
    if (rep < 0) {
      c.error_at("repeats", "repeats must not be negative (" + std::to_string(rep) + ")");
      return make_tensor_sinfo(std::nullopt, x.dtype);
    }
  }
  if (!x.shape) return make_tensor_sinfo(std::nullopt, x.dtype);
  size_t rank = std::max(reps.size(), x.shape->size());
  std::vector<tir::Expr> out;
  for (size_t i = 0; i < rank; ++i) {
    // Both aligned at the last axis; a missing extent or repetition is 1.
    tir::Expr dim = i + x.shape->size() >= rank ? (*x.shape)[i + x.shape->size() - rank] : dim_const(1);
    int64_t rep = i + reps.size() >= rank ? reps[i + reps.size() - rank] : 1;
    out.push_back(dim_mul(dim, dim_const(rep)));
  }
  return make_tensor_sinfo(out, x.dtype);
}

std::string tile_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& in = shape_of(*r.operands[0].sinfo);
  const std::vector<tir::Expr>& out = shape_of(*r.result);
  if (out.empty()) throw CompileError(r.call.loc, "R.tile of a 0-d tensor with no repeats is not supported");
  std::vector<std::string> iters = out_iters(r), read;
  for (size_t d = 0; d < in.size(); ++d) {
    const std::string& v = iters[out.size() - in.size() + d];
    read.push_back(const_dim(in[d]) == 1                              ? int64_text(0)
                   : same_dim(in[d], out[out.size() - in.size() + d]) ? v
                                                                      : "T.floormod(" + v + ", " + dim_text(in[d]) + ")");
  }
  return one_block(name, r, "T_tile", indexed("A", read));
}

StructInfoPtr infer_repeat(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  int64_t reps = c.attrs.get_int("repeats");
  if (!c.attrs.given("repeats") || reps < 0) {
    c.error_at("repeats", c.attrs.given("repeats") ? "repeats must not be negative (" + std::to_string(reps) + ")" : "repeats is required");
    return make_tensor_sinfo(std::nullopt, x.dtype);
  }
  std::optional<std::vector<int64_t>> axis = c.attrs.get_axes("axis");
  if (axis && written_as_list(c.call, "axis")) {
    c.error_at("axis", "axis must be an integer or None, not a list");
    return make_tensor_sinfo(std::nullopt, x.dtype);
  }
  if (!axis) {  // numpy's axis=None: the flattened tensor's elements, each repeated
    if (!x.shape) return make_tensor_sinfo(std::nullopt, x.dtype, 1);
    return make_tensor_sinfo(std::vector<tir::Expr>{dim_mul(element_count(*x.shape), dim_const(reps))}, x.dtype);
  }
  if (x.rank() < 0) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::optional<size_t> k = checked_axis(c, "axis", (*axis)[0], static_cast<size_t>(x.rank()));
  if (!k || !x.shape) return make_tensor_sinfo(std::nullopt, x.dtype, x.rank());
  std::vector<tir::Expr> out = *x.shape;
  out[*k] = dim_mul(out[*k], dim_const(reps));
  return make_tensor_sinfo(out, x.dtype);
}

std::string repeat_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& in = shape_of(*r.operands[0].sinfo);
  int64_t reps = r.attrs.get_int("repeats");
  std::optional<std::vector<int64_t>> axis = r.attrs.get_axes("axis");
  std::vector<std::string> iters = out_iters(r), read = iters;
  auto source = [&](const std::string& v) { return reps == 1 ? v : "T.floordiv(" + v + ", " + int64_text(reps) + ")"; };
  if (!axis) {
    // The flattened position, then the input index holding it, as reshape reads it.
    std::string flat = source(iters[0]);
    read.clear();
    for (size_t i = 0; i < in.size(); ++i) {
      std::vector<tir::Expr> inner(in.begin() + static_cast<std::ptrdiff_t>(i) + 1, in.end());
      std::string index = inner.empty() ? flat : "T.floordiv(" + flat + ", " + dim_text(element_count(inner)) + ")";
      read.push_back(i == 0 ? index : "T.floormod(" + index + ", " + dim_text(in[i]) + ")");
    }
  } else {
    size_t k = *normalize_axis((*axis)[0], in.size());
    read[k] = source(iters[k]);
  }
  return one_block(name, r, "T_repeat", indexed("A", read));
}

StructInfoPtr infer_flip(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (!c.attrs.given("axis"))
    c.error("axis is required");
  else if (x.rank() >= 0)
    checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(x.rank()));
  return like(x, x.dtype);
}

std::string flip_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& in = shape_of(*r.operands[0].sinfo);
  if (in.empty()) throw CompileError(r.call.loc, "R.flip of a 0-d tensor is not supported");
  size_t k = *normalize_axis(r.attrs.get_int("axis"), in.size());
  std::vector<std::string> iters = out_iters(r), read = iters;
  read[k] = "(" + dim_text(in[k]) + ") - T.int64(1) - " + iters[k];
  return one_block(name, r, "T_reverse_sequence", indexed("A", read));
}

// ---- one_hot ----

StructInfoPtr infer_one_hot(const InferCall& c) {
  const StructInfo& indices = *c.operands[0];
  DataType on = c.operands[1]->dtype, off = c.operands[2]->dtype;
  if (on != off) c.error(std::string("on_value (") + dtype_name(on) + ") and off_value (" + dtype_name(off) + ") must have the same dtype");
  if (indices.dtype != DataType::Void && !is_int(indices.dtype))
    c.error(std::string("the indices must have an integer dtype, not ") + dtype_name(indices.dtype));
  int64_t depth = c.attrs.get_int("depth");
  if (!c.attrs.given("depth") || depth <= 0) {
    c.error_at("depth", c.attrs.given("depth") ? "depth must be positive, not " + std::to_string(depth) : "depth is required");
    return make_tensor_sinfo(std::nullopt, on);
  }
  if (indices.rank() < 0) return make_tensor_sinfo(std::nullopt, on);
  std::optional<size_t> axis = checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(indices.rank()) + 1);
  if (!axis || !indices.shape) return make_tensor_sinfo(std::nullopt, on, indices.rank() + 1);
  std::vector<tir::Expr> out = *indices.shape;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(*axis), dim_const(depth));
  return make_tensor_sinfo(out, on);
}

std::string one_hot_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& out = shape_of(*r.result);
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), out.size());
  DataType dtype = r.result->dtype;
  std::vector<std::string> iters = out_iters(r), at = iters;
  at.erase(at.begin() + static_cast<std::ptrdiff_t>(axis));
  // An index equal to the position along the new axis is on; any other (negative or too
  // large) leaves the whole row off, as in TVM.
  std::string value = "T.if_then_else(" + as_int64(indexed("A", at)) + " == " + iters[axis] + ", " + dtype_literal(dtype, *r.operands[1].scalar) +
                      ", " + dtype_literal(dtype, *r.operands[2].scalar) + ")";
  return one_block(name, r, "T_one_hot", value);
}

}  // namespace

void register_manipulate_shape(std::vector<OpDef>& ops) {
  // expand_dims and squeeze are row-major views: from -O1 LegalizeOps keeps them as R.reshape.
  OpDef expand_dims = define_op("expand_dims", "expand_dims", {{"x"}}, {ints_attr("axis", {})}, infer_expand_dims, unit_axes_kernel);
  expand_dims.row_major_view = true;
  ops.push_back(expand_dims);
  OpDef squeeze = define_op("squeeze", "squeeze", {{"x"}}, {axes_attr("axis")}, infer_squeeze, unit_axes_kernel);
  squeeze.row_major_view = true;
  ops.push_back(squeeze);
  ops.push_back(define_op("broadcast_to", "broadcast_to", {{"x"}, {"shape", OperandKind::Shape}}, {}, infer_broadcast_to, broadcast_to_kernel));
  ops.push_back(define_op("tile", "tile", {{"data"}}, {ints_attr("repeats", {})}, infer_tile, tile_kernel));
  ops.push_back(define_op("repeat", "repeat", {{"data"}}, {int_attr("repeats", 1), axes_attr("axis")}, infer_repeat, repeat_kernel));
  ops.push_back(define_op("flip", "flip", {{"data"}}, {int_attr("axis", 0)}, infer_flip, flip_kernel));
  ops.push_back(define_op("one_hot", "one_hot", {{"indices"}, {"on_value", OperandKind::PrimValue}, {"off_value", OperandKind::PrimValue}},
                          {int_attr("depth", 0), int_attr("axis", -1)}, infer_one_hot, one_hot_kernel));
}

}  // namespace relaxc::ops

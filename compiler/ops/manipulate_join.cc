// Joining and splitting tensors: concat (along an axis, or flattened with axis=None), stack
// (along a new axis) and split (into equal sections or at indices; a tuple result). Each
// kernel copies one input (or into one output) per block, so no element is read through a
// branch and no block reads outside its buffer.
#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// The dtype the tensors of a tuple share (an error at the call when two known dtypes differ).
DataType tuple_dtype(const InferCall& c, const std::vector<StructInfoPtr>& fields) {
  DataType dtype = DataType::Void;
  bool unknown = false;
  for (const StructInfoPtr& f : fields) {
    if (f->dtype == DataType::Void)
      unknown = true;
    else if (dtype == DataType::Void)
      dtype = f->dtype;
    else if (f->dtype != dtype)
      c.error(std::string("the tensors have different dtypes, ") + dtype_name(dtype) + " and " + dtype_name(f->dtype));
  }
  return unknown ? DataType::Void : dtype;
}

// The known rank all fields share, or -1 (an error at the call when two known ranks differ).
int tuple_rank(const InferCall& c, const std::vector<StructInfoPtr>& fields) {
  int rank = -1;
  for (const StructInfoPtr& f : fields) {
    if (f->rank() < 0) continue;
    if (rank >= 0 && f->rank() != rank) {
      c.error("the tensors have different ranks, " + std::to_string(rank) + " and " + std::to_string(f->rank()));
      return -1;
    }
    rank = f->rank();
  }
  return rank;
}

bool all_shapes_known(const std::vector<StructInfoPtr>& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const StructInfoPtr& f) { return f->shape.has_value(); });
}

// Whether every field has the first field's extent on each axis except `skip`: false when
// that cannot be proven (symbolic extents), an error when two constant extents differ.
bool same_extents(const InferCall& c, const std::vector<StructInfoPtr>& fields, std::optional<size_t> skip) {
  const std::vector<tir::Expr>& first = *fields[0]->shape;
  bool proven = true;
  for (const StructInfoPtr& f : fields) {
    for (size_t d = 0; d < first.size(); ++d) {
      const tir::Expr& x = first[d];
      const tir::Expr& y = (*f->shape)[d];
      if (skip == d || same_dim(x, y)) continue;
      if (const_dim(x) && const_dim(y)) {
        c.error("the tensors' extents differ on axis " + std::to_string(d) + ": " + shape_text(first) + " and " + shape_text(*f->shape));
        return false;
      }
      proven = false;
    }
  }
  return proven;
}

StructInfoPtr infer_concat(const InferCall& c) {
  const std::vector<StructInfoPtr>& fields = c.operands[0]->fields;
  if (fields.empty()) {
    c.error("needs at least one tensor");
    return make_tensor_sinfo(std::nullopt, DataType::Void);
  }
  DataType dtype = tuple_dtype(c, fields);
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  if (written_as_none(c.call, "axis")) axes.reset();
  if (axes && written_as_list(c.call, "axis")) {
    c.error_at("axis", "axis must be an integer or None, not a list");
    return make_tensor_sinfo(std::nullopt, dtype);
  }
  if (!axes) {  // numpy's axis=None: the tensors flattened, then joined
    if (!all_shapes_known(fields)) return make_tensor_sinfo(std::nullopt, dtype, 1);
    tir::Expr total = dim_const(0);
    for (const StructInfoPtr& f : fields) total = dim_add(total, element_count(*f->shape));
    return make_tensor_sinfo(std::vector<tir::Expr>{total}, dtype);
  }
  int rank = tuple_rank(c, fields);
  if (rank < 0) return make_tensor_sinfo(std::nullopt, dtype);
  std::optional<size_t> axis = checked_axis(c, "axis", (*axes)[0], static_cast<size_t>(rank));
  if (!axis || !all_shapes_known(fields) || !same_extents(c, fields, axis)) return make_tensor_sinfo(std::nullopt, dtype, rank);
  std::vector<tir::Expr> out = *fields[0]->shape;
  const tir::Expr first = out[*axis];
  bool all_same = std::all_of(fields.begin(), fields.end(), [&](const StructInfoPtr& f) { return same_dim((*f->shape)[*axis], first); });
  if (all_same) {  // n * 3 rather than n + n + n, as TVM writes it
    out[*axis] = dim_mul(first, dim_const(static_cast<int64_t>(fields.size())));
    if (const_dim(first)) out[*axis] = dim_const(*const_dim(first) * static_cast<int64_t>(fields.size()));
    return make_tensor_sinfo(out, dtype);
  }
  for (size_t i = 1; i < fields.size(); ++i) out[*axis] = dim_add(out[*axis], (*fields[i]->shape)[*axis]);
  return make_tensor_sinfo(out, dtype);
}

StructInfoPtr infer_stack(const InferCall& c) {
  const std::vector<StructInfoPtr>& fields = c.operands[0]->fields;
  if (fields.empty()) {
    c.error("needs at least one tensor");
    return make_tensor_sinfo(std::nullopt, DataType::Void);
  }
  DataType dtype = tuple_dtype(c, fields);
  int rank = tuple_rank(c, fields);
  if (rank < 0) return make_tensor_sinfo(std::nullopt, dtype);
  std::optional<size_t> axis = checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(rank) + 1);
  if (!axis || !all_shapes_known(fields) || !same_extents(c, fields, std::nullopt)) return make_tensor_sinfo(std::nullopt, dtype, rank + 1);
  std::vector<tir::Expr> out = *fields[0]->shape;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(*axis), dim_const(static_cast<int64_t>(fields.size())));
  return make_tensor_sinfo(out, dtype);
}

// The input buffers of a kernel over a tuple: A, B, ..., Z, then A26, A27, ...
std::string input_name(size_t i) { return i < 26 ? std::string(1, static_cast<char>('A' + i)) : "A" + std::to_string(i); }
std::string numbered(const std::string& base, size_t i) { return i == 0 ? base : base + "_" + std::to_string(i); }

// The row-major position of an element of `shape` at `iters`.
std::string flat_index(const std::vector<std::string>& iters, const std::vector<tir::Expr>& shape) {
  if (iters.empty()) return int64_text(0);
  std::string flat = iters[0];
  for (size_t j = 1; j < iters.size(); ++j) flat = "(" + flat + ") * (" + dim_text(shape[j]) + ") + " + iters[j];
  return flat;
}

// One block per input: out[..., offset + v, ...] = input[..., v, ...] (or, for axis=None, the
// input's row-major position after the offset).
std::string concat_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  std::optional<std::vector<int64_t>> axes = r.attrs.get_axes("axis");
  if (written_as_none(r.call, "axis")) axes.reset();
  KernelText k(name);
  for (size_t i = 0; i < r.operands.size(); ++i) k.param(input_name(i), shape_of(*r.operands[i].sinfo), r.operands[i].sinfo->dtype);
  k.param("T_concat", out_shape, r.result->dtype);
  tir::Expr offset = dim_const(0);
  for (size_t i = 0; i < r.operands.size(); ++i) {
    const std::vector<tir::Expr>& shape = shape_of(*r.operands[i].sinfo);
    std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops), out_index = iters;
    if (!axes) {
      out_index = {const_dim(offset) == 0 ? flat_index(iters, shape) : dim_text(offset) + " + " + flat_index(iters, shape)};
      offset = dim_add(offset, element_count(shape));
    } else {
      size_t axis = *normalize_axis((*axes)[0], shape.size());
      if (const_dim(offset) != 0) out_index[axis] = iters[axis] + " + " + dim_text(offset);
      offset = dim_add(offset, shape[axis]);
    }
    k.open_block(numbered("T_concat", i), loops, dim_texts(shape), std::string(shape.size(), 'S'));
    k.line(indexed("T_concat", out_index) + " = " + indexed(input_name(i), iters));
    k.close_block();
  }
  return k.str();
}

std::string stack_kernel(const std::string& name, const KernelRequest& r) {
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), out_shape.size());
  KernelText k(name);
  for (size_t i = 0; i < r.operands.size(); ++i) k.param(input_name(i), shape_of(*r.operands[i].sinfo), r.operands[i].sinfo->dtype);
  k.param("T_stack", out_shape, r.result->dtype);
  for (size_t i = 0; i < r.operands.size(); ++i) {
    const std::vector<tir::Expr>& shape = shape_of(*r.operands[i].sinfo);
    std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops), out_index = iters;
    out_index.insert(out_index.begin() + static_cast<std::ptrdiff_t>(axis), int64_text(static_cast<int64_t>(i)));
    k.open_block(numbered("T_stack", i), loops, dim_texts(shape), std::string(shape.size(), 'S'));
    k.line(indexed("T_stack", out_index) + " = " + indexed(input_name(i), iters));
    k.close_block();
  }
  return k.str();
}

// ---- split ----

// Where each piece of R.split starts along the axis of extent `dim`, and its extent: TVM's
// sections (ceil(dim / n) each, the last what remains) or the ranges between its indices,
// each bound clamped into [0, dim] and an extent never below 0.
struct Piece {
  tir::Expr start, extent;
};

std::vector<Piece> split_pieces(const std::vector<int64_t>& values, bool sections, const tir::Expr& dim) {
  using tir::BinaryOp;
  std::vector<tir::Expr> bounds = {dim_const(0)};
  std::optional<tir::Expr> exact;  // each section's extent when dim divides exactly
  if (sections) {
    // n * 3 in 3 sections: n each, exactly; otherwise ceil(dim / sections), clamped.
    Factors one_section;
    one_section.constant = values[0];
    exact = exact_quotient(factors_of({dim}), one_section);
    tir::Expr piece = exact ? *exact : dim_binary(BinaryOp::FloorDiv, dim_add(dim, dim_const(values[0] - 1)), dim_const(values[0]));
    for (int64_t i = 1; i < values[0]; ++i) {
      tir::Expr bound = dim_mul(piece, dim_const(i));
      bounds.push_back(i == 1 ? piece : exact ? bound : dim_binary(BinaryOp::Min, bound, dim));
    }
  } else {
    for (int64_t v : values) bounds.push_back(dim_binary(BinaryOp::Min, dim_const(v), dim));
  }
  bounds.push_back(dim);
  std::vector<Piece> pieces;
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    tir::Expr extent = exact ? *exact : dim_sub(bounds[i + 1], bounds[i]);
    // Sections never decrease; indices may ([3, 1] gives x[3:1], empty, as numpy).
    if (!sections) extent = dim_binary(BinaryOp::Max, extent, dim_const(0));
    pieces.push_back({bounds[i], extent});
  }
  return pieces;
}

StructInfoPtr infer_split(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  const std::vector<int64_t>& values = c.attrs.get_ints("indices_or_sections");
  bool sections = !written_as_list(c.call, "indices_or_sections");
  if (!c.attrs.given("indices_or_sections")) {
    c.error("indices_or_sections is required: a number of sections or a list of indices");
    return object_sinfo();
  }
  if (sections && values[0] <= 0) {
    c.error_at("indices_or_sections", "the number of sections must be positive, not " + std::to_string(values[0]));
    return object_sinfo();
  }
  for (int64_t v : sections ? std::vector<int64_t>{} : values) {
    if (v < 0) {
      c.error_at("indices_or_sections", "negative split indices are not supported (" + std::to_string(v) + ")");
      return object_sinfo();
    }
  }
  size_t pieces = sections ? static_cast<size_t>(values[0]) : values.size() + 1;
  if (pieces == 1) return like(a, a.dtype);  // as TVM: one piece is the tensor itself, not a tuple
  std::optional<size_t> axis = a.rank() >= 0 ? checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(a.rank())) : std::nullopt;
  if (!axis || !a.shape) return make_tuple_sinfo(std::vector<StructInfoPtr>(pieces, make_tensor_sinfo(std::nullopt, a.dtype, a.rank())));
  std::vector<StructInfoPtr> out;
  for (const Piece& piece : split_pieces(values, sections, (*a.shape)[*axis])) {
    std::vector<tir::Expr> shape = *a.shape;
    shape[*axis] = piece.extent;
    out.push_back(make_tensor_sinfo(shape, a.dtype));
  }
  return make_tuple_sinfo(out);
}

std::string split_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& a = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), in_shape.size());
  bool sections = !written_as_list(r.call, "indices_or_sections");
  std::vector<Piece> pieces = split_pieces(r.attrs.get_ints("indices_or_sections"), sections, in_shape[axis]);
  std::vector<StructInfoPtr> outs = r.result->kind == relax::StructInfoKind::Tuple ? r.result->fields : std::vector<StructInfoPtr>{r.result};
  std::string base = sections ? "T_split_sections" : "T_split";
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  for (size_t i = 0; i < outs.size(); ++i) k.param(numbered(base, i), shape_of(*outs[i]), a.dtype);
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::vector<tir::Expr>& shape = shape_of(*outs[i]);
    std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops), in_index = iters;
    if (const_dim(pieces[i].start) != 0) in_index[axis] = iters[axis] + " + " + dim_text(pieces[i].start);
    k.open_block(numbered(base, i), loops, dim_texts(shape), std::string(shape.size(), 'S'));
    k.line(indexed(numbered(base, i), iters) + " = " + indexed("A", in_index));
    k.close_block();
  }
  return k.str();
}

}  // namespace

void register_manipulate_join(std::vector<OpDef>& ops) {
  ops.push_back(define_op("concat", "concatenate", {{"tensors", OperandKind::TensorTuple}}, {axes_attr("axis", 0)}, infer_concat, concat_kernel));
  ops.push_back(define_op("stack", "stack", {{"tensors", OperandKind::TensorTuple}}, {int_attr("axis", 0)}, infer_stack, stack_kernel));
  ops.push_back(define_op("split", "split", {{"x"}}, {ints_attr("indices_or_sections", {}), int_attr("axis", 0)}, infer_split, split_kernel));
}

}  // namespace relaxc::ops

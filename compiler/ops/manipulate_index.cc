// Reading elements at indices: take (along an axis, with TVM's modes fast / wrap / clip / nan),
// strided_slice (Python slicing per axis, negative indices and strides), gather_elements
// (numpy's take_along_axis) and gather_nd (ONNX GatherND with batch_dims).
//
// An index tensor's elements are converted to int64 before any arithmetic. Where TVM leaves an
// out-of-range index undefined (take's "fast" mode, the gathers), a negative index counts from
// the end as in numpy and the result is clamped into the axis, so no kernel reads outside its
// buffer whatever the indices hold.
#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

bool integer_indices(const InferCall& c, const StructInfo& indices, const std::string& what) {
  if (indices.dtype == DataType::Void || is_int(indices.dtype)) return true;
  c.error(what + " must have an integer dtype, not " + dtype_name(indices.dtype));
  return false;
}

// ---- take ----

// TVM's take: axis None needs a 1-d tensor (and means axis 0).
std::optional<size_t> take_axis(const InferCall& c, const StructInfo& x) {
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  if (axes && written_as_list(c.call, "axis")) {
    c.error_at("axis", "axis must be an integer or None, not a list");
    return std::nullopt;
  }
  if (!axes && x.rank() != 1) {
    c.error("with axis=None the tensor must be 1-d, and it has rank " + std::to_string(x.rank()));
    return std::nullopt;
  }
  return checked_axis(c, "axis", axes ? (*axes)[0] : 0, static_cast<size_t>(x.rank()));
}

StructInfoPtr infer_take(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  // A scalar index (R.prim_value) is a 0-d tensor of indices, as in TVM.
  StructInfoPtr scalar = make_tensor_sinfo(std::vector<tir::Expr>{}, c.operands[1]->dtype);
  const StructInfo& indices = c.operands[1]->kind == relax::StructInfoKind::Prim ? *scalar : *c.operands[1];
  integer_indices(c, indices, "the indices");
  if (c.attrs.get_string("mode") == "nan" && x.dtype != DataType::Void && !is_float(x.dtype)) {
    c.error_at("mode", "mode=\"nan\" needs a float tensor, and this one is " + std::string(dtype_name(x.dtype)));
  }
  if (x.rank() < 0 || indices.rank() < 0) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::optional<size_t> axis = take_axis(c, x);
  int rank = x.rank() + indices.rank() - 1;
  if (!axis || !x.shape || !indices.shape) return make_tensor_sinfo(std::nullopt, x.dtype, rank);
  std::vector<tir::Expr> out(x.shape->begin(), x.shape->begin() + static_cast<std::ptrdiff_t>(*axis));
  out.insert(out.end(), indices.shape->begin(), indices.shape->end());
  out.insert(out.end(), x.shape->begin() + static_cast<std::ptrdiff_t>(*axis) + 1, x.shape->end());
  return make_tensor_sinfo(out, x.dtype);
}

// The element of `x` that take reads for index `index` (int64 text) along an axis of `extent`.
std::string take_index(const std::string& mode, const std::string& index, const std::string& extent) {
  if (mode == "wrap") return "T.floormod(" + index + ", " + extent + ")";
  if (mode == "clip") return "T.min(T.max(" + index + ", T.int64(0)), (" + extent + ") - T.int64(1))";
  if (mode == "nan") return "T.min(T.max(" + index + ", T.int64(0)), (" + extent + ") - T.int64(1))";
  return wrapped_index(index, extent);
}

std::string take_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& x = *r.operands[0].sinfo;
  const Operand& indices = r.operands[1];
  const std::vector<tir::Expr>& x_shape = shape_of(x);
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  std::optional<std::vector<int64_t>> axes = r.attrs.get_axes("axis");
  size_t axis = *normalize_axis(axes ? (*axes)[0] : 0, x_shape.size());
  size_t k = indices.sinfo ? shape_of(*indices.sinfo).size() : 0;
  const std::string& mode = r.attrs.get_string("mode");
  KernelText kt(name);
  kt.param("A", x_shape, x.dtype);
  if (indices.sinfo) kt.param("B", shape_of(*indices.sinfo), indices.sinfo->dtype);
  kt.param("T_take", out_shape, x.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size()), iters = iter_names(loops);
  std::vector<std::string> at(iters.begin() + static_cast<std::ptrdiff_t>(axis), iters.begin() + static_cast<std::ptrdiff_t>(axis + k));
  if (!indices.sinfo) require_sizes_of(r, indices.value);
  std::string index = as_int64(indices.sinfo ? indexed("B", at) : dim_text(indices.value)), extent = dim_text(x_shape[axis]);
  std::vector<std::string> read(iters.begin(), iters.begin() + static_cast<std::ptrdiff_t>(axis));
  read.push_back(take_index(mode, index, extent));
  read.insert(read.end(), iters.begin() + static_cast<std::ptrdiff_t>(axis + k), iters.end());
  std::string value = indexed("A", read);
  if (mode == "nan") {
    std::string nan = std::string("T.") + dtype_name(x.dtype) + "(\"nan\")";
    value = "T.if_then_else(T.int64(0) <= " + index + " and " + index + " < " + extent + ", " + value + ", " + nan + ")";
  }
  kt.open_block("T_take", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  kt.line(indexed("T_take", iters) + " = " + guard_empty_axes(value, {x_shape[axis]}, x.dtype));
  kt.close_block();
  return kt.str();
}

// ---- strided_slice ----

struct SliceAxis {
  tir::Expr start, extent;
};

// Python's slice(begin, end, stride) of an axis of extent n: a negative bound counts from the
// end, then bounds are clamped into [0, n] (into [-1, n - 1] for a negative stride). Bounds far
// beyond any extent (TVM's INT64_MAX for "to the end") are first brought to +-2^62, which
// clamps to the same place and keeps n + begin from overflowing.
SliceAxis slice_axis(const tir::Expr& n, int64_t begin, int64_t end, int64_t stride) {
  using tir::BinaryOp;
  constexpr int64_t kFar = int64_t{1} << 62;
  tir::Expr low = dim_const(stride < 0 ? -1 : 0), high = stride < 0 ? dim_sub(n, dim_const(1)) : n;
  auto canonical = [&](int64_t i) {
    if (i >= kFar) return high;
    if (i <= -kFar) return low;
    if (i >= 0) return i == 0 && stride > 0 ? low : dim_binary(BinaryOp::Min, dim_const(i), high);
    if (i == -1 && stride < 0) return high;  // n - 1 is at least -1
    return dim_binary(BinaryOp::Max, dim_sub(n, dim_const(-i)), low);
  };
  tir::Expr start = canonical(begin), stop = canonical(end);
  int64_t step = stride < 0 ? -stride : stride;
  tir::Expr distance = stride < 0 ? dim_sub(start, stop) : dim_sub(stop, start);
  if (stride < 0 && const_dim(stop) == -1) distance = dim_add(start, dim_const(1));
  tir::Expr count = dim_binary(BinaryOp::FloorDiv, dim_add(distance, dim_const(step - 1)), dim_const(step));
  // An extent (n itself) or a constant at least 0 needs no clamp.
  bool nonnegative = count->as<tir::VarRef>() || const_dim(count).value_or(-1) >= 0;
  return {start, nonnegative ? count : dim_binary(BinaryOp::Max, count, dim_const(0))};
}

// The sliced axes (normalized) with their strides, or an error and nullopt.
std::optional<std::vector<std::pair<size_t, int64_t>>> slice_axes(const InferCall& c, size_t rank) {
  const std::vector<int64_t>& axes = c.attrs.get_ints("axes");
  const std::vector<int64_t>& strides = c.attrs.get_ints("strides");
  size_t n = axes.size();
  if (c.attrs.get_ints("begin").size() != n || c.attrs.get_ints("end").size() != n || (!strides.empty() && strides.size() != n)) {
    c.error("axes, begin, end and strides must have the same length");
    return std::nullopt;
  }
  std::vector<std::pair<size_t, int64_t>> out;
  for (size_t i = 0; i < n; ++i) {
    std::optional<size_t> axis = checked_axis(c, "axes", axes[i], rank);
    if (!axis) return std::nullopt;
    for (const auto& seen : out) {
      if (seen.first == *axis) {
        c.error_at("axes", "axis " + std::to_string(*axis) + " is sliced twice");
        return std::nullopt;
      }
    }
    int64_t stride = strides.empty() ? 1 : strides[i];
    if (stride == 0) {
      c.error_at("strides", "a stride must not be 0");
      return std::nullopt;
    }
    out.emplace_back(*axis, stride);
  }
  return out;
}

StructInfoPtr infer_strided_slice(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  if (x.rank() < 0) return make_tensor_sinfo(std::nullopt, x.dtype);
  std::optional<std::vector<std::pair<size_t, int64_t>>> axes = slice_axes(c, static_cast<size_t>(x.rank()));
  if (!axes || !x.shape) return make_tensor_sinfo(std::nullopt, x.dtype, x.rank());
  std::vector<tir::Expr> out = *x.shape;
  for (size_t i = 0; i < axes->size(); ++i) {
    auto [axis, stride] = (*axes)[i];
    out[axis] = slice_axis(out[axis], c.attrs.get_ints("begin")[i], c.attrs.get_ints("end")[i], stride).extent;
  }
  return make_tensor_sinfo(out, x.dtype);
}

std::string strided_slice_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& x = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(x);
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  if (out_shape.empty()) throw CompileError(r.call.loc, "R.strided_slice of a 0-d tensor is not supported");
  const std::vector<int64_t>& strides = r.attrs.get_ints("strides");
  KernelText k(name);
  k.param("A", in_shape, x.dtype);
  k.param("T_strided_slice_with_axes", out_shape, x.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size()), iters = iter_names(loops), read = iters;
  for (size_t i = 0; i < r.attrs.get_ints("axes").size(); ++i) {
    size_t axis = *normalize_axis(r.attrs.get_ints("axes")[i], in_shape.size());
    int64_t stride = strides.empty() ? 1 : strides[i];
    SliceAxis s = slice_axis(in_shape[axis], r.attrs.get_ints("begin")[i], r.attrs.get_ints("end")[i], stride);
    std::string step = stride == 1 ? iters[axis] : iters[axis] + " * " + int64_text(stride);
    read[axis] = const_dim(s.start) == 0 ? step : step + " + " + dim_text(s.start);
  }
  k.open_block("T_strided_slice_with_axes", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line(indexed("T_strided_slice_with_axes", iters) + " = " + indexed("A", read));
  k.close_block();
  return k.str();
}

// ---- gather_elements, gather_nd ----

StructInfoPtr infer_gather_elements(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& indices = *c.operands[1];
  integer_indices(c, indices, "the indices");
  if (data.rank() < 0 || indices.rank() < 0) return make_tensor_sinfo(std::nullopt, data.dtype);
  if (data.rank() != indices.rank()) {
    c.error("the data (rank " + std::to_string(data.rank()) + ") and the indices (rank " + std::to_string(indices.rank()) +
            ") must have the same rank");
    return make_tensor_sinfo(std::nullopt, data.dtype, indices.rank());
  }
  std::optional<size_t> axis = checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(data.rank()));
  if (!axis || !indices.shape) return make_tensor_sinfo(std::nullopt, data.dtype, indices.rank());
  for (size_t d = 0; data.shape && d < data.shape->size(); ++d) {
    std::optional<int64_t> have = const_dim((*data.shape)[d]), want = const_dim((*indices.shape)[d]);
    if (d != *axis && have && want && *want > *have) {
      c.error("the indices' extent on axis " + std::to_string(d) + " (" + std::to_string(*want) + ") exceeds the data's (" + std::to_string(*have) +
              ")");
    }
  }
  return make_tensor_sinfo(*indices.shape, data.dtype);
}

std::string gather_elements_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& indices = *r.operands[1].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  if (out_shape.empty()) throw CompileError(r.call.loc, "R.gather_elements of 0-d tensors is not supported");
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), out_shape.size());
  KernelText k(name);
  k.param("A", shape_of(data), data.dtype);
  k.param("B", shape_of(indices), indices.dtype);
  k.param("T_gather", out_shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size()), iters = iter_names(loops), read = iters;
  read[axis] = wrapped_index(as_int64(indexed("B", iters)), dim_text(shape_of(data)[axis]));
  k.open_block("T_gather", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line(indexed("T_gather", iters) + " = " + guard_empty_axes(indexed("A", read), {shape_of(data)[axis]}, data.dtype));
  k.close_block();
  return k.str();
}

StructInfoPtr infer_gather_nd(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& indices = *c.operands[1];
  if (indices.dtype != DataType::Void && indices.dtype != DataType::Int64) {
    c.error(std::string("the indices must be int64, as in TVM, not ") + dtype_name(indices.dtype));
  }
  int64_t batch = c.attrs.get_int("batch_dims");
  if (data.rank() < 0 || indices.rank() < 0) return make_tensor_sinfo(std::nullopt, data.dtype);
  if (batch < 0 || batch > data.rank() || batch > indices.rank() - 1) {
    c.error_at("batch_dims", "batch_dims=" + std::to_string(batch) + " must be in [0, min(data rank, indices rank - 1)] = [0, " +
                                 std::to_string(std::min(data.rank(), indices.rank() - 1)) + "]");
    return make_tensor_sinfo(std::nullopt, data.dtype);
  }
  std::optional<int64_t> l = indices.shape ? const_dim(indices.shape->back()) : std::nullopt;
  if (!l) return make_tensor_sinfo(std::nullopt, data.dtype);
  if (*l > data.rank() - batch) {
    c.error("index tuples of length " + std::to_string(*l) + " are too long for data of rank " + std::to_string(data.rank()) +
            " with batch_dims=" + std::to_string(batch));
    return make_tensor_sinfo(std::nullopt, data.dtype);
  }
  int rank = indices.rank() - 1 + data.rank() - static_cast<int>(*l + batch);
  if (!data.shape) return make_tensor_sinfo(std::nullopt, data.dtype, rank);
  for (int64_t d = 0; d < batch; ++d) {
    const tir::Expr &x = (*data.shape)[static_cast<size_t>(d)], &y = (*indices.shape)[static_cast<size_t>(d)];
    if (!same_dim(x, y) && const_dim(x) && const_dim(y))
      c.error("batch axis " + std::to_string(d) + " differs: " + shape_text(*data.shape) + " and " + shape_text(*indices.shape));
  }
  std::vector<tir::Expr> out(indices.shape->begin(), indices.shape->end() - 1);
  out.insert(out.end(), data.shape->begin() + static_cast<std::ptrdiff_t>(batch + *l), data.shape->end());
  return make_tensor_sinfo(out, data.dtype);
}

std::string gather_nd_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& indices = *r.operands[1].sinfo;
  const std::vector<tir::Expr>& data_shape = shape_of(data);
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  if (out_shape.empty()) throw CompileError(r.call.loc, "R.gather_nd to a 0-d tensor is not supported yet");
  size_t batch = static_cast<size_t>(r.attrs.get_int("batch_dims"));
  size_t q = shape_of(indices).size();
  size_t l = static_cast<size_t>(*const_dim(shape_of(indices).back()));
  KernelText k(name);
  k.param("A", data_shape, data.dtype);
  k.param("B", shape_of(indices), indices.dtype);
  k.param("T_gather_nd", out_shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size()), iters = iter_names(loops);
  std::vector<std::string> position(iters.begin(), iters.begin() + static_cast<std::ptrdiff_t>(q - 1));
  std::vector<std::string> read(iters.begin(), iters.begin() + static_cast<std::ptrdiff_t>(batch));
  for (size_t j = 0; j < l; ++j) {
    std::vector<std::string> at = position;
    at.push_back(int64_text(static_cast<int64_t>(j)));
    read.push_back(wrapped_index(as_int64(indexed("B", at)), dim_text(data_shape[batch + j])));
  }
  read.insert(read.end(), iters.begin() + static_cast<std::ptrdiff_t>(q - 1), iters.end());
  k.open_block("T_gather_nd", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  std::vector<tir::Expr> indexed_axes(data_shape.begin() + static_cast<std::ptrdiff_t>(batch), data_shape.begin() + static_cast<std::ptrdiff_t>(batch + l));
  k.line(indexed("T_gather_nd", iters) + " = " + guard_empty_axes(indexed("A", read), indexed_axes, data.dtype));
  k.close_block();
  return k.str();
}

}  // namespace

void register_manipulate_index(std::vector<OpDef>& ops) {
  ops.push_back(define_op("take", "take", {{"x"}, {"indices", OperandKind::TensorOrPrimValue}}, {axes_attr("axis"), string_attr("mode", "fast", {"fast", "wrap", "clip", "nan"})},
                          infer_take, take_kernel));
  ops.push_back(
      define_op("strided_slice", "strided_slice", {{"x"}},
                {ints_attr("axes", {}), ints_attr("begin", {}), ints_attr("end", {}), ints_attr("strides", {}), bool_attr("assume_inbound", false)},
                infer_strided_slice, strided_slice_kernel));
  ops.push_back(
      define_op("gather_elements", "gather_elements", {{"data"}, {"indices"}}, {int_attr("axis", 0)}, infer_gather_elements, gather_elements_kernel));
  ops.push_back(define_op("gather_nd", "gather_nd", {{"data"}, {"indices"}}, {int_attr("batch_dims", 0)}, infer_gather_nd, gather_nd_kernel));
}

}  // namespace relaxc::ops

// Normalizations: R.nn.batch_norm, R.nn.layer_norm, R.nn.group_norm, R.nn.instance_norm and
// R.nn.rms_norm, with TVM's operands and attributes (axis/axes, epsilon, center, scale; group
// norm's num_groups and channel_axis). Statistics are computed in two passes (the mean, then the
// mean of the squared deviations from it), the numerically stable form, in float32 for float16
// data (as PyTorch does on the CPU) and rounded once at the end. center=False leaves out beta and
// scale=False gamma. docs/operators.md lists these decisions.
#include <algorithm>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/nn_util.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// The axes attribute `name` normalized (each once), or nullopt after an error.
std::optional<std::vector<size_t>> norm_axes(const InferCall& c, const std::string& name, size_t rank) {
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes(name);
  if (!axes) {
    c.error("the attribute " + name + " is required");
    return std::nullopt;
  }
  std::vector<size_t> out;
  for (int64_t axis : *axes) {
    std::optional<size_t> k = normalize_axis(axis, rank);
    if (!k) {
      c.error_at(name, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
      return std::nullopt;
    }
    if (std::count(out.begin(), out.end(), *k)) {
      c.error_at(name, "axis " + std::to_string(*k) + " is given more than once");
      return std::nullopt;
    }
    out.push_back(*k);
  }
  return out;
}

// Float data, and every other operand of its dtype: false after an error.
bool check_dtypes(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  if (data.dtype != DataType::Void && !is_float(data.dtype)) {
    dtype_error(c, data.dtype, "it needs float data");
    return false;
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    const StructInfo& t = *c.operands[i];
    if (t.dtype != DataType::Void && data.dtype != DataType::Void && t.dtype != data.dtype) {
      c.error("its " + c.op.operands[i].name + " is " + dtype_name(t.dtype) + " but its data is " + dtype_name(data.dtype));
      return false;
    }
  }
  return true;
}

// Operand `i` has the extents `want`, the data's `what`; false after an error.
bool check_param(const InferCall& c, size_t i, const std::vector<tir::Expr>& want, const std::string& what) {
  const StructInfo& t = *c.operands[i];
  const std::string& name = c.op.operands[i].name;
  if (t.rank() >= 0 && t.rank() != static_cast<int>(want.size())) {
    c.error("its " + name + " should be " + std::to_string(want.size()) + "-d, not " + std::to_string(t.rank()) + "-d");
    return false;
  }
  if (!t.shape) return true;
  for (size_t d = 0; d < want.size(); ++d) {
    std::optional<int64_t> a = const_dim((*t.shape)[d]), b = const_dim(want[d]);
    if (a && b && *a != *b) {
      c.error("its " + name + " has shape " + shape_text(*t.shape) + " but the data's " + what + " are " + shape_text(want));
      return false;
    }
  }
  return true;
}

StructInfoPtr infer_batch_norm(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  StructInfoPtr vec = make_tensor_sinfo(std::nullopt, data.dtype, 1);
  StructInfoPtr unknown = make_tuple_sinfo({like(data, data.dtype), vec, vec});
  if (!require_attr(c, "axis") || !check_dtypes(c) || data.rank() < 0) return unknown;
  std::optional<size_t> axis = normalize_axis(c.attrs.get_int("axis"), static_cast<size_t>(data.rank()));
  if (!axis) {
    c.error_at("axis", "axis " + std::to_string(c.attrs.get_int("axis")) + " is out of range for rank " + std::to_string(data.rank()));
    return unknown;
  }
  if (!data.shape) return unknown;
  for (size_t i = 1; i < 5; ++i) {
    if (!check_param(c, i, {(*data.shape)[*axis]}, "channels")) return unknown;
  }
  // TVM's result: the data's struct info, then the moving mean's and the moving variance's.
  StructInfoPtr mean = c.operands[3]->shape ? like(*c.operands[3], data.dtype) : vec;
  StructInfoPtr var = c.operands[4]->shape ? like(*c.operands[4], data.dtype) : vec;
  return make_tuple_sinfo({like(data, data.dtype), mean, var});
}

// layer_norm and rms_norm: gamma (and beta) span the normalized axes, in the order of `axes`.
StructInfoPtr infer_axes_norm(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  StructInfoPtr unknown = make_tensor_sinfo(std::nullopt, data.dtype, data.rank());
  if (!check_dtypes(c) || data.rank() < 0) return unknown;
  std::optional<std::vector<size_t>> axes = norm_axes(c, "axes", static_cast<size_t>(data.rank()));
  if (!axes || !data.shape) return unknown;
  std::vector<tir::Expr> extents;
  for (size_t a : *axes) extents.push_back((*data.shape)[a]);
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (!check_param(c, i, extents, "normalized extents")) return unknown;
  }
  return like(data, data.dtype);
}

// group_norm and instance_norm: a channel axis outside `axes`; gamma and beta span the channels.
StructInfoPtr infer_channel_norm(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  StructInfoPtr unknown = make_tensor_sinfo(std::nullopt, data.dtype, data.rank());
  if (!require_attr(c, "channel_axis") || !check_dtypes(c) || data.rank() < 0) return unknown;
  size_t rank = static_cast<size_t>(data.rank());
  std::optional<size_t> channel = normalize_axis(c.attrs.get_int("channel_axis"), rank);
  if (!channel) {
    c.error_at("channel_axis", "channel_axis " + std::to_string(c.attrs.get_int("channel_axis")) + " is out of range for rank " + std::to_string(rank));
    return unknown;
  }
  std::optional<std::vector<size_t>> axes = norm_axes(c, "axes", rank);
  if (!axes) return unknown;
  if (std::count(axes->begin(), axes->end(), *channel)) {
    c.error_at("axes", "axes must not contain the channel axis " + std::to_string(*channel));
    return unknown;
  }
  if (!data.shape) return unknown;
  tir::Expr channels = (*data.shape)[*channel];
  if (c.call.op == "nn.group_norm") {
    if (!require_attr(c, "num_groups")) return unknown;
    int64_t groups = c.attrs.get_int("num_groups");
    std::optional<int64_t> n = const_dim(channels);
    if (groups <= 0 || !n || *n % groups != 0) {
      c.error_at("num_groups", n ? "num_groups=" + std::to_string(groups) + " does not divide the " + std::to_string(*n) + " channels"
                                 : "the channel extent must be known at compile time to be split into groups");
      return unknown;
    }
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (!check_param(c, i, {channels}, "channels")) return unknown;
  }
  return like(data, data.dtype);
}

// ---- kernels ----

// The loops of the statistics of a normalization over `shape`: ax<i> for a kept axis, k<i> for a
// reduced one; group norm's channel axis splits into g<i> (the group, kept) and c<i> (reduced).
struct NormNest {
  std::vector<std::string> loops, extents, in_index, stat_index, stat_dims;
  std::string kinds, count = "T.int64(1)";
};

NormNest norm_nest(const std::vector<tir::Expr>& shape, const std::vector<bool>& reduced, std::optional<size_t> channel, int64_t groups) {
  NormNest n;
  std::vector<std::string> counted;
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string id = std::to_string(i), extent = dim_text(shape[i]);
    if (channel == i) {
      std::string group_size = std::to_string(*const_dim(shape[i]) / groups);
      n.loops.insert(n.loops.end(), {"g" + id, "c" + id});
      n.extents.insert(n.extents.end(), {std::to_string(groups), group_size});
      n.kinds += "SR";
      n.in_index.push_back("v_g" + id + " * " + group_size + " + v_c" + id);
      n.stat_index.push_back("v_g" + id);
      n.stat_dims.push_back("T.int64(" + std::to_string(groups) + ")");
      counted.push_back("T.int64(" + group_size + ")");
    } else if (reduced[i]) {
      n.loops.push_back("k" + id);
      n.extents.push_back(extent);
      n.kinds += "R";
      n.in_index.push_back("v_k" + id);
      n.stat_index.push_back("T.int64(0)");
      n.stat_dims.push_back("T.int64(1)");
      counted.push_back(extent);
    } else {
      n.loops.push_back("ax" + id);
      n.extents.push_back(extent);
      n.kinds += "S";
      n.in_index.push_back("v_ax" + id);
      n.stat_index.push_back("v_ax" + id);
      n.stat_dims.push_back(extent);
    }
  }
  if (!counted.empty()) n.count = "(" + join_text(counted, ") * (") + ")";
  return n;
}

// `buffer[stat] = sum of term` over the nest. An output element exists only when every extent is
// positive, so a statistic its T.init leaves unset (an empty reduction) is never read.
void sum_block(KernelText& k, const NormNest& n, const std::string& buffer, const std::string& term, DataType acc) {
  std::string at = indexed(buffer, n.stat_index);
  k.open_block(buffer, n.loops, n.extents, n.kinds);
  k.line("with T.init():");
  k.line("    " + at + " = " + dtype_literal(acc, 0));
  k.line(at + " = " + at + " + " + term);
  k.close_block();
}

struct NormForm {
  std::vector<bool> reduced;
  std::optional<size_t> channel;     // group norm's grouped channel axis
  int64_t groups = 1;
  std::vector<std::string> param_index;  // into gamma/beta/weight, over the output's v_ax<i>
  bool mean = true;                  // rms_norm divides by the root mean square alone
  bool center = true, scale = true;
};

NormForm norm_form(const KernelRequest& r, size_t rank) {
  NormForm f;
  const std::string& op = r.call.op;
  f.reduced.assign(rank, false);
  std::vector<int64_t> axes = r.attrs.get_axes("axes").value_or(std::vector<int64_t>{});
  for (int64_t a : axes) f.reduced[*normalize_axis(a, rank)] = true;
  bool per_channel = op == "nn.group_norm" || op == "nn.instance_norm";
  if (per_channel) {
    size_t channel = *normalize_axis(r.attrs.get_int("channel_axis"), rank);
    f.param_index = {"v_ax" + std::to_string(channel)};
    if (op == "nn.group_norm") {
      f.channel = channel;
      f.groups = r.attrs.get_int("num_groups");
    }
  } else {
    for (int64_t a : axes) f.param_index.push_back("v_ax" + std::to_string(*normalize_axis(a, rank)));
  }
  f.mean = op != "nn.rms_norm";
  if (f.mean) {
    f.center = r.attrs.get_bool("center");
    f.scale = r.attrs.get_bool("scale");
  }
  return f;
}

// The index into the statistics for the output element at v_ax0, ...
std::vector<std::string> stat_at(const NormForm& f, const std::vector<tir::Expr>& shape) {
  std::vector<std::string> at;
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string v = "v_ax" + std::to_string(i);
    if (f.channel == i) at.push_back(v + " // " + std::to_string(*const_dim(shape[i]) / f.groups));
    else at.push_back(f.reduced[i] ? "T.int64(0)" : v);
  }
  return at;
}

std::string norm_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& data = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  DataType dtype = data.dtype, acc = accumulate_dtype(dtype);
  NormForm f = norm_form(request, shape.size());
  NormNest n = norm_nest(shape, f.reduced, f.channel, f.groups);
  std::string out = "T_" + request.call.op.substr(3);
  KernelText k(name);
  k.param("A", shape, dtype);
  std::vector<std::string> params = {"B", "C"};
  for (size_t i = 1; i < request.operands.size(); ++i) k.param(params[i - 1], shape_of(*request.operands[i].sinfo), dtype);
  k.param(out, shape, dtype);
  std::string x = cast_text(dtype, acc, indexed("A", n.in_index)), count = "T.Cast(\"" + std::string(dtype_name(acc)) + "\", " + n.count + ")";
  std::string eps = dtype_literal(acc, request.attrs.get_float("epsilon"));
  std::vector<std::string> loops = loop_names("ax", shape.size()), at = iter_names(loops), stat = stat_at(f, shape);
  std::string y = cast_text(dtype, acc, indexed("A", at)), value;
  if (f.mean) {
    k.alloc("T_sum", n.stat_dims, acc);
    k.alloc("T_mean", n.stat_dims, acc);
    k.alloc("T_var_sum", n.stat_dims, acc);
    sum_block(k, n, "T_sum", x, acc);
    std::vector<std::string> mean_loops = loop_names("ax", n.stat_dims.size());
    k.open_block("T_mean", mean_loops, n.stat_dims, std::string(n.stat_dims.size(), 'S'));
    k.line(indexed("T_mean", iter_names(mean_loops)) + " = " + indexed("T_sum", iter_names(mean_loops)) + " / " + count);
    k.close_block();
    std::string deviation = "(" + x + " - " + indexed("T_mean", n.stat_index) + ")";
    sum_block(k, n, "T_var_sum", deviation + " * " + deviation, acc);
    value = "(" + y + " - " + indexed("T_mean", stat) + ") * T.rsqrt(" + indexed("T_var_sum", stat) + " / " + count + " + " + eps + ")";
  } else {
    k.alloc("T_sq_sum", n.stat_dims, acc);
    sum_block(k, n, "T_sq_sum", x + " * " + x, acc);
    value = y + " * T.rsqrt(" + indexed("T_sq_sum", stat) + " / " + count + " + " + eps + ")";
  }
  if (f.scale) value = value + " * " + cast_text(dtype, acc, indexed("B", f.param_index));
  if (f.mean && f.center) value = value + " + " + cast_text(dtype, acc, indexed("C", f.param_index));
  k.open_block(out, loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed(out, at) + " = " + cast_text(acc, dtype, value));
  k.close_block();
  return k.str();
}

// Inference-mode batch normalization, whatever `training` says: TVM's PyTorch importer writes
// training=True for a model in eval mode, and such a model's output is PyTorch's eval-mode
// output, (x - moving_mean) / sqrt(moving_var + epsilon) * gamma + beta; the moving statistics
// come back unchanged. (Normalizing with the batch's own statistics would silently change
// every converted model's results.)
std::string batch_norm_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& data = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  DataType dtype = data.dtype, acc = accumulate_dtype(dtype);
  size_t axis = *normalize_axis(request.attrs.get_int("axis"), shape.size());
  KernelText k(name);
  std::vector<std::string> names = {"data", "gamma", "beta", "moving_mean", "moving_var"};
  for (size_t i = 0; i < names.size(); ++i) k.param(names[i], shape_of(*request.operands[i].sinfo), dtype);
  k.param("T_batch_norm", shape, dtype);
  k.param("T_moving_mean", shape_of(*request.operands[3].sinfo), dtype);
  k.param("T_moving_var", shape_of(*request.operands[4].sinfo), dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), at = iter_names(loops);
  auto channel = [&](const std::string& buffer) { return cast_text(dtype, acc, buffer + "[" + at[axis] + "]"); };
  std::string value = "(" + cast_text(dtype, acc, indexed("data", at)) + " - " + channel("moving_mean") + ") / T.sqrt(" + channel("moving_var") +
                      " + " + dtype_literal(acc, request.attrs.get_float("epsilon")) + ")";
  if (request.attrs.get_bool("scale")) value += " * " + channel("gamma");
  if (request.attrs.get_bool("center")) value += " + " + channel("beta");
  k.open_block("T_batch_norm", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_batch_norm", at) + " = " + cast_text(acc, dtype, value));
  k.close_block();
  for (const char* stat : {"moving_mean", "moving_var"}) {
    std::string copy = std::string("T_") + stat;
    k.open_block(copy, {"ax0"}, {dim_text(shape[axis])}, "S");
    k.line(copy + "[v_ax0] = " + stat + "[v_ax0]");
    k.close_block();
  }
  return k.str();
}

OpDef norm_op(const std::string& name, std::vector<OperandSpec> operands, std::vector<AttrSpec> attrs, InferFn infer, LegalizeFn legalize) {
  OpDef op;
  op.name = name;
  op.kernel_name = name.substr(3);
  op.operands = std::move(operands);
  op.attrs = std::move(attrs);
  op.infer = infer;
  op.legalize = legalize;
  return op;
}

}  // namespace

void register_nn_norm(std::vector<OpDef>& ops) {
  AttrSpec eps = float_attr("epsilon", 1e-5), center = bool_attr("center", true), scale = bool_attr("scale", true);
  ops.push_back(norm_op("nn.batch_norm", {{"data"}, {"gamma"}, {"beta"}, {"moving_mean"}, {"moving_var"}},
                        {required_attr("axis", AttrKind::Int), eps, center, scale, float_attr("momentum", 0.1), bool_attr("training", true)},
                        infer_batch_norm, batch_norm_kernel));
  ops.push_back(norm_op("nn.layer_norm", {{"data"}, {"gamma"}, {"beta"}}, {axes_attr("axes"), eps, center, scale}, infer_axes_norm, norm_kernel));
  ops.push_back(norm_op("nn.group_norm", {{"data"}, {"gamma"}, {"beta"}},
                        {required_attr("num_groups", AttrKind::Int), required_attr("channel_axis", AttrKind::Int), axes_attr("axes"), eps, center, scale},
                        infer_channel_norm, norm_kernel));
  ops.push_back(norm_op("nn.instance_norm", {{"data"}, {"gamma"}, {"beta"}},
                        {required_attr("channel_axis", AttrKind::Int), axes_attr("axes"), eps, center, scale}, infer_channel_norm, norm_kernel));
  ops.push_back(norm_op("nn.rms_norm", {{"data"}, {"weight"}}, {axes_attr("axes", -1), eps}, infer_axes_norm, norm_kernel));
}

}  // namespace relaxc::ops

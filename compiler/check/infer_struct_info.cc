#include "compiler/check/infer_struct_info.h"

#include "compiler/ir/tir_visitor.h"

#include <algorithm>

#include "compiler/ir/printer/printer_internal.h"

namespace relaxc {

using namespace relaxc::relax;

StructInfoPtr make_tensor_sinfo(std::optional<std::vector<tir::Expr>> shape, DataType dtype, int ndim) {
  auto sinfo = std::make_shared<StructInfo>();
  sinfo->kind = StructInfoKind::Tensor;
  sinfo->shape = std::move(shape);
  sinfo->dtype = dtype;
  sinfo->ndim = sinfo->shape ? static_cast<int>(sinfo->shape->size()) : ndim;
  return sinfo;
}

StructInfoPtr object_sinfo() { return std::make_shared<StructInfo>(); }

bool same_dim(const tir::Expr& a, const tir::Expr& b) { return printing::print_dim(a, false) == printing::print_dim(b, false); }

namespace {

std::optional<int64_t> const_dim(const tir::Expr& dim) {
  if (const auto* integer = dim->as<tir::IntImm>()) return integer->value;
  return std::nullopt;
}

tir::Expr dim_const(int64_t value) { return std::make_shared<tir::IntImm>(value, DataType::Int64, SourceLoc{}); }

std::string shape_text(const std::vector<tir::Expr>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + printing::print_dim(shape[i], false);
  return out + (shape.size() == 1 ? ",)" : ")");
}

const AttrValue* attr(const Call& call, const std::string& key) {
  for (const auto& [name, value] : call.attrs) {
    if (name == key) return value.get();
  }
  return nullptr;
}

std::vector<int64_t> int_list(const AttrValue* value, size_t n, int64_t fallback) {
  if (value == nullptr) return std::vector<int64_t>(n, fallback);
  if (value->kind == AttrValue::Kind::Int) return std::vector<int64_t>(n, value->int_value);
  std::vector<int64_t> out;
  for (const AttrValuePtr& item : value->items) out.push_back(item->kind == AttrValue::Kind::Int ? item->int_value : fallback);
  return out;
}

class OpInference {
 public:
  OpInference(const Call& call, const Module& module, Diagnostics& diags) : call_(call), module_(module), diags_(diags) {}

  StructInfoPtr run() {
    std::vector<const StructInfo*> tensors;
    for (const Expr& arg : call_.args) {
      if (arg->as<ShapeExpr>()) continue;
      const StructInfo* sinfo = sinfo_of(arg);
      if (sinfo == nullptr || sinfo->kind != StructInfoKind::Tensor) {
        diags_.error(arg->loc, "R." + call_.op + " expects a tensor operand here");
        return object_sinfo();
      }
      tensors.push_back(sinfo);
    }
    const std::string& op = call_.op;
    if (op == "add" || op == "subtract" || op == "multiply" || op == "divide" || op == "maximum" || op == "minimum") {
      return broadcast(*tensors[0], *tensors[1]);
    }
    if (op == "exp" || op == "nn.relu" || op == "nn.softmax") return make_tensor_sinfo(tensors[0]->shape, tensors[0]->dtype, tensors[0]->ndim);
    if (op == "matmul") return matmul(*tensors[0], *tensors[1]);
    if (op == "nn.linear") return linear(tensors);
    if (op == "permute_dims") return permute(*tensors[0]);
    if (op == "reshape") return reshape(*tensors[0]);
    if (op == "flatten") return flatten(*tensors[0]);
    if (op == "sum" || op == "mean") return reduce(*tensors[0]);
    if (op == "nn.conv2d") return conv2d(*tensors[0], *tensors[1]);
    if (op == "nn.max_pool2d" || op == "nn.avg_pool2d") return pool2d(*tensors[0]);
    return object_sinfo();
  }

 private:
  const StructInfo* sinfo_of(const Expr& expr) {
    if (const auto* var = expr->as<Var>()) return var->sinfo.get();
    keep_.push_back(infer_struct_info(expr, module_, diags_));
    return keep_.back().get();
  }

  DataType common_dtype(const StructInfo& a, const StructInfo& b) {
    if (a.dtype != DataType::Void && b.dtype != DataType::Void && a.dtype != b.dtype) {
      diags_.error(call_.loc, "R." + call_.op + " operands have different dtypes, " + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
    }
    return a.dtype != DataType::Void ? a.dtype : b.dtype;
  }

  // numpy's broadcasting of two shapes aligned at the last axis; nullopt when two constant
  // extents differ and neither is 1. Symbolic extents that may differ are checked at run time.
  static std::optional<std::vector<tir::Expr>> broadcast_shapes(const std::vector<tir::Expr>& x, const std::vector<tir::Expr>& y) {
    size_t rank = std::max(x.size(), y.size());
    std::vector<tir::Expr> out(rank);
    for (size_t i = 0; i < rank; ++i) {
      const tir::Expr* dx = i < rank - x.size() ? nullptr : &x[i - (rank - x.size())];
      const tir::Expr* dy = i < rank - y.size() ? nullptr : &y[i - (rank - y.size())];
      if (!dx || (const_dim(*dx) == 1 && dy)) out[i] = *dy;
      else if (!dy || const_dim(*dy) == 1 || same_dim(*dx, *dy)) out[i] = *dx;
      else if (const_dim(*dx) && const_dim(*dy)) return std::nullopt;
      else out[i] = *dx;
    }
    return out;
  }

  StructInfoPtr broadcast(const StructInfo& a, const StructInfo& b) {
    DataType dtype = common_dtype(a, b);
    if (!a.shape || !b.shape) return make_tensor_sinfo(std::nullopt, dtype, a.rank() >= 0 && b.rank() >= 0 ? std::max(a.rank(), b.rank()) : -1);
    std::optional<std::vector<tir::Expr>> out = broadcast_shapes(*a.shape, *b.shape);
    if (!out) {
      diags_.error(call_.loc, "R." + call_.op + ": shapes " + shape_text(*a.shape) + " and " + shape_text(*b.shape) + " cannot be broadcast together");
      return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(std::max(a.shape->size(), b.shape->size())));
    }
    return make_tensor_sinfo(*out, dtype);
  }

  StructInfoPtr matmul(const StructInfo& a, const StructInfo& b) {
    DataType dtype = common_dtype(a, b);
    if (!a.shape || !b.shape || a.shape->empty() || b.shape->empty()) return make_tensor_sinfo(std::nullopt, dtype);
    std::vector<tir::Expr> x = *a.shape, y = *b.shape;
    const tir::Expr& k1 = x.back();
    const tir::Expr& k2 = y.size() == 1 ? y[0] : y[y.size() - 2];
    if (const_dim(k1) && const_dim(k2) && *const_dim(k1) != *const_dim(k2)) {
      diags_.error(call_.loc, "R.matmul: inner dimensions differ, " + shape_text(x) + " @ " + shape_text(y));
    }
    // numpy's rule: the batch axes (all but the last two) broadcast; a 1-D operand's axis drops.
    std::vector<tir::Expr> xb(x.begin(), x.end() - std::min<size_t>(x.size(), 2));
    std::vector<tir::Expr> yb(y.begin(), y.end() - std::min<size_t>(y.size(), 2));
    std::optional<std::vector<tir::Expr>> batch = broadcast_shapes(xb, yb);
    if (!batch) {
      diags_.error(call_.loc, "R.matmul: batch shapes " + shape_text(x) + " and " + shape_text(y) + " cannot be broadcast together");
      return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(std::max(xb.size(), yb.size()) + 2));
    }
    std::vector<tir::Expr> out = *batch;
    if (x.size() > 1) out.push_back(x[x.size() - 2]);
    if (y.size() > 1) out.push_back(y.back());
    return make_tensor_sinfo(out, dtype);
  }

  StructInfoPtr linear(const std::vector<const StructInfo*>& t) {
    DataType dtype = common_dtype(*t[0], *t[1]);
    if (!t[0]->shape || !t[1]->shape || t[1]->shape->size() != 2 || t[0]->shape->empty()) return make_tensor_sinfo(std::nullopt, dtype);
    std::vector<tir::Expr> out(t[0]->shape->begin(), t[0]->shape->end() - 1);
    const tir::Expr& in1 = t[0]->shape->back();
    const tir::Expr& in2 = (*t[1]->shape)[1];
    if (const_dim(in1) && const_dim(in2) && *const_dim(in1) != *const_dim(in2)) {
      diags_.error(call_.loc, "R.nn.linear: input has " + printing::print_dim(in1, false) + " features but the weight expects " + printing::print_dim(in2, false));
    }
    out.push_back((*t[1]->shape)[0]);
    return make_tensor_sinfo(out, dtype);
  }

  StructInfoPtr permute(const StructInfo& a) {
    if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, a.ndim);
    size_t rank = a.shape->size();
    std::vector<int64_t> axes;
    const AttrValue* given = attr(call_, "axes");
    if (given && given->kind == AttrValue::Kind::List) {
      axes = int_list(given, rank, 0);
    } else {
      for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(rank - 1 - i));
    }
    if (axes.size() != rank) {
      diags_.error(call_.loc, "R.permute_dims: " + std::to_string(axes.size()) + " axes for a tensor of rank " + std::to_string(rank));
      return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
    }
    std::vector<tir::Expr> out;
    for (int64_t axis : axes) {
      int64_t k = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
      if (k < 0 || k >= static_cast<int64_t>(rank)) {
        diags_.error(call_.loc, "R.permute_dims: axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
        return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
      }
      out.push_back((*a.shape)[static_cast<size_t>(k)]);
    }
    return make_tensor_sinfo(out, a.dtype);
  }

  StructInfoPtr reshape(const StructInfo& a) {
    const ShapeExpr* target = nullptr;
    for (const Expr& arg : call_.args) {
      if (arg->as<ShapeExpr>()) target = arg->as<ShapeExpr>();
    }
    if (target == nullptr) {
      diags_.error(call_.loc, "R.reshape needs a target shape");
      return object_sinfo();
    }
    std::vector<tir::Expr> out = target->values;
    bool total_known = a.shape.has_value();
    int64_t total = 1;
    if (a.shape) {
      for (const tir::Expr& d : *a.shape) {
        std::optional<int64_t> c = const_dim(d);
        if (c) total *= *c;
        else total_known = false;
      }
    }
    int64_t known = 1;
    int infer_at = -1;
    for (size_t i = 0; i < out.size(); ++i) {
      std::optional<int64_t> d = const_dim(out[i]);
      if (d == -1) infer_at = static_cast<int>(i);
      else if (d) known *= *d;
      else total_known = false;
    }
    if (infer_at >= 0 && total_known && known > 0) out[static_cast<size_t>(infer_at)] = dim_const(total / known);
    if (infer_at < 0 && total_known && known != total) {
      diags_.error(call_.loc, "R.reshape: cannot reshape " + shape_text(*a.shape) + " (" + std::to_string(total) + " elements) to " + shape_text(out));
    }
    return make_tensor_sinfo(out, a.dtype);
  }

  StructInfoPtr flatten(const StructInfo& a) {
    if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, 1);
    // The product of the extents: folded where constant, `n * 12` where symbolic.
    int64_t constant = 1;
    tir::Expr symbolic;
    for (const tir::Expr& d : *a.shape) {
      if (std::optional<int64_t> c = const_dim(d)) {
        constant *= *c;
        continue;
      }
      symbolic = symbolic ? std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, d, DataType::Int64, SourceLoc{}) : d;
    }
    tir::Expr total = dim_const(constant);
    if (symbolic) total = constant == 1 ? symbolic : std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, total, DataType::Int64, SourceLoc{});
    return make_tensor_sinfo(std::vector<tir::Expr>{total}, a.dtype);
  }

  StructInfoPtr reduce(const StructInfo& a) {
    const AttrValue* keep = attr(call_, "keepdims");
    bool keepdims = keep && keep->kind == AttrValue::Kind::Bool && keep->bool_value;
    if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype);
    size_t rank = a.shape->size();
    const AttrValue* axis_attr = attr(call_, "axis");
    std::vector<bool> reduced(rank, axis_attr == nullptr || axis_attr->kind == AttrValue::Kind::None);
    if (axis_attr && axis_attr->kind != AttrValue::Kind::None) {
      for (int64_t axis : int_list(axis_attr, 1, 0)) {
        int64_t k = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
        if (k < 0 || k >= static_cast<int64_t>(rank)) {
          diags_.error(call_.loc, "R." + call_.op + ": axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
          return make_tensor_sinfo(std::nullopt, a.dtype);
        }
        reduced[static_cast<size_t>(k)] = true;
      }
    }
    std::vector<tir::Expr> out;
    for (size_t i = 0; i < rank; ++i) {
      if (!reduced[i]) out.push_back((*a.shape)[i]);
      else if (keepdims) out.push_back(dim_const(1));
    }
    return make_tensor_sinfo(out, a.dtype);
  }

  // Output size of a sliding window: (in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride + 1.
  std::optional<int64_t> window(std::optional<int64_t> in, std::optional<int64_t> k, int64_t pad, int64_t stride, int64_t dilation) {
    if (!in || !k || stride <= 0) return std::nullopt;
    int64_t span = *in + pad - dilation * (*k - 1) - 1;
    if (span < 0) {
      diags_.error(call_.loc, "R." + call_.op + ": the window is larger than the padded input");
      return std::nullopt;
    }
    return span / stride + 1;
  }

  std::vector<int64_t> padding4() {
    std::vector<int64_t> pad = int_list(attr(call_, "padding"), 4, 0);
    if (pad.size() == 1) pad = {pad[0], pad[0], pad[0], pad[0]};
    if (pad.size() == 2) pad = {pad[0], pad[1], pad[0], pad[1]};
    if (pad.size() != 4) pad = {0, 0, 0, 0};
    return pad;
  }

  StructInfoPtr spatial_out(const StructInfo& data, tir::Expr channels, std::optional<int64_t> kh, std::optional<int64_t> kw, DataType dtype) {
    if (!data.shape || data.shape->size() != 4) return make_tensor_sinfo(std::nullopt, dtype, 4);
    std::vector<int64_t> strides = int_list(attr(call_, "strides"), 2, 1);
    std::vector<int64_t> dilation = int_list(attr(call_, "dilation"), 2, 1);
    if (strides.size() == 1) strides.push_back(strides[0]);
    if (dilation.size() == 1) dilation.push_back(dilation[0]);
    std::vector<int64_t> pad = padding4();
    std::optional<int64_t> h = window(const_dim((*data.shape)[2]), kh, pad[0] + pad[2], strides[0], dilation[0]);
    std::optional<int64_t> w = window(const_dim((*data.shape)[3]), kw, pad[1] + pad[3], strides[1], dilation[1]);
    if (!h || !w) return make_tensor_sinfo(std::nullopt, dtype, 4);
    return make_tensor_sinfo(std::vector<tir::Expr>{(*data.shape)[0], channels, dim_const(*h), dim_const(*w)}, dtype);
  }

  StructInfoPtr conv2d(const StructInfo& data, const StructInfo& weight) {
    DataType dtype = common_dtype(data, weight);
    if (!weight.shape || weight.shape->size() != 4) return make_tensor_sinfo(std::nullopt, dtype, 4);
    const auto& w = *weight.shape;
    if (data.shape && data.shape->size() == 4) {
      std::optional<int64_t> c = const_dim((*data.shape)[1]), ci = const_dim(w[1]);
      std::vector<int64_t> groups = int_list(attr(call_, "groups"), 1, 1);
      int64_t g = groups.empty() ? 1 : groups[0];
      if (c && ci && *c != *ci * g) {
        diags_.error(call_.loc, "R.nn.conv2d: the input has " + std::to_string(*c) + " channels but the weight expects " + std::to_string(*ci * g) +
                                    (g == 1 ? "" : " (" + std::to_string(*ci) + " per group, groups=" + std::to_string(g) + ")"));
      }
    }
    return spatial_out(data, w[0], const_dim(w[2]), const_dim(w[3]), dtype);
  }

  StructInfoPtr pool2d(const StructInfo& data) {
    std::vector<int64_t> size = int_list(attr(call_, "pool_size"), 2, 1);
    if (size.size() == 1) size.push_back(size[0]);
    if (!data.shape || data.shape->size() != 4) return make_tensor_sinfo(std::nullopt, data.dtype, 4);
    return spatial_out(data, (*data.shape)[1], size[0], size[1], data.dtype);
  }

  const Call& call_;
  const Module& module_;
  Diagnostics& diags_;
  std::vector<StructInfoPtr> keep_;
};

}  // namespace

StructInfoPtr erase_foreign_sizes(const StructInfoPtr& sinfo, const std::function<bool(const tir::Var*)>& keep) {
  if (!sinfo) return sinfo;
  auto copy = std::make_shared<StructInfo>(*sinfo);
  bool changed = false;
  if (copy->shape) {
    for (const tir::Expr& dim : *copy->shape) {
      for (const tir::VarPtr& var : tir::vars_in(dim)) {
        if (!keep(var.get())) changed = true;
      }
    }
    if (changed) {
      copy->ndim = static_cast<int>(copy->shape->size());
      copy->shape.reset();
    }
  }
  for (StructInfoPtr& field : copy->fields) {
    StructInfoPtr erased = erase_foreign_sizes(field, keep);
    changed = changed || erased != field;
    field = erased;
  }
  return changed ? copy : sinfo;
}

bool sinfo_compatible(const StructInfo& a, const StructInfo& b) {
  if (a.kind == StructInfoKind::Object || b.kind == StructInfoKind::Object) return true;
  if (a.kind != b.kind) return false;
  if (a.dtype != DataType::Void && b.dtype != DataType::Void && a.dtype != b.dtype) return false;
  if (a.rank() >= 0 && b.rank() >= 0 && a.rank() != b.rank()) return false;
  if (a.shape && b.shape) {
    for (size_t i = 0; i < a.shape->size(); ++i) {
      std::optional<int64_t> x = const_dim((*a.shape)[i]), y = const_dim((*b.shape)[i]);
      if (x && y && *x != *y) return false;
    }
  }
  if (a.kind == StructInfoKind::Tuple && !a.fields.empty() && !b.fields.empty()) {
    if (a.fields.size() != b.fields.size()) return false;
    for (size_t i = 0; i < a.fields.size(); ++i) {
      if (!sinfo_compatible(*a.fields[i], *b.fields[i])) return false;
    }
  }
  return true;
}

StructInfoPtr infer_struct_info(const Expr& expr, const Module& module, Diagnostics& diags) {
  switch (expr->kind) {
    case ExprKind::Var: return expr->as<Var>()->sinfo ? expr->as<Var>()->sinfo : object_sinfo();
    case ExprKind::Constant: {
      const auto* constant = expr->as<Constant>();
      if (constant->sinfo) return constant->sinfo;
      if (constant->metadata_index && !module.constants.empty()) {
        size_t index = static_cast<size_t>(*constant->metadata_index);
        if (index >= module.constants.size()) {
          diags.error(expr->loc, "metadata[\"relax.expr.Constant\"][" + std::to_string(index) + "] does not exist: the module's metadata holds " +
                                     std::to_string(module.constants.size()) + " constants");
          return make_tensor_sinfo(std::nullopt, DataType::Void);
        }
        std::vector<tir::Expr> dims;
        for (int64_t extent : module.constants[index].shape) dims.push_back(std::make_shared<tir::IntImm>(extent, DataType::Int64, SourceLoc{}));
        return make_tensor_sinfo(dims, module.constants[index].dtype);
      }
      if (constant->metadata_index) return make_tensor_sinfo(std::nullopt, DataType::Void);
      return make_tensor_sinfo(std::vector<tir::Expr>{}, constant->dtype);
    }
    case ExprKind::Tuple: {
      auto sinfo = std::make_shared<StructInfo>();
      sinfo->kind = StructInfoKind::Tuple;
      for (const Expr& field : expr->as<Tuple>()->fields) sinfo->fields.push_back(infer_struct_info(field, module, diags));
      return sinfo;
    }
    case ExprKind::TupleGetItem: {
      const auto* item = expr->as<TupleGetItem>();
      StructInfoPtr tuple = infer_struct_info(item->tuple, module, diags);
      if (tuple->kind != StructInfoKind::Tuple) {
        diags.error(item->loc, "only a tuple can be indexed, and this value is not one");
        return object_sinfo();
      }
      if (item->index >= static_cast<int>(tuple->fields.size())) {
        diags.error(item->loc, "tuple index " + std::to_string(item->index) + " is out of range for a tuple of " +
                                   std::to_string(tuple->fields.size()));
        return object_sinfo();
      }
      return tuple->fields[static_cast<size_t>(item->index)];
    }
    case ExprKind::ShapeExpr: {
      auto sinfo = std::make_shared<StructInfo>();
      sinfo->kind = StructInfoKind::Shape;
      sinfo->shape = expr->as<ShapeExpr>()->values;
      return sinfo;
    }
    case ExprKind::PrimValue: {
      auto sinfo = std::make_shared<StructInfo>();
      sinfo->kind = StructInfoKind::Prim;
      sinfo->dtype = expr->as<PrimValue>()->value->dtype;
      return sinfo;
    }
    case ExprKind::Call: {
      const auto* call = expr->as<Call>();
      if (call->op == "call_tir" || call->op == "call_dps_packed" || call->op == "call_packed") {
        if (call->sinfo_args.empty()) return object_sinfo();
        if (call->sinfo_args.size() == 1) return call->sinfo_args[0];
        auto sinfo = std::make_shared<StructInfo>();
        sinfo->kind = StructInfoKind::Tuple;
        sinfo->fields = call->sinfo_args;
        return sinfo;
      }
      if (call->op.empty()) {
        const auto* callee = call->callee ? call->callee->as<GlobalVar>() : nullptr;
        const Function* func = callee ? module.find_function(callee->name) : nullptr;
        if (func == nullptr) return object_sinfo();
        StructInfoPtr ret = func->ret_annotation ? func->ret_annotation : func->ret_sinfo;
        if (!ret) return object_sinfo();
        // The callee's symbolic variables mean nothing in the caller: keep only the rank.
        return erase_foreign_sizes(ret, [](const tir::Var*) { return false; });
      }
      return OpInference(*call, module, diags).run();
    }
    default: return object_sinfo();
  }
}

}  // namespace relaxc

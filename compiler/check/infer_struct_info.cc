#include "compiler/check/infer_struct_info.h"

#include "compiler/ir/tir_visitor.h"

#include <algorithm>

#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ops/registry.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

// What an operand of `kind` must be, when `sinfo` is not one; "" when it is.
std::string operand_mismatch(ops::OperandKind kind, const StructInfo& sinfo) {
  switch (kind) {
    case ops::OperandKind::Tensor:
      return sinfo.kind == StructInfoKind::Tensor ? "" : "a tensor operand here";
    case ops::OperandKind::Shape:
      return sinfo.kind == StructInfoKind::Shape && sinfo.shape ? "" : "a shape of known values here, such as R.shape([1, n])";
    case ops::OperandKind::TensorTuple: {
      auto is_tensor = [](const StructInfoPtr& f) { return f && f->kind == StructInfoKind::Tensor; };
      bool ok = sinfo.kind == StructInfoKind::Tuple && std::all_of(sinfo.fields.begin(), sinfo.fields.end(), is_tensor);
      return ok ? "" : "a tuple of tensors here, such as (a, b)";
    }
    case ops::OperandKind::PrimValue:
      return sinfo.kind == StructInfoKind::Prim ? "" : "a scalar here, such as R.prim_value(T.float32(1))";
    case ops::OperandKind::TensorOrPrimValue:
      return sinfo.kind == StructInfoKind::Tensor || sinfo.kind == StructInfoKind::Prim ? "" : "a tensor or a scalar (R.prim_value) here";
  }
  return "?";
}

// An operator call: the operands' struct info by the registry's operand kinds, then the
// operator's own inference.
StructInfoPtr infer_operator(const Call& call, const Module& module, Diagnostics& diags) {
  const ops::OpDef* op = call.unknown_op ? nullptr : ops::find_op(call.op);
  if (op == nullptr) return object_sinfo();
  std::vector<StructInfoPtr> keep;
  std::vector<const StructInfo*> operands;
  std::vector<const std::vector<tir::Expr>*> shapes;
  for (size_t i = 0; i < call.args.size() && i < op->operands.size(); ++i) {
    const Expr& arg = call.args[i];
    StructInfoPtr sinfo = arg->as<Var>() ? arg->as<Var>()->sinfo : infer_struct_info(arg, module, diags);
    if (!sinfo) sinfo = object_sinfo();
    keep.push_back(sinfo);
    std::string expected = operand_mismatch(op->operands[i].kind, *sinfo);
    if (!expected.empty()) {
      // A variable's own location is where it was defined, so a variable is reported at the call.
      diags.error(arg->as<Var>() ? call.loc : arg->loc, "R." + call.op + " expects " + expected);
      return object_sinfo();
    }
    bool shape = op->operands[i].kind == ops::OperandKind::Shape;
    operands.push_back(shape ? nullptr : sinfo.get());
    shapes.push_back(shape ? &*sinfo->shape : nullptr);
  }
  ops::Attrs attrs = ops::parse_attrs(*op, call);
  return op->infer(ops::InferCall{call, *op, attrs, operands, shapes, diags});
}

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

StructInfoPtr metadata_constant_sinfo(const Module& module, size_t index) {
  if (index >= module.constants.size()) return nullptr;
  std::vector<tir::Expr> dims;
  for (int64_t extent : module.constants[index].shape) dims.push_back(std::make_shared<tir::IntImm>(extent, DataType::Int64, SourceLoc{}));
  return make_tensor_sinfo(dims, module.constants[index].dtype);
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
        return metadata_constant_sinfo(module, index);
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
      if (call->op == "shape_of") {
        // The shape of a tensor: its dimensions when they are known, else only its rank.
        StructInfoPtr tensor = infer_struct_info(call->args[0], module, diags);
        if (tensor->kind != StructInfoKind::Tensor) {
          diags.error(call->loc, "R.shape_of takes a tensor");
          return object_sinfo();
        }
        return shape_sinfo_of(*tensor);
      }
      if (call->op == "tensor_to_shape") {
        StructInfoPtr tensor = infer_struct_info(call->args[0], module, diags);
        if (tensor->kind != StructInfoKind::Tensor || tensor->rank() != 1 || (tensor->dtype != DataType::Void && !is_int(tensor->dtype))) {
          diags.error(call->loc, "R.tensor_to_shape takes a 1-d integer tensor");
          return object_sinfo();
        }
        std::optional<int64_t> count = tensor->shape ? const_dim((*tensor->shape)[0]) : std::nullopt;
        return make_shape_sinfo(std::nullopt, count ? static_cast<int>(*count) : -1);
      }
      if (call->op == "call_tir" || call->op == "call_dps_packed" || call->op == "call_packed" || call->op == "call_pure_packed") {
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
      return infer_operator(*call, module, diags);
    }
    default: return object_sinfo();
  }
}

}  // namespace relaxc

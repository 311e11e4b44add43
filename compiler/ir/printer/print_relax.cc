// A Relax function as TVMScript: signature with symbolic variables quoted, their T.int64()
// declarations first (in order of first appearance: return type, then parameters, then
// body), bindings annotated with struct info except where a call_tir/call_dps_packed already
// names it, dataflow blocks closed by R.output.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::printing {

using namespace relaxc::relax;

namespace {

std::string print_dims(const std::vector<tir::Expr>& dims, bool quote_vars) {
  std::vector<std::string> parts;
  for (const tir::Expr& dim : dims) parts.push_back(print_dim(dim, quote_vars));
  return "(" + join(parts) + (parts.size() == 1 ? ",)" : ")");
}

std::string print_expr(const Expr& expr);

std::string print_element(double value, DataType dtype) {
  std::string text = format_float(value);
  if (!std::isfinite(value)) return "float(" + quote(text) + ")";
  if (is_float(dtype) && text.find_first_of(".eni") == std::string::npos) text += ".0";
  return text;
}

// [[1.0, 2.0], [3.0, 4.0]]: the nested lists of R.const's tensor values.
std::string print_tensor_literal(const Constant& c) {
  const std::vector<int64_t>& shape = *c.literal_shape;
  size_t next = 0;
  std::function<std::string(size_t)> level = [&](size_t depth) -> std::string {
    if (depth == shape.size()) return print_element(c.values[next++], c.dtype);
    std::vector<std::string> items;
    for (int64_t i = 0; i < shape[depth]; ++i) items.push_back(level(depth + 1));
    return "[" + join(items) + "]";
  };
  return level(0);
}

std::string print_call(const Call& call) {
  if (call.op == "call_dps_packed" || call.op == "call_tir") {
    std::string out = "R." + call.op + "(" + print_expr(call.args[0]) + ", " + print_expr(call.args[1]) + ", " + spelled("out_sinfo") + "=";
    std::string tir_vars = call.args.size() > 2 ? ", tir_vars=" + print_expr(call.args[2]) : "";
    if (call.sinfo_args.size() == 1) return out + print_sinfo(*call.sinfo_args[0], false) + tir_vars + ")";
    std::vector<std::string> outs;
    for (const StructInfoPtr& sinfo : call.sinfo_args) outs.push_back(print_sinfo(*sinfo, false));
    return out + "[" + join(outs) + "]" + tir_vars + ")";
  }
  std::vector<std::string> args;
  for (const Expr& arg : call.args) args.push_back(print_expr(arg));
  for (const auto& [key, value] : call.attrs) args.push_back(key + "=" + print_attr_value(*value));
  if ((call.op == "call_packed" || call.op == "call_pure_packed") && !call.sinfo_args.empty()) {
    std::vector<std::string> outs;
    for (const StructInfoPtr& sinfo : call.sinfo_args) outs.push_back(print_sinfo(*sinfo, false));
    // The current spelling writes the list of struct infos as a tuple.
    if (current_spelling()) args.push_back("ty_args=(" + join(outs) + (outs.size() == 1 ? ",)" : ")"));
    else args.push_back("sinfo_args=" + (outs.size() == 1 ? outs[0] : "[" + join(outs) + "]"));
  }
  std::string callee = call.op.empty() ? print_expr(call.callee) : "R." + call.op;
  return callee + "(" + join(args) + ")";
}

std::string print_expr(const Expr& expr) {
  switch (expr->kind) {
    case ExprKind::Var: return expr->as<Var>()->name;
    case ExprKind::Constant: {
      const auto* constant = expr->as<Constant>();
      if (constant->metadata_index) {
        return "metadata[\"relax.expr.Constant\"][" + std::to_string(*constant->metadata_index) + "]";
      }
      if (constant->literal_shape) return "R.const(" + print_tensor_literal(*constant) + ", " + quote(dtype_name(constant->dtype)) + ")";
      std::string value = format_float(constant->scalar);
      if (!std::isfinite(constant->scalar)) value = "float(" + quote(value) + ")";  // as TVM prints it
      else if (is_float(constant->dtype) && value.find_first_of(".eni") == std::string::npos) value += ".0";
      return "R.const(" + value + ", " + quote(dtype_name(constant->dtype)) + ")";
    }
    case ExprKind::Tuple: {
      std::vector<std::string> fields;
      for (const Expr& field : expr->as<Tuple>()->fields) fields.push_back(print_expr(field));
      return "(" + join(fields) + (fields.size() == 1 ? ",)" : ")");
    }
    case ExprKind::TupleGetItem: {
      const auto* item = expr->as<TupleGetItem>();
      return print_expr(item->tuple) + "[" + std::to_string(item->index) + "]";
    }
    case ExprKind::Call: return print_call(*expr->as<Call>());
    case ExprKind::ShapeExpr: {
      std::vector<std::string> dims;
      for (const tir::Expr& dim : expr->as<ShapeExpr>()->values) dims.push_back(print_dim(dim, false));
      return "R.shape([" + join(dims) + "])";
    }
    case ExprKind::PrimValue: {
      // The current spelling writes an integer or a size as it is: `(x, n)`, `(x, 1)`.
      const tir::Expr& value = expr->as<PrimValue>()->value;
      const auto* imm = value->as<tir::IntImm>();
      if (current_spelling() && imm && value->dtype == DataType::Int64) return std::to_string(imm->value);
      if (current_spelling() && value->as<tir::VarRef>()) return print_tir_expr(value);
      if (current_spelling() && imm && value->dtype == DataType::Bool) return imm->value ? "True" : "False";
      return "R.prim_value(" + print_tir_expr(value) + ")";
    }
    case ExprKind::StringImm: return "R.str(" + quote(expr->as<StringImm>()->value) + ")";
    case ExprKind::GlobalVar: return "cls." + expr->as<GlobalVar>()->name;
    case ExprKind::ExternFunc: return quote(expr->as<ExternFunc>()->name);
  }
  return "?";
}

// call_tir / call_dps_packed name their output's struct info; repeating it adds nothing.
bool annotation_is_redundant(const Binding& binding) {
  const auto* call = binding.value->as<Call>();
  if (call == nullptr || (call->op != "call_tir" && call->op != "call_dps_packed")) return false;
  if (call->sinfo_args.size() != 1 || !binding.var->sinfo) return true;
  return print_sinfo(*call->sinfo_args[0], false) == print_sinfo(*binding.var->sinfo, false);
}

void collect_sinfo_vars(const StructInfo& sinfo, std::vector<tir::VarPtr>& vars) {
  if (sinfo.shape) {
    for (const tir::Expr& dim : *sinfo.shape) {
      for (const tir::VarPtr& var : tir::vars_in(dim)) {
        if (std::find(vars.begin(), vars.end(), var) == vars.end()) vars.push_back(var);
      }
    }
  }
  for (const StructInfoPtr& field : sinfo.fields) collect_sinfo_vars(*field, vars);
}

}  // namespace

std::string print_sinfo(const StructInfo& sinfo, bool quote_vars) {
  switch (sinfo.kind) {
    case StructInfoKind::Object: return spelled("R.Object");
    case StructInfoKind::Prim:
      if (current_spelling() && sinfo.dtype != DataType::Void) return std::string("T.") + dtype_name(sinfo.dtype);
      return std::string("R.Prim(") + quote(dtype_name(sinfo.dtype)) + ")";
    case StructInfoKind::Shape: {
      if (sinfo.shape) {
        std::vector<std::string> dims;
        for (const tir::Expr& dim : *sinfo.shape) dims.push_back(print_dim(dim, quote_vars));
        return "R.Shape([" + join(dims) + "])";
      }
      return sinfo.ndim >= 0 ? "R.Shape(ndim=" + std::to_string(sinfo.ndim) + ")" : "R.Shape";
    }
    case StructInfoKind::Tensor: {
      std::vector<std::string> args;
      if (sinfo.shape) args.push_back(print_dims(*sinfo.shape, quote_vars));
      if (sinfo.dtype != DataType::Void) args.push_back(std::string("dtype=") + quote(dtype_name(sinfo.dtype)));
      if (!sinfo.shape && sinfo.ndim >= 0) args.push_back("ndim=" + std::to_string(sinfo.ndim));
      return args.empty() ? "R.Tensor" : "R.Tensor(" + join(args) + ")";
    }
    case StructInfoKind::Tuple: {
      if (sinfo.fields.empty()) return "R.Tuple";
      std::vector<std::string> fields;
      for (const StructInfoPtr& field : sinfo.fields) fields.push_back(print_sinfo(*field, quote_vars));
      return "R.Tuple(" + join(fields) + ")";
    }
    case StructInfoKind::Func: return "R.Callable";
  }
  return spelled("R.Object");
}

namespace {

bool refers_to_module(const Expr& expr) {
  if (!expr) return false;
  switch (expr->kind) {
    case ExprKind::GlobalVar: return true;
    case ExprKind::Tuple:
      for (const Expr& field : expr->as<Tuple>()->fields) {
        if (refers_to_module(field)) return true;
      }
      return false;
    case ExprKind::TupleGetItem: return refers_to_module(expr->as<TupleGetItem>()->tuple);
    case ExprKind::Call: {
      auto* call = expr->as<Call>();
      if (refers_to_module(call->callee)) return true;
      for (const Expr& arg : call->args) {
        if (refers_to_module(arg)) return true;
      }
      return false;
    }
    default: return false;
  }
}

// TVM writes `cls = Module` before the first binding of a function that names another
// function of its module as `cls.name`.
bool refers_to_module(const Function& func) {
  for (const BindingBlock& block : func.blocks) {
    for (const Binding& binding : block.bindings) {
      if (refers_to_module(binding.value)) return true;
    }
  }
  return refers_to_module(func.body);
}

}  // namespace

void print_relax_function(const Function& func, const std::string& module_name, Lines& out) {
  std::vector<tir::VarPtr> size_vars;
  const StructInfoPtr& ret = func.ret_annotation ? func.ret_annotation : func.ret_sinfo;
  if (ret) collect_sinfo_vars(*ret, size_vars);
  std::vector<std::string> params;
  for (const VarPtr& param : func.params) {
    collect_sinfo_vars(*param->sinfo, size_vars);
    params.push_back(param->name + ": " + print_sinfo(*param->sinfo, true));
  }
  for (const BindingBlock& block : func.blocks) {
    for (const Binding& binding : block.bindings) {
      if (binding.var->sinfo) collect_sinfo_vars(*binding.var->sinfo, size_vars);
    }
  }
  std::string decorator = "@R.function";
  std::vector<std::string> options;
  if (!func.is_pure) options.push_back("pure=False");
  if (func.is_private) options.push_back("private=True");
  if (!options.empty()) decorator += "(" + join(options) + ")";
  out.line(decorator);
  out.line("def " + func.name + "(" + join(params) + ")" + (ret ? " -> " + print_sinfo(*ret, true) : "") + ":");
  out.indent();
  for (const tir::VarPtr& var : size_vars) out.line(var->name + " = T." + dtype_name(var->dtype) + "()");
  if (!func.attrs.empty()) out.line("R.func_attr(" + print_attr_dict(func.attrs) + ")");
  if (refers_to_module(func)) out.line("cls = " + module_name);
  for (const BindingBlock& block : func.blocks) {
    if (block.is_dataflow) {
      out.line("with R.dataflow():");
      out.indent();
    }
    for (const Binding& binding : block.bindings) {
      std::string lhs = binding.var->name;
      if (binding.is_match_cast) {
        out.line(lhs + " = R.match_cast(" + print_expr(binding.value) + ", " + print_sinfo(*binding.annotation, false) + ")");
        continue;
      }
      if (binding.var->sinfo && !annotation_is_redundant(binding)) lhs += ": " + print_sinfo(*binding.var->sinfo, false);
      out.line(lhs + " = " + print_expr(binding.value));
    }
    if (block.is_dataflow) {
      std::vector<std::string> outputs;
      for (const Binding& binding : block.bindings) {
        if (!binding.var->is_dataflow) outputs.push_back(binding.var->name);
      }
      out.line("R.output(" + join(outputs) + ")");
      out.dedent();
    }
  }
  out.line("return " + print_expr(func.body));
  out.dedent();
}

}  // namespace relaxc::printing

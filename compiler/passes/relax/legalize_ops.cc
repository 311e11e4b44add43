#include "compiler/passes/relax/legalize_ops.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "compiler/check/check_module.h"
#include "compiler/check/infer_struct_info.h"
#include "compiler/frontend/build_module.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/registry.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

constexpr const char* kNamePlaceholder = "__relaxc_kernel__";

class Legalizer {
 public:
  Legalizer(const Module& module, const LegalizeOptions& options) : out_(module), options_(options) {
    for (const auto& f : module.prim_funcs) used_names_.insert(f->name);
    for (const auto& f : module.functions) used_names_.insert(f->name);
  }

  Module run() {
    for (FunctionPtr& func : out_.functions) func = lower_function(*func);
    if (!failures_.empty()) {
      CompileError first = failures_[0];
      for (size_t i = 1; i < failures_.size(); ++i) first.add(failures_[i].loc(), failures_[i].message());
      throw first;
    }
    Diagnostics diags(dummy_file_);
    if (!check_module(out_, diags)) {
      std::ostringstream text;
      diags.render(text);
      throw std::logic_error("LegalizeOps produced an ill-formed module:\n" + text.str());
    }
    return std::move(out_);
  }

 private:
  FunctionPtr lower_function(const Function& original) {
    auto func = std::make_shared<Function>(original);
    var_names_.clear();
    for (const VarPtr& p : func->params) var_names_.insert(p->name);
    for (const BindingBlock& block : func->blocks) {
      for (const Binding& b : block.bindings) var_names_.insert(b.var->name);
    }
    for (BindingBlock& block : func->blocks) {
      std::vector<Binding> bindings;
      for (const Binding& binding : block.bindings) {
        Binding lowered = binding;
        lowered.value = lower(binding.value, bindings, block.is_dataflow, true);
        bindings.push_back(lowered);
      }
      block.bindings = std::move(bindings);
    }
    std::vector<Binding> trailing;
    func->body = lower(original.body, trailing, false, false);
    if (!trailing.empty()) {
      BindingBlock block;
      block.bindings = std::move(trailing);
      block.loc = original.return_loc;
      func->blocks.push_back(std::move(block));
    }
    return func;
  }

  std::string fresh_var_name() {
    for (int i = 0;; ++i) {
      std::string name = i == 0 ? "lv" : "lv" + std::to_string(i);
      if (var_names_.insert(name).second) return name;
    }
  }

  std::string fresh_kernel_name(const std::string& base) {
    for (int i = 0;; ++i) {
      std::string name = i == 0 ? base : base + std::to_string(i);
      if (used_names_.insert(name).second) return name;
    }
  }

  StructInfoPtr sinfo_of(const Expr& e) {
    if (const auto* var = e->as<Var>()) return var->sinfo;
    Diagnostics diags(dummy_file_);
    return infer_struct_info(e, out_, diags);
  }

  static bool known_tensor(const StructInfoPtr& s) { return s && s->kind == StructInfoKind::Tensor && s->shape && s->dtype != DataType::Void; }

  // The kernel's outputs: the result, or each field of a tuple result (R.split, batch_norm).
  static std::vector<StructInfoPtr> outputs_of(const StructInfoPtr& result) {
    if (result && result->kind == StructInfoKind::Tuple) return result->fields;
    return {result};
  }

  static bool known_outputs(const StructInfoPtr& result) {
    std::vector<StructInfoPtr> outs = outputs_of(result);
    return !outs.empty() && std::all_of(outs.begin(), outs.end(), known_tensor);
  }

  // The kernel for one call, shared with an identical earlier one.
  std::string kernel_for(const ops::OpDef& op, const Call& call, const ops::KernelRequest& request) {
    std::string text = op.legalize(kNamePlaceholder, request);
    auto it = kernels_.find(text);
    if (it != kernels_.end()) return it->second;
    std::string name = fresh_kernel_name(op.kernel_name);
    std::string named = text;
    named.replace(named.find(kNamePlaceholder), std::string(kNamePlaceholder).size(), name);
    SourceFile file("<legalized " + name + ">", named);
    Diagnostics diags(file);
    std::optional<Module> parsed = parse_module(file, diags);
    if (!parsed || parsed->prim_funcs.size() != 1) {
      std::ostringstream messages;
      diags.render(messages);
      throw std::logic_error("the kernel LegalizeOps wrote for R." + call.op + " does not parse:\n" + messages.str() + named);
    }
    out_.prim_funcs.push_back(parsed->prim_funcs[0]);
    kernels_[text] = name;
    return name;
  }

  // A kernel learns each symbolic size from a buffer dimension that is exactly that size; one
  // that appears only inside expressions (n * 3) cannot be learned.
  static void require_bindable_sizes(const Call& call, const std::vector<ops::Operand>& operands, const StructInfoPtr& result) {
    std::set<const tir::Var*> alone;
    std::vector<std::pair<tir::VarPtr, tir::Expr>> used;
    auto scan = [&](const StructInfoPtr& sinfo) {
      for (const tir::Expr& dim : *sinfo->shape) {
        if (const auto* ref = dim->as<tir::VarRef>()) alone.insert(ref->var.get());
        for (const tir::VarPtr& var : tir::vars_in(dim)) used.emplace_back(var, dim);
      }
    };
    for (const ops::Operand& operand : operands) {
      if (operand.sinfo) scan(operand.sinfo);
    }
    for (const StructInfoPtr& out : outputs_of(result)) scan(out);
    for (const auto& [var, dim] : used) {
      if (alone.count(var.get())) continue;
      throw CompileError(call.loc, "R." + call.op + ": the symbolic size '" + var->name + "' appears only inside " + ops::dim_text(dim) +
                                       ", so the kernel cannot learn it; give that dimension a variable of its own (R.match_cast)");
    }
  }

  // One operator call, or the call unchanged after recording why it has no kernel, so that
  // every failing call of the module is reported in one run.
  Expr lower_op(const ops::OpDef& op, const Call& call, std::vector<Binding>& emit, bool dataflow, bool top) {
    try {
      return lower_to_kernel(op, call, emit, dataflow, top);
    } catch (const CompileError& e) {
      failures_.push_back(e);
      return std::make_shared<Call>(call);
    }
  }

  // A tensor operand of the kernel: its struct info must be fully known.
  void add_tensor(const Call& call, size_t position, const Expr& lowered, std::vector<ops::Operand>& operands, std::vector<Expr>& tensors) {
    StructInfoPtr sinfo = sinfo_of(lowered);
    if (!known_tensor(sinfo)) {
      throw CompileError(call.loc, "R." + call.op + " needs tensor operands of known shape and dtype to be compiled, and operand " + std::to_string(position) +
                                       " is " + (sinfo ? printing::print_sinfo(*sinfo, false) : std::string("unknown")) + "; annotate or R.match_cast it");
    }
    operands.push_back({sinfo, std::nullopt, nullptr});
    tensors.push_back(lowered);
  }

  // The fields of a tuple operand, each one input buffer: a literal tuple's own fields, or
  // bindings of `t[i]` for a variable holding a tuple.
  std::vector<Expr> tuple_fields(const Call& call, const Expr& lowered, std::vector<Binding>& emit, bool dataflow) {
    if (const auto* tuple = lowered->as<Tuple>()) return tuple->fields;
    StructInfoPtr sinfo = sinfo_of(lowered);
    if (!sinfo || sinfo->kind != StructInfoKind::Tuple) throw CompileError(call.loc, "R." + call.op + " needs a tuple of tensors");
    std::vector<Expr> fields;
    for (size_t i = 0; i < sinfo->fields.size(); ++i) {
      auto var = std::make_shared<Var>(fresh_var_name(), sinfo->fields[i], call.loc);
      var->is_dataflow = dataflow;
      emit.push_back(Binding{var, std::make_shared<TupleGetItem>(lowered, static_cast<int>(i), call.loc), nullptr, false, call.loc});
      fields.push_back(var);
    }
    return fields;
  }

  // A scalar operand, R.prim_value of a constant (written into the kernel as a literal) or, where
  // the operator takes one, of an expression over sizes.
  static ops::Operand prim_operand(const Call& call, const Expr& arg, bool expression_ok) {
    const auto* prim = arg->as<PrimValue>();
    const tir::Expr value = prim ? prim->value : nullptr;
    if (const auto* integer = value ? value->as<tir::IntImm>() : nullptr) return {nullptr, static_cast<double>(integer->value), value};
    if (const auto* number = value ? value->as<tir::FloatImm>() : nullptr) return {nullptr, number->value, value};
    if (value && expression_ok) return {nullptr, std::nullopt, value};
    throw CompileError(arg->as<Var>() ? call.loc : arg->loc, "R." + call.op + (expression_ok ? " needs R.prim_value(...) written in the call here, not a variable holding a scalar"
                                                                 : " needs a constant here, such as R.prim_value(T.float32(1))"));
  }

  // `R.call_pure_packed("env.fill_scalar", value, ty_args=(R.Tensor((), dtype),))`, bound.
  Expr scalar_as_tensor(const Expr& value, DataType dtype, std::vector<Binding>& emit, bool dataflow) {
    auto fill = std::make_shared<Call>(value->loc);
    fill->op = "call_pure_packed";
    fill->args = {std::make_shared<ExternFunc>("env.fill_scalar", value->loc), value};
    StructInfoPtr tensor = make_tensor_sinfo(std::vector<tir::Expr>{}, dtype);
    fill->sinfo_args = {tensor};
    auto var = std::make_shared<Var>(fresh_var_name(), tensor, value->loc);
    var->is_dataflow = dataflow;
    emit.push_back(Binding{var, fill, nullptr, false, value->loc});
    return var;
  }

  Expr lower_to_kernel(const ops::OpDef& op, const Call& call, std::vector<Binding>& emit, bool dataflow, bool top) {
    std::vector<ops::Operand> operands;
    std::vector<Expr> tensors;
    std::vector<const std::vector<tir::Expr>*> shapes;
    for (size_t i = 0; i < call.args.size() && i < op.operands.size(); ++i) {
      const Expr& arg = call.args[i];
      ops::OperandKind kind = op.operands[i].kind;
      if (kind == ops::OperandKind::Shape) {
        StructInfoPtr sinfo = sinfo_of(arg);
        if (!sinfo || !sinfo->shape) throw CompileError(arg->loc, "R." + call.op + " needs a shape of known values here");
        keep_.push_back(sinfo);
        shapes.push_back(&*sinfo->shape);
        continue;
      }
      shapes.push_back(nullptr);
      StructInfoPtr given = kind == ops::OperandKind::TensorOrPrimValue ? sinfo_of(arg) : nullptr;
      if (given && given->kind == StructInfoKind::Prim && !arg->as<PrimValue>() && given->dtype != DataType::Void) {
        // A scalar known only at run time (an R.Prim variable): a 0-d tensor the kernel reads,
        // which broadcasts as the scalar would.
        add_tensor(call, i, scalar_as_tensor(arg, given->dtype, emit, dataflow), operands, tensors);
      } else if (kind == ops::OperandKind::PrimValue || (given && given->kind == StructInfoKind::Prim)) {
        operands.push_back(prim_operand(call, arg, kind == ops::OperandKind::TensorOrPrimValue));
      } else if (const auto* c = arg->as<Constant>(); c && c->is_scalar() && op.scalar_literals) {
        operands.push_back({nullptr, c->scalar, nullptr});
      } else if (kind == ops::OperandKind::TensorTuple) {
        for (const Expr& field : tuple_fields(call, lower(arg, emit, dataflow, false), emit, dataflow)) add_tensor(call, i, field, operands, tensors);
      } else {
        add_tensor(call, i, lower(arg, emit, dataflow, false), operands, tensors);
      }
    }
    StructInfoPtr result = sinfo_of(std::make_shared<Call>(call));
    if (!known_outputs(result)) {
      throw CompileError(call.loc, "the result of R." + call.op + " has no known shape, so it cannot be compiled; annotate the operands' shapes");
    }
    require_bindable_sizes(call, operands, result);
    ops::Attrs attrs = ops::parse_attrs(op, call);
    std::string name = kernel_for(op, call, ops::KernelRequest{call, attrs, operands, shapes, result});
    auto tir_call = std::make_shared<Call>(call.loc);
    tir_call->op = "call_tir";
    tir_call->args.push_back(std::make_shared<GlobalVar>(name, call.loc));
    tir_call->args.push_back(std::make_shared<Tuple>(tensors, call.loc));
    tir_call->sinfo_args = outputs_of(result);
    if (top) return tir_call;
    auto var = std::make_shared<Var>(fresh_var_name(), result, call.loc);
    var->is_dataflow = dataflow;
    emit.push_back(Binding{var, tir_call, nullptr, false, call.loc});
    return var;
  }

  // R.reshape / R.flatten kept as R.reshape(x, R.shape([the result's dimensions])): the VM makes
  // it a view of x's storage instead of a copy.
  Expr keep_as_view(const Call& call, std::vector<Binding>& emit, bool dataflow, bool top) {
    if (call.args.empty()) throw CompileError(call.loc, "R." + call.op + " takes a tensor");
    StructInfoPtr result = sinfo_of(std::make_shared<Call>(call));
    if (!known_tensor(result)) {
      throw CompileError(call.loc, "the result of R." + call.op + " has no known shape, so it cannot be compiled; annotate the operands' shapes");
    }
    auto view = std::make_shared<Call>(call.loc);
    view->op = "reshape";
    view->args.push_back(lower(call.args[0], emit, dataflow, false));
    view->args.push_back(std::make_shared<ShapeExpr>(*result->shape, call.loc));
    if (top) return view;
    auto var = std::make_shared<Var>(fresh_var_name(), result, call.loc);
    var->is_dataflow = dataflow;
    emit.push_back(Binding{var, view, nullptr, false, call.loc});
    return var;
  }

  Expr lower(const Expr& e, std::vector<Binding>& emit, bool dataflow, bool top) {
    if (const auto* call = e->as<Call>()) {
      const ops::OpDef* op = call->unknown_op ? nullptr : ops::find_op(call->op);
      if (op && options_.reshape_as_view && op->row_major_view) {
        try {
          return keep_as_view(*call, emit, dataflow, top);
        } catch (const CompileError& error) {
          failures_.push_back(error);  // reported with the others at the end of the run
          return std::make_shared<Call>(*call);
        }
      }
      if (op && op->legalize) return lower_op(*op, *call, emit, dataflow, top);
      auto copy = std::make_shared<Call>(*call);
      for (Expr& arg : copy->args) arg = lower(arg, emit, dataflow, false);
      return copy;
    }
    if (const auto* tuple = e->as<Tuple>()) {
      std::vector<Expr> fields;
      for (const Expr& field : tuple->fields) fields.push_back(lower(field, emit, dataflow, false));
      return std::make_shared<Tuple>(std::move(fields), e->loc);
    }
    if (const auto* item = e->as<TupleGetItem>()) return std::make_shared<TupleGetItem>(lower(item->tuple, emit, dataflow, false), item->index, e->loc);
    return e;
  }

  Module out_;
  LegalizeOptions options_;
  SourceFile dummy_file_{"<legalize>", ""};
  std::set<std::string> used_names_, var_names_;
  std::map<std::string, std::string> kernels_;  // text with a placeholder name -> kernel name
  std::vector<CompileError> failures_;
  std::vector<StructInfoPtr> keep_;
};

}  // namespace

Module legalize_ops(const Module& module, const LegalizeOptions& options) { return Legalizer(module, options).run(); }

}  // namespace relaxc

// Relax well-formedness and shape inference. Invariants (indexed in README.md):
//  R1 every symbolic variable a function uses is bound by one of its parameters' shapes or by an
//     R.match_cast before its use
//  R2 a destination-passing call to a prim_func of the module passes as many tensors as the
//     prim_func has parameters, each with the buffer's rank and dtype when both are known
//  R3 side-effecting calls (R.call_packed) stay out of dataflow blocks and pure functions
//  R4 an annotation (binding, R.match_cast target aside, or return) agrees with what the
//     value is inferred to be
// Every variable's struct info is inferred here (in place: see relax::Var::sinfo).
#include <set>

#include "compiler/check/check_module.h"
#include "compiler/check/infer_struct_info.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

class RelaxChecker {
 public:
  RelaxChecker(const Function& func, const Module& module, Diagnostics& diags) : func_(func), module_(module), diags_(diags) {}

  void run() {
    for (const VarPtr& param : func_.params) bind_from(*param->sinfo);
    std::set<const tir::Var*> from_params = bound_;
    for (const VarPtr& param : func_.params) require_bound(*param->sinfo, param->loc);
    if (func_.ret_annotation) require_bound(*func_.ret_annotation, func_.ret_annotation->loc);
    for (const BindingBlock& block : func_.blocks) {
      for (const Binding& binding : block.bindings) check_binding(binding, block);
    }
    StructInfoPtr ret = infer_struct_info(func_.body, module_, diags_);
    if (func_.ret_annotation && !sinfo_compatible(*func_.ret_annotation, *ret)) {
      diags_.error(func_.return_loc, "function '" + func_.name + "' returns " + printing::print_sinfo(*ret, false) +
                                         " but is annotated to return " + printing::print_sinfo(*func_.ret_annotation, false));
    }
    // Sizes bound only inside the body (by R.match_cast) are unknown to callers.
    func_.ret_sinfo = func_.ret_annotation ? ret : erase_foreign_sizes(ret, [&](const tir::Var* v) { return from_params.count(v) > 0; });
  }

 private:
  void bind_from(const StructInfo& sinfo) {
    if (sinfo.shape) {
      for (const tir::Expr& dim : *sinfo.shape) {
        if (const auto* ref = dim->as<tir::VarRef>()) bound_.insert(ref->var.get());
      }
    }
    for (const StructInfoPtr& field : sinfo.fields) bind_from(*field);
  }

  void require_bound(const StructInfo& sinfo, SourceLoc loc) {
    if (sinfo.shape) {
      for (const tir::Expr& dim : *sinfo.shape) {
        for (const tir::VarPtr& var : tir::vars_in(dim)) {
          if (!bound_.count(var.get()) && reported_.insert(var.get()).second) {
            diags_.error(dim->loc.valid() ? dim->loc : loc,
                         "symbolic variable '" + var->name + "' is not bound by the shape of any parameter of '" +
                             func_.name + "'");
          }
        }
      }
    }
    for (const StructInfoPtr& field : sinfo.fields) require_bound(*field, loc);
  }

  void check_binding(const Binding& binding, const BindingBlock& block) {
    const auto* call = binding.value->as<Call>();
    if (call) check_call(*call, block);
    StructInfoPtr inferred = infer_struct_info(binding.value, module_, diags_);
    if (binding.annotation) {
      // R.match_cast may introduce symbolic variables: the cast binds them at run time.
      if (binding.is_match_cast) bind_from(*binding.annotation);
      require_bound(*binding.annotation, binding.annotation->loc);
      if (!binding.is_match_cast && !sinfo_compatible(*binding.annotation, *inferred)) {
        diags_.error(binding.annotation->loc, "'" + binding.var->name + "' is annotated " +
                                                  printing::print_sinfo(*binding.annotation, false) +
                                                  " but its value is " + printing::print_sinfo(*inferred, false));
      }
      binding.var->sinfo = binding.annotation;
      return;
    }
    binding.var->sinfo = inferred;
  }

  void check_call(const Call& call, const BindingBlock& block) {
    for (const StructInfoPtr& sinfo : call.sinfo_args) require_bound(*sinfo, sinfo->loc);
    if (call.op == "call_packed") {
      if (block.is_dataflow) {
        diags_.error(call.loc, "R.call_packed may have side effects, so it is not allowed in a dataflow block");
      } else if (func_.is_pure) {
        diags_.error(call.loc, "R.call_packed may have side effects; declare the function @R.function(pure=False)");
      }
      return;
    }
    if (call.op != "call_tir" && call.op != "call_dps_packed") return;
    std::string callee_name;
    if (const auto* global = call.args[0]->as<GlobalVar>()) callee_name = global->name;
    if (const auto* extern_func = call.args[0]->as<ExternFunc>()) callee_name = extern_func->name;
    const tir::PrimFunc* callee = module_.find_prim_func(callee_name);
    if (callee == nullptr) {
      if (module_.find_function(callee_name)) {
        diags_.error(call.args[0]->loc, "'" + callee_name + "' is a Relax function; R." + call.op + " calls a prim_func or a runtime function");
      }
      return;  // a runtime function: checked when it is called
    }
    const auto& inputs = call.args[1]->as<Tuple>()->fields;
    size_t scalars = call.args.size() > 2 ? call.args[2]->as<ShapeExpr>()->values.size() : 0;
    size_t given = inputs.size() + call.sinfo_args.size();
    if (given + scalars != callee->params.size()) {
      diags_.error(call.loc, "prim_func '" + callee_name + "' takes " + std::to_string(callee->params.size()) +
                                 " buffers but this call passes " + std::to_string(inputs.size()) + " input" +
                                 (inputs.size() == 1 ? "" : "s") + " and " + std::to_string(call.sinfo_args.size()) +
                                 " output" + (call.sinfo_args.size() == 1 ? "" : "s") +
                                 (scalars ? " and " + std::to_string(scalars) + " tir_vars" : ""));
      return;
    }
    for (size_t i = given; i < callee->params.size(); ++i) {
      const tir::Param& param = callee->params[i];
      if (param.buffer || !is_int(param.var->dtype)) {
        diags_.error(call.args[2]->loc, "tir_vars value " + std::to_string(i - given) + " goes to parameter '" + param.var->name + "' of '" +
                                           callee_name + "', which is not an integer scalar");
      }
    }
    for (size_t i = 0; i < given; ++i) {
      const tir::Param& param = callee->params[i];
      bool is_output = i >= inputs.size();
      StructInfoPtr sinfo = is_output ? call.sinfo_args[i - inputs.size()] : infer_struct_info(inputs[i], module_, diags_);
      SourceLoc loc = is_output ? call.sinfo_args[i - inputs.size()]->loc : inputs[i]->loc;
      std::string what = is_output ? "output " + std::to_string(i - inputs.size()) : "argument " + std::to_string(i);
      if (!param.buffer) {
        // A scalar parameter takes a prim value from the arguments (TVM's current form of
        // tir_vars); an output is always a buffer.
        bool fits = !is_output && sinfo->kind == StructInfoKind::Prim &&
                    (sinfo->dtype == DataType::Void || is_float(sinfo->dtype) == is_float(param.var->dtype));
        if (!fits) {
          diags_.error(loc, what + " of the call to '" + callee_name + "' goes to the scalar parameter '" + param.var->name + "' (" +
                                dtype_name(param.var->dtype) + ")" +
                                (is_output ? "; outputs are buffers" : ", so it must be a prim value such as R.prim_value(n) or a symbolic size"));
        }
        continue;
      }
      if (sinfo->kind != StructInfoKind::Tensor) {
        diags_.error(loc, what + " of the call to '" + callee_name + "' must be a tensor");
        continue;
      }
      if (sinfo->dtype != DataType::Void && sinfo->dtype != param.buffer->dtype) {
        diags_.error(loc, what + " of the call to '" + callee_name + "' is " + dtype_name(sinfo->dtype) + " but buffer '" +
                              param.buffer->name + "' is " + dtype_name(param.buffer->dtype));
      }
      if (sinfo->rank() >= 0 && sinfo->rank() != static_cast<int>(param.buffer->shape.size())) {
        diags_.error(loc, what + " of the call to '" + callee_name + "' has rank " + std::to_string(sinfo->rank()) +
                              " but buffer '" + param.buffer->name + "' has rank " + std::to_string(param.buffer->shape.size()));
      }
    }
  }

  const Function& func_;
  const Module& module_;
  Diagnostics& diags_;
  std::set<const tir::Var*> bound_, reported_;
};

}  // namespace

void check_relax_function(const Function& func, const Module& module, Diagnostics& diags) {
  RelaxChecker(func, module, diags).run();
}

}  // namespace relaxc

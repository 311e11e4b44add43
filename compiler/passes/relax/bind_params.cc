#include "compiler/passes/relax/bind_params.h"

#include <unordered_map>

#include "compiler/check/check_module.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/relax_mutator.h"
#include "compiler/ir/tir_substitute.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

class ParamBinder {
 public:
  ParamBinder(const Module& module, const Function& func, const BindParamsOptions& options, Diagnostics& diags)
      : module_(module), func_(func), options_(options), diags_(diags) {}

  // Checks one array against its parameter and records the symbolic variables it binds.
  void bind(const VarPtr& param, const relaxrt::NamedArray& entry) {
    std::string key = options_.archive_name + "['" + entry.name + "']";
    const StructInfo& sinfo = *param->sinfo;
    std::string declared = printing::print_sinfo(sinfo, true);
    auto fail = [&](const std::string& what) {
      diags_.error(param->loc, key + " does not fit parameter '" + param->name + "' of @" + func_.name + " (" + declared + "): " + what);
    };
    if (sinfo.kind != StructInfoKind::Tensor) return fail("only tensor parameters can be bound");
    std::optional<DataType> dtype = parse_dtype(entry.array.dtype);
    if (!dtype) return fail("unsupported dtype " + entry.array.dtype);
    if (sinfo.dtype != DataType::Void && sinfo.dtype != *dtype) {
      return fail("dtype " + entry.array.dtype + " but the parameter holds " + dtype_name(sinfo.dtype));
    }
    const std::vector<int64_t>& shape = entry.array.shape;
    if (sinfo.rank() >= 0 && sinfo.rank() != static_cast<int>(shape.size())) {
      return fail("rank " + std::to_string(shape.size()) + " but the parameter has rank " + std::to_string(sinfo.rank()));
    }
    if (sinfo.shape) {
      for (size_t d = 0; d < shape.size(); ++d) {
        const tir::Expr& dim = (*sinfo.shape)[d];
        std::string where = "dimension " + std::to_string(d) + " is " + std::to_string(shape[d]);
        if (const auto* ref = dim->as<tir::VarRef>()) {
          auto it = values_.find(ref->var.get());
          if (it == values_.end()) {
            values_[ref->var.get()] = {shape[d], key + " dimension " + std::to_string(d)};
          } else if (it->second.value != shape[d]) {
            return fail(where + " but " + ref->var->name + " is " + std::to_string(it->second.value) + " (from " + it->second.origin + ")");
          }
        } else if (const auto* imm = dim->as<tir::IntImm>(); imm && imm->value != shape[d]) {
          return fail(where + " but the parameter's is " + std::to_string(imm->value));
        }
      }
    }
    ConstantTensor tensor;
    tensor.dtype = *dtype;
    tensor.shape = shape;
    tensor.bytes.assign(entry.array.data.begin(), entry.array.data.end());
    bound_[param.get()] = std::move(tensor);
  }

  std::optional<Module> rebuild() {
    tir::VarMap sizes;
    for (const auto& [var, value] : values_) sizes[var] = std::make_shared<tir::IntImm>(value.value, var->dtype, SourceLoc{});
    auto func = std::make_shared<Function>(func_);
    func->params.clear();
    for (const VarPtr& param : func_.params) {
      if (bound_.count(param.get())) continue;
      auto copy = std::make_shared<Var>(param->name, tir::substitute(param->sinfo, sizes), param->loc);
      replacements_[param.get()] = copy;
      func->params.push_back(copy);
    }
    func->size_vars.clear();
    for (const tir::VarPtr& var : func_.size_vars) {
      if (!values_.count(var.get())) func->size_vars.push_back(var);
    }
    sizes_ = &sizes;
    for (BindingBlock& block : func->blocks) {
      for (Binding& binding : block.bindings) {
        binding.value = rewrite(binding.value);
        binding.annotation = tir::substitute(binding.annotation, sizes);
        // A fresh variable: its struct info is inferred again from the rewritten value.
        auto var = std::make_shared<Var>(binding.var->name, nullptr, binding.var->loc);
        var->is_dataflow = binding.var->is_dataflow;
        replacements_[binding.var.get()] = var;
        binding.var = var;
      }
      for (VarPtr& output : block.outputs) output = std::static_pointer_cast<const Var>(replacements_.at(output.get()));
    }
    func->body = rewrite(func_.body);
    func->ret_annotation = tir::substitute(func_.ret_annotation, sizes);
    func->ret_sinfo = nullptr;

    Module out = module_;
    out.constants = constants_;
    for (relax::FunctionPtr& f : out.functions) {
      if (f.get() == &func_) f = func;
    }
    // The rewritten function is checked like a new one; a failure here is a bug of this pass.
    Diagnostics recheck(diags_.file());
    check_relax_function(*func, out, recheck);
    if (recheck.has_errors()) throw std::logic_error("BindParams produced an ill-formed @" + func_.name + ": " + recheck.all().front().message);
    return out;
  }

 private:
  struct Bound {
    int64_t value;
    std::string origin;
  };

  Expr constant_for(const Var* param, SourceLoc loc) {
    auto index = constant_index_.find(param);
    if (index == constant_index_.end()) {
      index = constant_index_.emplace(param, static_cast<int>(constants_.size())).first;
      constants_.push_back(bound_.at(param));
    }
    const ConstantTensor& tensor = constants_[static_cast<size_t>(index->second)];
    auto constant = std::make_shared<Constant>(loc);
    constant->metadata_index = index->second;
    constant->dtype = tensor.dtype;
    auto sinfo = std::make_shared<StructInfo>();
    sinfo->kind = StructInfoKind::Tensor;
    sinfo->dtype = tensor.dtype;
    std::vector<tir::Expr> dims;
    for (int64_t extent : tensor.shape) dims.push_back(std::make_shared<tir::IntImm>(extent, DataType::Int64, SourceLoc{}));
    sinfo->shape = dims;
    sinfo->ndim = static_cast<int>(dims.size());
    constant->sinfo = sinfo;
    return constant;
  }

  // Metadata indices follow the order constants are first used, as TVM numbers them. Every
  // call and shape is rebuilt: their struct info and sizes may mention bound sizes.
  class Rewriter : public ExprMutator {
   public:
    explicit Rewriter(ParamBinder& binder) : binder_(binder) {}

   protected:
    Expr var(const Expr& e) override {
      const auto* v = e->as<Var>();
      if (binder_.bound_.count(v)) return binder_.constant_for(v, e->loc);
      auto it = binder_.replacements_.find(v);
      return it == binder_.replacements_.end() ? e : it->second;
    }
    Expr call(const Expr&, std::shared_ptr<Call> rebuilt, bool) override {
      for (StructInfoPtr& sinfo : rebuilt->sinfo_args) sinfo = tir::substitute(sinfo, *binder_.sizes_);
      return rebuilt;
    }
    Expr leaf(const Expr& e) override {
      if (const auto* shape = e->as<ShapeExpr>()) {
        std::vector<tir::Expr> values;
        for (const tir::Expr& v : shape->values) values.push_back(tir::substitute(v, *binder_.sizes_));
        return std::make_shared<ShapeExpr>(std::move(values), e->loc);
      }
      if (const auto* prim = e->as<PrimValue>()) return std::make_shared<PrimValue>(tir::substitute(prim->value, *binder_.sizes_), e->loc);
      return e;
    }

   private:
    ParamBinder& binder_;
  };
  Expr rewrite(const Expr& e) { return Rewriter(*this).mutate(e); }

  const Module& module_;
  const Function& func_;
  const BindParamsOptions& options_;
  Diagnostics& diags_;
  std::unordered_map<const tir::Var*, Bound> values_;
  std::unordered_map<const Var*, ConstantTensor> bound_;
  std::unordered_map<const Var*, int> constant_index_;
  std::unordered_map<const Var*, Expr> replacements_;
  std::vector<ConstantTensor> constants_;
  const tir::VarMap* sizes_ = nullptr;
};

}  // namespace

std::optional<Module> bind_params(const Module& module, const std::vector<relaxrt::NamedArray>& arrays, const BindParamsOptions& options,
                                  Diagnostics& diags) {
  const Function* func = module.find_function(options.function);
  if (!func) {
    diags.error(module.loc, "there is no Relax function '" + options.function + "' to bind " + options.archive_name + " to");
    return std::nullopt;
  }
  if (!module.constants.empty()) {
    diags.error(module.loc, "this module already holds metadata constants; bind parameters once, before printing with --show-meta");
    return std::nullopt;
  }
  ParamBinder binder(module, *func, options, diags);
  std::string names;
  for (const VarPtr& p : func->params) names += (names.empty() ? "" : ", ") + p->name;
  for (const relaxrt::NamedArray& entry : arrays) {
    const VarPtr* match = nullptr;
    for (const VarPtr& p : func->params) {
      if (p->name == entry.name) match = &p;
    }
    if (!match) {
      std::string message = options.archive_name + ": key '" + entry.name + "' matches no parameter of @" + func->name + " (parameters: " + names + ")";
      if (options.allow_unused_keys) diags.warning(func->loc, message);
      else diags.error(func->loc, message + "; pass --allow-unused-params to ignore it");
      continue;
    }
    binder.bind(*match, entry);
  }
  if (diags.has_errors()) return std::nullopt;
  return binder.rebuild();
}

}  // namespace relaxc

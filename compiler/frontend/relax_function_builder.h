// The builder behind build_relax_function(); internal to the front end.
#pragma once

#include <cctype>
#include <functional>

#include "compiler/frontend/build_relax_function.h"

#include <map>
#include <set>

#include "compiler/frontend/attr_builder.h"
#include "compiler/frontend/build_prim_func.h"
#include "compiler/frontend/dim_text.h"
#include "compiler/frontend/statement_source.h"
#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/frontend/tir_names.h"
#include "compiler/ir/struct_info.h"

namespace relaxc::frontend {

class RelaxFunctionBuilder {
  using Item = antlr4::ParserRuleContext;
  using Expr = relax::Expr;
  using Var = relax::Var;
  using VarPtr = relax::VarPtr;
  using StructInfo = relax::StructInfo;
  using StructInfoPtr = relax::StructInfoPtr;
  using StructInfoKind = relax::StructInfoKind;
  using Binding = relax::Binding;
  using BindingBlock = relax::BindingBlock;
  using Function = relax::Function;
  using FunctionPtr = relax::FunctionPtr;
  using Tuple = relax::Tuple;
  using GlobalVar = relax::GlobalVar;

 public:
  RelaxFunctionBuilder(const RelaxFunctionOptions& options, Diagnostics& diags)
      : options_(options), diags_(diags), size_scope_(diags), size_exprs_(size_scope_) {}

  // Type variables (TVM's current way of declaring a signature's symbolic sizes) are declared
  // where first used, as a name in a string dimension is.
  void declare_type_vars_of(P::FunctionDefContext* def) {
    std::set<std::string> type_vars = type_variables(def, options_.type_vars);
    size_exprs_.set_undefined_name_hook([this, type_vars](const std::string& name, SourceLoc loc) {
      if (!type_vars.count(name)) return false;
      size_var_ref(name, loc);
      return true;
    });
  }

  // `body` gives the statements of def's block (which is `pass` when they are read one by one).
  FunctionPtr build(P::FunctionDefContext* def, StatementSource& body) {
    auto func = std::make_shared<Function>();
    func_ = func.get();
    func->name = def->NAME()->getText();
    declare_type_vars_of(def);
    func->loc = loc_of(def->NAME()->getSymbol());
    func->is_pure = options_.is_pure;
    func->is_private = options_.is_private;
    if (def->returnType) func->ret_annotation = build_sinfo(def->returnType);
    if (def->parameters()) {
      for (P::ParameterContext* param : def->parameters()->parameter()) build_param(param);
    }
    build_body(body);
    for (const auto& [name, var] : vars_) {
      if (!used_.count(var.get()) && var_is_local_.count(var.get()) && name[0] != '_') {
        diags_.warning(var->loc, "variable '" + name + "' is defined but never used");
      }
    }
    return func;
  }

 private:
  void build_param(P::ParameterContext* param) {
    std::string name = param->NAME()->getText();
    if (param->value) fail(loc_of(param->value), "Relax function parameters cannot have default values");
    if (!param->annotation) fail(loc_of(param), "parameter '" + name + "' needs struct info, such as R.Tensor((1, \"n\"), \"float32\")");
    if (vars_.count(name)) fail(loc_of(param), "duplicate parameter '" + name + "'");
    auto var = std::make_shared<Var>(name, build_sinfo(param->annotation), loc_of(param));
    vars_[name] = var;
    func_->params.push_back(var);
  }

  // ---- struct info ------------------------------------------------------------------------

  tir::Expr build_dim(P::ExprContext* ctx) {
    if (std::optional<std::string> text = string_literal(ctx)) return dim_from_string(*text, loc_of(ctx));
    tir::Expr dim = size_exprs_.build_as(ctx, DataType::Int64);
    if (!is_int(dim->dtype)) fail(loc_of(ctx), "a shape dimension must be an integer");
    return dim;
  }

  // A dimension written as a string: a symbolic variable ("n") or an expression over them, as
  // TVM prints one in a signature ("n * 12"); a name used for the first time declares it.
  tir::Expr dim_from_string(const std::string& text, SourceLoc loc) {
    return parse_dim_text(text, loc, [&](const std::string& name) { return size_var_ref(name, loc); });
  }

  tir::Expr size_var_ref(const std::string& name, SourceLoc loc) {
    const Symbol* symbol = size_scope_.lookup(name);
    if (symbol == nullptr) {
      auto var = std::make_shared<tir::Var>(tir::Var{name, DataType::Int64, loc});
      size_scope_.define(name, {var, nullptr, loc});
      func_->size_vars.push_back(var);
      symbol = size_scope_.lookup(name);
    }
    return std::make_shared<tir::VarRef>(symbol->var, loc);
  }

  std::vector<tir::Expr> build_dims(P::ExprContext* ctx) {
    std::optional<std::vector<P::ExprContext*>> dims = sequence_elements(ctx);
    if (!dims) fail(loc_of(ctx), "a shape is a tuple or list of dimensions, such as (1, \"n\")");
    std::vector<tir::Expr> out;
    for (P::ExprContext* dim : *dims) out.push_back(build_dim(dim));
    return out;
  }

  DataType dtype_of(P::ExprContext* ctx) {
    std::optional<std::string> text = string_literal(ctx);
    if (!text) fail(loc_of(ctx), "a dtype is a string such as \"float32\"");
    std::optional<DataType> dtype = parse_dtype(*text);
    if (!dtype) fail(loc_of(ctx), "unknown dtype \"" + *text + "\"" + did_you_mean(*text, all_dtype_names()));
    return *dtype;
  }

  int ndim_of(P::ExprContext* ctx) {
    std::optional<int64_t> ndim = integer_literal(ctx);
    if (!ndim || *ndim < -1) fail(loc_of(ctx), "ndim must be a non-negative integer (or -1 for unknown)");
    return static_cast<int>(*ndim);
  }

  StructInfoPtr build_sinfo(P::ExprContext* ctx) {
    auto sinfo = std::make_shared<StructInfo>();
    sinfo->loc = loc_of(ctx);
    if (std::optional<std::vector<P::ExprContext*>> fields = sequence_elements(ctx)) {
      sinfo->kind = StructInfoKind::Tuple;
      for (P::ExprContext* field : *fields) sinfo->fields.push_back(build_sinfo(field));
      return sinfo;
    }
    std::optional<CallSyntax> call = as_call(ctx);
    std::string name = call ? call->callee_name : dotted_name(ctx).value_or("");
    if (name == "R.Tensor") {
      sinfo->kind = StructInfoKind::Tensor;
      if (!call) return sinfo;
      expect_arguments(*call, 0, 2, {"shape", "dtype", "ndim"});
      P::ExprContext* shape = call->positional.size() > 0 ? call->positional[0] : call->keyword("shape");
      P::ExprContext* dtype = call->positional.size() > 1 ? call->positional[1] : call->keyword("dtype");
      // R.Tensor("float32") names only the dtype; R.Tensor(None, "float32", ndim=2), as TVM prints
      // a tensor of unknown shape, names no shape.
      if (shape && call->positional.size() == 1 && string_literal(shape)) std::swap(shape, dtype);
      if (shape && is_none_literal(shape)) shape = nullptr;
      if (const StructInfo* shape_var = shape ? shape_variable(shape) : nullptr) {
        // R.Tensor(s, "float32") with `s` a shape value: the tensor has the dimensions s is known
        // to have (its struct info), or at least its rank.
        sinfo->shape = shape_var->shape;
        sinfo->ndim = shape_var->rank();
        shape = nullptr;
      }
      if (shape) sinfo->shape = build_dims(shape);
      if (dtype) sinfo->dtype = dtype_of(dtype);
      if (P::ExprContext* ndim = call->keyword("ndim")) {
        sinfo->ndim = ndim_of(ndim);
        if (sinfo->shape && static_cast<int>(sinfo->shape->size()) != sinfo->ndim) {
          fail(loc_of(ndim), "ndim=" + std::to_string(sinfo->ndim) + " disagrees with a shape of rank " +
                                 std::to_string(sinfo->shape->size()));
        }
      }
      return sinfo;
    }
    if (name == "R.Shape") {
      sinfo->kind = StructInfoKind::Shape;
      if (!call) return sinfo;
      expect_arguments(*call, 0, 1, {"ndim"});
      if (!call->positional.empty()) sinfo->shape = build_dims(call->positional[0]);
      if (P::ExprContext* ndim = call->keyword("ndim")) sinfo->ndim = ndim_of(ndim);
      return sinfo;
    }
    if (name == "R.Tuple") {
      sinfo->kind = StructInfoKind::Tuple;
      if (!call) return sinfo;
      expect_arguments(*call, 0, 64, {});
      std::vector<P::ExprContext*> fields = call->positional;
      // R.Tuple([a, b]) is R.Tuple(a, b): one list (or tuple) argument is the list of fields.
      if (fields.size() == 1) {
        if (std::optional<std::vector<P::ExprContext*>> items = sequence_elements(fields[0])) fields = *items;
      }
      for (P::ExprContext* field : fields) sinfo->fields.push_back(build_sinfo(field));
      return sinfo;
    }
    if (name == "R.Object") {
      if (call) expect_arguments(*call, 0, 0, {});
      return sinfo;
    }
    if (name == "R.Prim") {
      sinfo->kind = StructInfoKind::Prim;
      if (!call) fail(sinfo->loc, "R.Prim needs a dtype, as in R.Prim(\"int64\")");
      expect_arguments(*call, 0, 1, {"dtype"});
      P::ExprContext* dtype = call->positional.empty() ? call->keyword("dtype") : call->positional[0];
      if (!dtype) fail(sinfo->loc, "R.Prim needs a dtype, as in R.Prim(\"int64\")");
      sinfo->dtype = dtype_of(dtype);
      return sinfo;
    }
    // TVM's current spelling of R.Prim("int64") is the TensorIR type: `n: T.int64`.
    if (std::optional<DataType> prim = !call && name.rfind("T.", 0) == 0 ? parse_dtype(name.substr(2)) : std::nullopt;
        prim && *prim != DataType::Handle && *prim != DataType::Void) {
      sinfo->kind = StructInfoKind::Prim;
      sinfo->dtype = *prim;
      return sinfo;
    }
    if (name.rfind("R.", 0) == 0) {
      fail(sinfo->loc, "unknown struct info '" + name + "'" +
                           did_you_mean(name, {"R.Tensor", "R.Shape", "R.Tuple", "R.Object", "R.Prim"}));
    }
    fail(sinfo->loc, "expected struct info such as R.Tensor((1, \"n\"), \"float32\")");
  }

  // ---- statements -------------------------------------------------------------------------

  void build_body(StatementSource& items) {
    source_ = &items;
    while (Item* item = items.next()) {
      SourceLoc loc = loc_of(item);
      if (func_->body) fail(loc, "statement after 'return' is never executed");
      if (auto* compound = dynamic_cast<P::CompoundStatementContext*>(item)) {
        build_compound(compound, items);
        source_ = &items;
        continue;
      }
      if (auto* ret = dynamic_cast<P::ReturnStatementContext*>(item)) {
        if (!ret->exprList()) fail(loc, "a Relax function must return a value");
        func_->return_loc = loc;
        func_->body = build_value_list(ret->exprList());
        continue;
      }
      build_simple(item, /*dataflow=*/false);
    }
    flush_plain_block();
    if (!func_->body) fail(func_->loc, "Relax function '" + func_->name + "' has no 'return' statement");
  }

  // `outer` is the source `compound` came from: the with block's statements come from it.
  void build_compound(P::CompoundStatementContext* compound, StatementSource& outer) {
    SourceLoc loc = loc_of(compound);
    auto* with = compound->withStatement();
    if (with == nullptr) {
      if (compound->ifStatement()) fail(loc, "if/else in a Relax function is not supported");
      if (compound->forStatement()) fail(loc, "'for' loops belong in a T.prim_func, not in a Relax function");
      if (compound->whileStatement()) fail(loc, "'while' loops are not supported in a Relax function");
      fail(loc, "a nested function or class definition is not supported inside a Relax function");
    }
    std::optional<CallSyntax> call = as_call(with->expr());
    if (!call || call->callee_name != "R.dataflow") {
      fail(loc_of(with->expr()), "unsupported 'with' statement in a Relax function; expected 'with R.dataflow():'");
    }
    expect_arguments(*call, 0, 0, {});
    if (with->target) fail(loc_of(with->target), "'with R.dataflow() as ...' is not supported");
    flush_plain_block();
    BindingBlock block;
    block.is_dataflow = true;
    block.loc = loc;
    current_ = &block;
    std::vector<std::string> defined_here;
    std::unique_ptr<StatementSource> items = outer.block_of(with->block());
    source_ = items.get();
    while (Item* item = items->next()) {
      if (auto* inner = dynamic_cast<P::CompoundStatementContext*>(item)) {
        if (inner->withStatement()) fail(loc_of(inner), "dataflow blocks cannot be nested");
        build_compound(inner, *items);
      }
      if (dynamic_cast<P::ReturnStatementContext*>(item)) fail(loc_of(item), "'return' inside a dataflow block; return after the block");
      if (block.output_loc.valid()) fail(loc_of(item), "R.output(...) must be the last statement of a dataflow block");
      build_simple(item, /*dataflow=*/true);
    }
    current_ = nullptr;
    if (!block.output_loc.valid()) {
      fail(loc, "dataflow block has no R.output(...); nothing it computes would be visible after it");
    }
    // Variables not passed to R.output vanish with the block.
    for (const Binding& binding : block.bindings) {
      bool is_output = false;
      for (const VarPtr& out : block.outputs) is_output = is_output || out == binding.var;
      if (is_output) continue;
      binding.var->is_dataflow = true;
      auto found = vars_.find(binding.var->name);
      if (found != vars_.end() && found->second == binding.var) {
        hidden_[binding.var->name] = binding.var->loc;
        if (!used_.count(binding.var.get()) && binding.var->name[0] != '_') {
          diags_.warning(binding.var->loc, "variable '" + binding.var->name + "' is defined but never used");
        }
        var_is_local_.erase(binding.var.get());
        vars_.erase(found);
      }
    }
    func_->blocks.push_back(std::move(block));
  }

  void flush_plain_block() {
    if (plain_.bindings.empty()) return;
    func_->blocks.push_back(std::move(plain_));
    plain_ = BindingBlock{};
  }

  void build_simple(Item* item, bool dataflow) {
    SourceLoc loc = loc_of(item);
    BindingBlock& block = dataflow ? *current_ : plain_;
    if (dynamic_cast<P::PassStatementContext*>(item)) return;
    if (auto* assign = dynamic_cast<P::AssignStatementContext*>(item)) {
      build_assign(assign, block, dataflow);
      return;
    }
    if (auto* expr_stmt = dynamic_cast<P::ExpressionStatementContext*>(item)) {
      std::vector<P::ExprContext*> exprs = list_elements(expr_stmt->exprList());
      std::optional<CallSyntax> call = exprs.size() == 1 ? as_call(exprs[0]) : std::nullopt;
      if (call && call->callee_name == "R.output") {
        if (!dataflow) fail(loc, "R.output(...) is only allowed inside 'with R.dataflow():'");
        expect_arguments(*call, 1, 64, {});
        for (P::ExprContext* arg : call->positional) {
          std::optional<std::string> name = dotted_name(arg);
          VarPtr var = name ? lookup_block_var(*name, block) : nullptr;
          if (!var) fail(loc_of(arg), "R.output(...) takes variables defined in this dataflow block");
          block.outputs.push_back(var);
        }
        block.output_loc = loc;
        return;
      }
      if (call && call->callee_name == "R.func_attr") {
        expect_arguments(*call, 1, 1, {});
        for (auto& entry : build_attr_dict(call->positional[0], "R.func_attr's argument")) func_->attrs.push_back(entry);
        return;
      }
      // A call kept for its side effect, such as R.call_packed("print", x).
      Expr value = build_value_list(expr_stmt->exprList());
      auto var = std::make_shared<Var>("_", nullptr, loc);
      block.bindings.push_back({var, value, nullptr, false, loc});
      return;
    }
    if (dynamic_cast<P::AugmentedAssignStatementContext*>(item)) {
      fail(loc, "augmented assignment is not supported in a Relax function; bind a new variable");
    }
    if (dynamic_cast<P::DeclarationStatementContext*>(item)) fail(loc, "a declaration needs a value: 'name: struct_info = value'");
    if (dynamic_cast<P::ImportStatementContext*>(item) || dynamic_cast<P::FromImportStatementContext*>(item)) {
      fail(loc, "imports are only allowed at the top of the file");
    }
    fail(loc, "unsupported statement in a Relax function");
  }

  VarPtr lookup_block_var(const std::string& name, const BindingBlock& block) {
    for (const Binding& binding : block.bindings) {
      if (binding.var->name == name) return binding.var;
    }
    return nullptr;
  }

  void build_assign(P::AssignStatementContext* assign, BindingBlock& block, bool dataflow) {
    std::vector<P::ExprContext*> targets = list_elements(assign->targets);
    std::vector<P::ExprContext*> values = list_elements(assign->value);
    SourceLoc loc = loc_of(assign);
    std::optional<CallSyntax> first = values.empty() ? std::nullopt : as_call(values[0]);
    if (first && may_declare_size_var(first->callee_name)) {
      declare_size_vars(targets, values, loc, dataflow);
      return;
    }
    if (targets.size() != 1) fail(loc, "tuple unpacking is not supported in Relax; bind the tuple and index it, as in t[0]");
    std::optional<std::string> name = dotted_name(targets[0]);
    if (first && first->callee_name == "I.meta_var" && values.size() == 1 && name && name->find('.') == std::string::npos) {
      // `scale = I.meta_var(e)`: TVM's parser binds the name to the value itself, not to a
      // Relax variable; each use of the name reads `e`.
      expect_arguments(*first, 1, 1, {});
      meta_vars_[*name] = first->positional[0];
      if (source_) source_->keep_current();
      return;
    }
    if (name == std::optional<std::string>("cls") && values.size() == 1 && !assign->annotation) {
      std::optional<std::string> value = dotted_name(values[0]);
      if (value && *value == options_.module_class) return;  // TVM's alias for the module: `cls.f` names f
      fail(loc_of(values[0]), "'cls' names the module here: write 'cls = " + options_.module_class + "'");
    }
    if (!name || name->find('.') != std::string::npos) fail(loc_of(targets[0]), "cannot assign to this expression");
    Binding binding;
    binding.loc = loc;
    if (assign->annotation) binding.annotation = build_sinfo(assign->annotation);
    if (first && first->callee_name == "R.match_cast") {
      if (values.size() != 1) fail(loc_of(assign->value), "R.match_cast takes one value");
      expect_arguments(*first, 2, 2, {});
      binding.value = build_expr(first->positional[0]);
      binding.annotation = build_sinfo(first->positional[1]);
      binding.is_match_cast = true;
    } else {
      binding.value = build_value_list(assign->value);
    }
    auto var = std::make_shared<Var>(*name, nullptr, loc_of(targets[0]));
    if (vars_.count(*name) || hidden_.count(*name)) {
      diags_.warning(var->loc, "'" + *name + "' rebinds an earlier variable of the same name");
    }
    binding.var = var;
    remember_shape_value(binding);
    block.bindings.push_back(binding);
    vars_[*name] = var;
    var_is_local_.insert(var.get());
    hidden_.erase(*name);
  }

  void declare_size_vars(const std::vector<P::ExprContext*>& targets, const std::vector<P::ExprContext*>& values,
                         SourceLoc loc, bool dataflow) {
    if (dataflow) fail(loc, "symbolic variables are declared at the top of the function body, not in a dataflow block");
    if (targets.size() != values.size()) {
      fail(loc, std::to_string(targets.size()) + " names but " + std::to_string(values.size()) + " values");
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      std::optional<CallSyntax> call = as_call(values[i]);
      std::optional<DataType> dtype = call ? declared_size_var(*call, targets[i]) : std::nullopt;
      if (!dtype) fail(loc_of(values[i]), "expected a symbolic variable declaration such as T.int64()");
      std::optional<std::string> name = dotted_name(targets[i]);
      if (!name || name->find('.') != std::string::npos) fail(loc_of(targets[i]), "expected a name");
      if (*dtype != DataType::Int64) {
        fail(loc_of(values[i]), "symbolic shape variables in Relax are int64; use T.int64()");
      }
      size_var_ref(*name, loc_of(targets[i]));
    }
  }

  // ---- expressions ------------------------------------------------------------------------

  Expr build_value_list(P::ExprListContext* list) {
    std::vector<P::ExprContext*> exprs = list_elements(list);
    if (exprs.size() == 1 && list->COMMA().empty()) return build_expr(exprs[0]);
    std::vector<Expr> fields;
    for (P::ExprContext* e : exprs) fields.push_back(build_expr(e));
    return std::make_shared<Tuple>(std::move(fields), loc_of(list));
  }

  // The struct info of `ctx` when it names a Relax variable holding a shape; null otherwise.
  // Bindings have struct info only once the checker has run, so a shape bound in the body is
  // known from its annotation or, for R.shape_of(x), from x's (see remember_shape_value).
  const StructInfo* shape_variable(P::ExprContext* ctx) {
    std::optional<std::string> name = dotted_name(ctx);
    auto found = name ? vars_.find(*name) : vars_.end();
    if (found == vars_.end()) return nullptr;
    const StructInfo* sinfo = found->second->sinfo.get();
    auto bound = shape_values_.find(found->second.get());
    if (!sinfo && bound != shape_values_.end()) sinfo = bound->second.get();
    if (!sinfo || sinfo->kind != StructInfoKind::Shape) return nullptr;
    used_.insert(found->second.get());
    return sinfo;
  }

  void remember_shape_value(const Binding& binding) {
    StructInfoPtr known = binding.annotation && binding.annotation->kind == StructInfoKind::Shape ? binding.annotation : nullptr;
    const auto* call = binding.value ? binding.value->as<relax::Call>() : nullptr;
    if (!known && call && call->op == "shape_of" && call->args.size() == 1) {
      const auto* tensor = call->args[0]->as<relax::Var>();
      if (tensor && tensor->sinfo && tensor->sinfo->kind == StructInfoKind::Tensor) known = shape_sinfo_of(*tensor->sinfo);
    }
    if (known) shape_values_[binding.var.get()] = known;
  }

  // The expression a meta variable stands for, or null when `ctx` names none.
  P::ExprContext* meta_value(P::ExprContext* ctx) {
    auto* atom = dynamic_cast<P::AtomExprContext*>(ctx);
    auto* name = atom ? dynamic_cast<P::NameAtomContext*>(atom->atom()) : nullptr;
    if (name == nullptr || vars_.count(name->NAME()->getText())) return nullptr;
    auto found = meta_vars_.find(name->NAME()->getText());
    if (found == meta_vars_.end()) return nullptr;
    if (expanding_.count(found->first)) fail(loc_of(ctx), "meta variable '" + found->first + "' is defined by itself");
    return found->second;
  }

  template <typename Build>
  auto expand_meta(P::ExprContext* ctx, Build build) {
    P::ExprContext* value = meta_value(ctx);
    std::string name = ctx->getText();
    expanding_.insert(name);
    auto out = build(value);
    expanding_.erase(name);
    return out;
  }

  Expr lookup_var(const std::string& name, SourceLoc loc) {
    auto found = vars_.find(name);
    if (found != vars_.end()) {
      used_.insert(found->second.get());
      return found->second;
    }
    auto hidden = hidden_.find(name);
    if (hidden != hidden_.end()) {
      fail(loc, "'" + name + "' is defined in a dataflow block (line " + std::to_string(hidden->second.line) +
                    ") and is not visible after it; pass it to R.output(...)");
    }
    if (options_.relax_functions.count(name) || options_.prim_funcs.count(name)) {
      return std::make_shared<GlobalVar>(name, loc);
    }
    // A symbolic size used as a value, as TVM's current printer passes one to a prim_func in
    // R.call_tir's arguments: the prim value of that size.
    if (size_scope_.lookup(name)) return std::make_shared<relax::PrimValue>(size_var_ref(name, loc), loc);
    std::vector<std::string> candidates;
    for (const auto& entry : vars_) candidates.push_back(entry.first);
    fail(loc, "name '" + name + "' is not defined" + did_you_mean(name, candidates));
  }

  Expr build_expr(P::ExprContext* ctx);
  Expr build_call(P::ExprContext* ctx, const CallSyntax& call);
  // R.<operator>(...): operands and attributes as the operator registry defines them.
  Expr build_operator_call(const CallSyntax& call, std::shared_ptr<relax::Call> node);
  Expr build_shape_operand(P::ExprContext* ctx);
  Expr build_tensor_literal(const CallSyntax& call, std::shared_ptr<relax::Constant> constant);
  Expr build_callee(P::ExprContext* ctx, bool module_only);
  Expr build_args_tuple(P::ExprContext* ctx);
  std::vector<StructInfoPtr> build_out_sinfo(P::ExprContext* ctx);

  const RelaxFunctionOptions& options_;
  Diagnostics& diags_;
  Function* func_ = nullptr;
  Scope size_scope_;
  TirExprBuilder size_exprs_;
  std::map<std::string, VarPtr> vars_;
  std::map<const Var*, StructInfoPtr> shape_values_;  // shapes bound in the body, known before checking
  std::map<std::string, P::ExprContext*> meta_vars_;  // `name = I.meta_var(e)`: e, by name
  StatementSource* source_ = nullptr;  // where the statement being built came from
  std::set<std::string> expanding_;                    // meta variables being read, against cycles
  std::map<std::string, SourceLoc> hidden_;
  std::set<const Var*> used_;
  std::set<const Var*> var_is_local_;
  BindingBlock plain_;
  BindingBlock* current_ = nullptr;
};

}  // namespace relaxc::frontend

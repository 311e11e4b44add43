// Relax expressions: variables, tuples, constants, the call_* forms, operators and calls to
// the module's other functions.
#include "compiler/frontend/relax_function_builder.h"

#include "compiler/ir/struct_info.h"

namespace relaxc::frontend {

using namespace relaxc::relax;

namespace {

bool is_metadata_constant(P::SubscriptExprContext* outer, int64_t* index) {
  // metadata["relax.expr.Constant"][i]
  auto* inner = dynamic_cast<P::SubscriptExprContext*>(outer->expr());
  if (inner == nullptr || dotted_name(inner->expr()) != std::optional<std::string>("metadata")) return false;
  auto subs = inner->subscripts()->subscript();
  auto outer_subs = outer->subscripts()->subscript();
  if (subs.size() != 1 || outer_subs.size() != 1 || !subs[0]->COLON().empty() || !outer_subs[0]->COLON().empty()) {
    return false;
  }
  std::optional<std::string> kind = string_literal(subs[0]->expr(0));
  if (!kind || *kind != "relax.expr.Constant") {
    fail(loc_of(subs[0]), "only metadata[\"relax.expr.Constant\"][i] is supported");
  }
  std::optional<int64_t> i = integer_literal(outer_subs[0]->expr(0));
  if (!i || *i < 0) fail(loc_of(outer_subs[0]), "a metadata index is a non-negative integer");
  *index = *i;
  return true;
}

}  // namespace

Expr RelaxFunctionBuilder::build_expr(P::ExprContext* ctx) {
  SourceLoc loc = loc_of(ctx);
  if (meta_value(ctx)) return expand_meta(ctx, [&](P::ExprContext* value) { return build_expr(value); });
  if (auto* atom_expr = dynamic_cast<P::AtomExprContext*>(ctx)) {
    P::AtomContext* atom = atom_expr->atom();
    if (auto* name = dynamic_cast<P::NameAtomContext*>(atom)) return lookup_var(name->NAME()->getText(), loc);
    if (auto* paren = dynamic_cast<P::ParenAtomContext*>(atom)) {
      if (!paren->exprList()) return std::make_shared<Tuple>(std::vector<Expr>{}, loc);
      return build_value_list(paren->exprList());
    }
    if (auto* list = dynamic_cast<P::ListAtomContext*>(atom)) {
      std::vector<Expr> fields;
      for (P::ExprContext* e : list_elements(list->exprList())) fields.push_back(build_expr(e));
      return std::make_shared<Tuple>(std::move(fields), loc);
    }
    if (std::optional<std::string> text = string_literal(ctx)) return std::make_shared<StringImm>(*text, loc);
    // TVM's current printer writes a prim value as a bare integer: `(x, 1)` is `(x, R.prim_value(1))`.
    if (std::optional<int64_t> integer = integer_literal(ctx)) {
      return std::make_shared<PrimValue>(std::make_shared<tir::IntImm>(*integer, DataType::Int64, loc), loc);
    }
    if (std::optional<bool> boolean = bool_literal(ctx)) {
      return std::make_shared<PrimValue>(std::make_shared<tir::IntImm>(*boolean ? 1 : 0, DataType::Bool, loc), loc);
    }
    fail(loc, "a bare number is not a Relax value; use R.const(value, dtype) or R.prim_value(value)");
  }
  if (auto* sub = dynamic_cast<P::SubscriptExprContext*>(ctx)) {
    int64_t index = 0;
    if (is_metadata_constant(sub, &index)) {
      auto constant = std::make_shared<Constant>(loc);
      constant->metadata_index = static_cast<int>(index);
      return constant;
    }
    auto subs = sub->subscripts()->subscript();
    std::optional<int64_t> i = subs.size() == 1 && subs[0]->COLON().empty() ? integer_literal(subs[0]->expr(0)) : std::nullopt;
    if (!i || *i < 0) fail(loc_of(sub->subscripts()), "a tuple index is a non-negative integer, as in t[0]");
    return std::make_shared<TupleGetItem>(build_expr(sub->expr()), static_cast<int>(*i), loc);
  }
  if (auto* attr = dynamic_cast<P::AttributeExprContext*>(ctx)) {
    std::string name = dotted_name(attr).value_or("");
    if (name.rfind("cls.", 0) == 0 || (!options_.module_class.empty() && name.rfind(options_.module_class + ".", 0) == 0)) {
      return build_callee(ctx, /*module_only=*/true);
    }
    fail(loc, "'" + name + "' is not a Relax value");
  }
  if (auto* call = dynamic_cast<P::CallExprContext*>(ctx)) return build_call(ctx, *as_call(call));
  if (dynamic_cast<P::BinaryExprContext*>(ctx) || dynamic_cast<P::UnaryExprContext*>(ctx)) {
    fail(loc, "arithmetic operators are not supported on Relax values; use R.add, R.multiply, ...");
  }
  fail(loc, "unsupported expression in a Relax function");
}

// `cls.linear0`, `linear0` or "linear0": a function of this module (or, for call_dps_packed's
// string, a function the runtime provides).
Expr RelaxFunctionBuilder::build_callee(P::ExprContext* ctx, bool module_only) {
  SourceLoc loc = loc_of(ctx);
  std::optional<std::string> name = string_literal(ctx);
  bool quoted = name.has_value();
  if (!name) {
    name = dotted_name(ctx);
    // `cls.f`, or `MyModule.f` with the module's own class name.
    if (name && name->rfind("cls.", 0) == 0) *name = name->substr(4);
    std::string qualified = options_.module_class + ".";
    if (name && !options_.module_class.empty() && name->rfind(qualified, 0) == 0) *name = name->substr(qualified.size());
  }
  if (!name || name->empty()) fail(loc, "expected a function: a name, cls.name or a string");
  bool in_module = options_.prim_funcs.count(*name) || options_.relax_functions.count(*name);
  if (quoted && !module_only) return std::make_shared<ExternFunc>(*name, loc);
  if (!in_module) {
    std::vector<std::string> names(options_.prim_funcs.begin(), options_.prim_funcs.end());
    fail(loc, "'" + *name + "' is not a function of this module" + did_you_mean(*name, names));
  }
  return std::make_shared<GlobalVar>(*name, loc);
}

// The argument tuple of call_tir / call_dps_packed: `(x, w)`, `(x,)`, `[x, w]` or a single value.
Expr RelaxFunctionBuilder::build_args_tuple(P::ExprContext* ctx) {
  Expr args = build_expr(ctx);
  if (args->as<Tuple>()) return args;
  return std::make_shared<Tuple>(std::vector<Expr>{args}, loc_of(ctx));
}

std::vector<StructInfoPtr> RelaxFunctionBuilder::build_out_sinfo(P::ExprContext* ctx) {
  auto* atom = dynamic_cast<P::AtomExprContext*>(ctx);
  if (atom && dynamic_cast<P::ListAtomContext*>(atom->atom())) {
    std::vector<StructInfoPtr> out;
    std::vector<P::ExprContext*> items = *sequence_elements(ctx);
    for (P::ExprContext* e : items) out.push_back(build_sinfo(e));
    if (out.empty()) fail(loc_of(ctx), "out_sinfo lists no outputs");
    return out;
  }
  return {build_sinfo(ctx)};
}

// R.const([[1, 2], [3, 4]], "float32"): nested lists of numbers, every row of one length. The
// dtype defaults as numpy's would: int64 for integers, float32 once a fraction appears.
Expr RelaxFunctionBuilder::build_tensor_literal(const CallSyntax& call, std::shared_ptr<Constant> constant) {
  std::vector<int64_t> shape;
  bool fractional = false;
  std::function<void(P::ExprContext*, size_t)> walk = [&](P::ExprContext* item, size_t depth) {
    std::optional<std::vector<P::ExprContext*>> items = sequence_elements(item);
    if (items) {
      if (depth == shape.size()) shape.push_back(static_cast<int64_t>(items->size()));
      else if (depth > shape.size() || shape[depth] != static_cast<int64_t>(items->size())) fail(loc_of(item), "R.const: the rows of a tensor constant must all have the same length");
      for (P::ExprContext* e : *items) walk(e, depth + 1);
      return;
    }
    if (depth != shape.size()) fail(loc_of(item), "R.const: a tensor constant needs the same nesting depth everywhere");
    std::optional<int64_t> integer = integer_literal(item);
    std::optional<double> number = float_literal(item);
    if (!number) number = special_float_literal(item);
    if (!integer && !number) fail(loc_of(item), "R.const: a tensor constant holds numbers");
    fractional = fractional || !integer;
    constant->values.push_back(integer ? static_cast<double>(*integer) : *number);
  };
  walk(call.positional[0], 0);
  constant->literal_shape = shape;
  constant->dtype = fractional ? DataType::Float32 : DataType::Int64;
  P::ExprContext* dtype = call.positional.size() > 1 ? call.positional[1] : call.keyword("dtype");
  if (dtype) constant->dtype = dtype_of(dtype);
  std::vector<tir::Expr> dims;
  for (int64_t d : shape) dims.push_back(std::make_shared<tir::IntImm>(d, DataType::Int64, constant->loc));
  constant->sinfo = make_tensor_sinfo(dims, constant->dtype);
  return constant;
}

Expr RelaxFunctionBuilder::build_call(P::ExprContext* ctx, const CallSyntax& call) {
  auto node = std::make_shared<Call>(loc_of(ctx));
  const std::string& name = call.callee_name;
  if (name == "R.call_dps_packed" || name == "R.call_tir") {
    bool is_tir = name == "R.call_tir";
    expect_arguments(call, 2, 4, {"out_sinfo", "dtype", "tir_vars"});
    node->op = is_tir ? "call_tir" : "call_dps_packed";
    node->args.push_back(build_callee(call.positional[0], /*module_only=*/is_tir));
    node->args.push_back(build_args_tuple(call.positional[1]));
    P::ExprContext* out = call.positional.size() > 2 ? call.positional[2] : call.keyword("out_sinfo");
    if (!out) fail(call.loc, name + " needs the output's struct info: out_sinfo=R.Tensor(shape, dtype)");
    if (P::ExprContext* dtype = call.keyword("dtype")) {
      // The older spelling: R.call_tir(f, args, (1, n), dtype="float32").
      auto sinfo = std::make_shared<StructInfo>();
      sinfo->kind = StructInfoKind::Tensor;
      sinfo->loc = loc_of(out);
      sinfo->shape = build_dims(out);
      sinfo->dtype = dtype_of(dtype);
      node->sinfo_args = {sinfo};
    } else {
      node->sinfo_args = build_out_sinfo(out);
    }
    if (call.positional.size() > 3) fail(loc_of(call.positional[3]), "too many arguments to " + name);
    if (P::ExprContext* tir_vars = call.keyword("tir_vars")) {
      // Values for the callee's scalar parameters, after its buffers: R.shape([n, m]).
      Expr values = build_expr(tir_vars);
      if (!values->as<ShapeExpr>()) fail(loc_of(tir_vars), "tir_vars takes a shape of values, such as R.shape([n])");
      node->args.push_back(values);
    }
    return node;
  }
  if (name == "R.call_packed" || name == "R.call_pure_packed") {
    // call_pure_packed: the same call, declared free of side effects, so a dataflow block may hold it.
    expect_arguments(call, 1, 64, {"sinfo_args"});
    node->op = name.substr(2);
    std::optional<std::string> callee = string_literal(call.positional[0]);
    if (!callee) fail(loc_of(call.positional[0]), name + "'s first argument is the function's name, a string");
    node->args.push_back(std::make_shared<ExternFunc>(*callee, loc_of(call.positional[0])));
    for (size_t i = 1; i < call.positional.size(); ++i) node->args.push_back(build_expr(call.positional[i]));
    if (P::ExprContext* sinfo = call.keyword("sinfo_args")) {
      // TVM writes the list of struct infos as a tuple too: ty_args=(R.Tensor(...),).
      if (std::optional<std::vector<P::ExprContext*>> items = sequence_elements(sinfo)) {
        for (P::ExprContext* item : *items) node->sinfo_args.push_back(build_sinfo(item));
        if (node->sinfo_args.size() != 1) fail(loc_of(sinfo), name + " takes the struct info of its one result");
      } else {
        node->sinfo_args = build_out_sinfo(sinfo);
      }
    }
    return node;
  }
  if (name == "R.const") {
    expect_arguments(call, 1, 2, {"dtype"});
    auto constant = std::make_shared<Constant>(loc_of(ctx));
    if (sequence_elements(call.positional[0])) return build_tensor_literal(call, constant);
    std::optional<double> number = float_literal(call.positional[0]);
    if (!number) number = special_float_literal(call.positional[0]);
    std::optional<int64_t> integer = integer_literal(call.positional[0]);
    std::optional<bool> boolean = bool_literal(call.positional[0]);
    if (boolean) integer = *boolean ? 1 : 0;  // R.const(True): a 0-d bool tensor
    if (!number && !integer) fail(loc_of(call.positional[0]), "R.const takes a number (tensor constants come from bound parameters)");
    constant->scalar = number ? *number : static_cast<double>(*integer);
    constant->dtype = number ? DataType::Float32 : boolean ? DataType::Bool : DataType::Int32;
    P::ExprContext* dtype = call.positional.size() > 1 ? call.positional[1] : call.keyword("dtype");
    if (dtype) constant->dtype = dtype_of(dtype);
    return constant;
  }
  if (name == "R.shape_of" || name == "R.tensor_to_shape") {
    // tensor_to_shape: the values of a 1-d integer tensor as a shape (TVM's legalizer computes a
    // data-dependent output shape so).
    expect_arguments(call, 1, 1, {});
    node->op = name.substr(2);
    node->args.push_back(build_expr(call.positional[0]));
    return node;
  }
  if (name == "R.shape") {
    expect_arguments(call, 1, 1, {});
    return std::make_shared<ShapeExpr>(build_dims(call.positional[0]), loc_of(ctx));
  }
  if (name == "R.prim_value") {
    expect_arguments(call, 1, 1, {});
    return std::make_shared<PrimValue>(size_exprs_.build_as(call.positional[0], DataType::Int64), loc_of(ctx));
  }
  if (name == "R.str") {
    expect_arguments(call, 1, 1, {});
    std::optional<std::string> text = string_literal(call.positional[0]);
    if (!text) fail(loc_of(call.positional[0]), "R.str takes a string");
    return std::make_shared<StringImm>(*text, loc_of(ctx));
  }
  if (name == "R.tuple") {
    // R.tuple(a, b): the function form of (a, b).
    expect_arguments(call, 0, 1024, {});
    std::vector<Expr> fields;
    for (P::ExprContext* arg : call.positional) fields.push_back(build_expr(arg));
    return std::make_shared<Tuple>(std::move(fields), loc_of(ctx));
  }
  if (name == "R.TupleGetItem") {
    // R.TupleGetItem(t, 1): the function form of t[1].
    expect_arguments(call, 2, 2, {});
    std::optional<int64_t> index = integer_literal(call.positional[1]);
    if (!index || *index < 0 || *index > 1000000) fail(loc_of(call.positional[1]), "R.TupleGetItem's index is a non-negative integer");
    return std::make_shared<TupleGetItem>(build_expr(call.positional[0]), static_cast<int>(*index), loc_of(ctx));
  }
  if (name == "R.match_cast") fail(call.loc, "R.match_cast can only be bound directly: 'v = R.match_cast(x, struct_info)'");
  if (name == "R.output") fail(call.loc, "R.output(...) is a statement, at the end of a dataflow block");
  if (name.rfind("R.", 0) == 0) return build_operator_call(call, std::move(node));
  // A call to another function of the module: cls.f(x) or f(x).
  Expr callee = build_callee(call.callee, /*module_only=*/true);
  expect_arguments(call, 0, 64, {});
  if (options_.prim_funcs.count(callee->as<GlobalVar>()->name)) {
    fail(call.loc, "'" + callee->as<GlobalVar>()->name + "' is a prim_func; call it with R.call_tir(cls." +
                       callee->as<GlobalVar>()->name + ", (args...), out_sinfo=...)");
  }
  node->callee = callee;
  for (P::ExprContext* arg : call.positional) node->args.push_back(build_expr(arg));
  return node;
}

relax::FunctionPtr build_relax_function(P::FunctionDefContext* def, const RelaxFunctionOptions& options,
                                        Diagnostics& diags) {
  TreeStatements body(def->block());
  return RelaxFunctionBuilder(options, diags).build(def, body);
}

relax::FunctionPtr build_relax_function(P::FunctionDefContext* def, StatementSource& body,
                                        const RelaxFunctionOptions& options, Diagnostics& diags) {
  return RelaxFunctionBuilder(options, diags).build(def, body);
}

}  // namespace relaxc::frontend

#include "compiler/frontend/tir_expr_builder.h"

#include "compiler/frontend/dim_text.h"

#include <algorithm>

namespace relaxc::frontend {

using namespace relaxc::tir;

// ---- Scope ------------------------------------------------------------------------------

void Scope::pop() {
  for (const auto& [name, entry] : frames_.back()) {
    if (!entry.used && entry.symbol.unused_warning != nullptr) {
      diags_.warning(entry.symbol.loc, std::string(entry.symbol.unused_warning) + " '" + name +
                                           "' is defined but never used");
    }
  }
  frames_.pop_back();
}

void Scope::define(const std::string& name, Symbol symbol) {
  for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
    auto found = frame->find(name);
    if (found == frame->end()) continue;
    SourceLoc earlier = found->second.symbol.loc;
    diags_.warning(symbol.loc, "'" + name + "' shadows the definition at line " + std::to_string(earlier.line) +
                                   ", column " + std::to_string(earlier.col));
    break;
  }
  auto& frame = frames_.back();
  auto existing = frame.find(name);
  if (existing != frame.end()) {
    // A same-frame redefinition: the earlier one is gone now, so judge its use here.
    if (!existing->second.used && existing->second.symbol.unused_warning != nullptr) {
      diags_.warning(existing->second.symbol.loc, std::string(existing->second.symbol.unused_warning) + " '" +
                                                      name + "' is defined but never used");
    }
    frame.erase(existing);
  }
  frame.emplace(name, Entry{std::move(symbol), false});
}

const Symbol* Scope::lookup(const std::string& name) {
  for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
    auto found = frame->find(name);
    if (found != frame->end()) {
      found->second.used = true;
      return &found->second.symbol;
    }
  }
  return nullptr;
}

void Scope::mark_used(const std::string& name) { lookup(name); }

std::vector<std::string> Scope::visible_names() const {
  std::vector<std::string> names;
  for (const auto& frame : frames_) {
    for (const auto& entry : frame) names.push_back(entry.first);
  }
  return names;
}

// ---- literals and operators ---------------------------------------------------------------

std::optional<DataType> size_var_dtype(const std::string& callee_name) {
  if (callee_name.rfind("T.", 0) != 0) return std::nullopt;
  std::optional<DataType> dtype = parse_dtype(callee_name.substr(2));
  if (!dtype || !is_int(*dtype)) return std::nullopt;
  return dtype;
}

std::optional<DataType> declared_size_var(const CallSyntax& call, P::ExprContext* target) {
  if (call.callee_name == "T.Var") {
    // T.Var("n", "int64"), the spelling of TVM before 2023 (and its tests since).
    expect_arguments(call, 2, 2, {});
    std::optional<std::string> name = string_literal(call.positional[0]);
    if (!name || name != dotted_name(target)) fail(loc_of(call.positional[0]), "T.Var's name must be the variable's, as in n = T.Var(\"n\", \"int64\")");
    std::optional<std::string> text = string_literal(call.positional[1]);
    std::optional<DataType> dtype = text ? parse_dtype(*text) : std::nullopt;
    if (!dtype || !is_int(*dtype)) fail(loc_of(call.positional[1]), "a symbolic variable's dtype is an integer type such as \"int64\"");
    return dtype;
  }
  std::optional<DataType> dtype = size_var_dtype(call.callee_name);
  if (!dtype || !call.positional.empty()) return std::nullopt;
  expect_arguments(call, 0, 0, {"is_size_var"});
  return dtype;
}

Expr TirExprBuilder::retype_literal(const TypedExpr& value, DataType dtype) {
  if (!value.literal || value.expr->dtype == dtype) return value.expr;
  if (const auto* integer = value.expr->as<IntImm>()) {
    if (is_float(dtype)) return std::make_shared<FloatImm>(static_cast<double>(integer->value), dtype, integer->loc);
    if (is_int(dtype) || dtype == DataType::Bool) return std::make_shared<IntImm>(integer->value, dtype, integer->loc);
  }
  if (const auto* number = value.expr->as<FloatImm>()) {
    if (is_float(dtype)) return std::make_shared<FloatImm>(number->value, dtype, number->loc);
  }
  return value.expr;
}

namespace {

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::EQ || op == BinaryOp::NE || op == BinaryOp::LT || op == BinaryOp::LE ||
         op == BinaryOp::GT || op == BinaryOp::GE;
}

DataType wider_int(DataType a, DataType b) { return dtype_bits(a) >= dtype_bits(b) ? a : b; }

}  // namespace

Expr make_binary(BinaryOp op, TypedExpr a, TypedExpr b, SourceLoc loc) {
  if (a.literal && !b.literal) {
    a.expr = TirExprBuilder::retype_literal(a, b.expr->dtype);
  } else if (b.literal && !a.literal) {
    b.expr = TirExprBuilder::retype_literal(b, a.expr->dtype);
  } else if (a.literal && b.literal && is_float(a.expr->dtype) != is_float(b.expr->dtype)) {
    DataType common = is_float(a.expr->dtype) ? a.expr->dtype : b.expr->dtype;
    a.expr = TirExprBuilder::retype_literal(a, common);
    b.expr = TirExprBuilder::retype_literal(b, common);
  }
  DataType ta = a.expr->dtype, tb = b.expr->dtype;
  // Index arithmetic mixes int32 loop variables with int64 sizes; widen as TVM does.
  if (ta != tb && is_int(ta) && is_int(tb)) {
    DataType wide = wider_int(ta, tb);
    if (ta != wide) a.expr = std::make_shared<Cast>(wide, a.expr, a.expr->loc);
    if (tb != wide) b.expr = std::make_shared<Cast>(wide, b.expr, b.expr->loc);
  }
  DataType result = a.expr->dtype;
  if (is_comparison(op) || op == BinaryOp::And || op == BinaryOp::Or) result = DataType::Bool;
  return std::make_shared<Binary>(op, a.expr, b.expr, result, loc);
}

// ---- expressions --------------------------------------------------------------------------

const Symbol* TirExprBuilder::lookup_or_declare(const std::string& name, SourceLoc loc) {
  const Symbol* symbol = scope_.lookup(name);
  if (symbol == nullptr && undefined_name_ && undefined_name_(name, loc)) symbol = scope_.lookup(name);
  return symbol;
}

TypedExpr TirExprBuilder::build_name(P::ExprContext* ctx, const std::string& name) {
  const Symbol* symbol = lookup_or_declare(name, loc_of(ctx));
  if (symbol == nullptr) {
    fail(loc_of(ctx), "name '" + name + "' is not defined" + did_you_mean(name, scope_.visible_names()));
  }
  if (symbol->buffer) {
    fail(loc_of(ctx), "buffer '" + name + "' is used as a value; index it, as in " + name + "[i]");
  }
  return {std::make_shared<VarRef>(symbol->var, loc_of(ctx)), false};
}

BufferPtr TirExprBuilder::lookup_buffer(P::ExprContext* ctx, const std::string& use) {
  std::optional<std::string> name = dotted_name(ctx);
  if (!name) fail(loc_of(ctx), "only a buffer can be " + use);
  const Symbol* symbol = scope_.lookup(*name);
  if (symbol == nullptr) {
    fail(loc_of(ctx), "name '" + *name + "' is not defined" + did_you_mean(*name, scope_.visible_names()));
  }
  if (!symbol->buffer) {
    if (symbol->var && symbol->var->dtype == DataType::Handle) {
      fail(loc_of(ctx), "'" + *name + "' is a handle, not a buffer; only a buffer can be " + use +
                            " (declare one with T.match_buffer(" + *name + ", shape))");
    }
    fail(loc_of(ctx), "'" + *name + "' is a scalar, not a buffer; only a buffer can be " + use);
  }
  return symbol->buffer;
}

TypedExpr TirExprBuilder::build_load(P::SubscriptExprContext* ctx) {
  BufferPtr buffer = lookup_buffer(ctx->expr(), "indexed");
  std::vector<Expr> indices;
  for (P::SubscriptContext* sub : buffer_subscripts(ctx->subscripts())) {
    if (sub->COLON().size() > 0) fail(loc_of(sub), "a slice is only allowed in T.reads and T.writes");
    indices.push_back(build_index(sub->expr(0)));
  }
  return {std::make_shared<Load>(buffer, std::move(indices), loc_of(ctx)), false};
}

Expr TirExprBuilder::build_index(P::ExprContext* ctx) { return build(ctx).expr; }

Expr TirExprBuilder::build_as(P::ExprContext* ctx, DataType dtype) { return retype_literal(build(ctx), dtype); }

std::vector<Expr> TirExprBuilder::build_shape(P::ExprContext* ctx) {
  std::optional<std::vector<P::ExprContext*>> elements = sequence_elements(ctx);
  if (!elements) {
    // `T.alloc_buffer(n)` with one bare dimension is accepted as `(n,)`.
    return {build_index(ctx)};
  }
  std::vector<Expr> shape;
  for (P::ExprContext* element : *elements) {
    // A compound dimension quoted, as TVM's current printer writes one: "M * T.int64(2)".
    if (std::optional<std::string> text = string_literal(element)) {
      SourceLoc loc = loc_of(element);
      shape.push_back(parse_dim_text(*text, loc, [&](const std::string& name) -> Expr {
        const Symbol* symbol = lookup_or_declare(name, loc);
        if (symbol == nullptr || !symbol->var) fail(loc, "the dimension \"" + *text + "\" uses '" + name + "', which is not a symbolic variable here");
        return std::make_shared<VarRef>(symbol->var, loc);
      }));
      continue;
    }
    shape.push_back(build_index(element));
  }
  return shape;
}

TypedExpr TirExprBuilder::build_binary(P::ExprContext* ctx, int op_token, P::ExprContext* lhs, P::ExprContext* rhs) {
  BinaryOp op;
  switch (op_token) {
    case P::PLUS: op = BinaryOp::Add; break;
    case P::MINUS: op = BinaryOp::Sub; break;
    case P::STAR: op = BinaryOp::Mul; break;
    case P::SLASH: op = BinaryOp::Div; break;
    case P::DOUBLESLASH: op = BinaryOp::FloorDiv; break;
    case P::PERCENT: op = BinaryOp::FloorMod; break;
    case P::LT: op = BinaryOp::LT; break;
    case P::LE: op = BinaryOp::LE; break;
    case P::GT: op = BinaryOp::GT; break;
    case P::GE: op = BinaryOp::GE; break;
    case P::EQ: op = BinaryOp::EQ; break;
    case P::NE: op = BinaryOp::NE; break;
    case P::AND: op = BinaryOp::And; break;
    case P::OR: op = BinaryOp::Or; break;
    case P::AT: fail(loc_of(ctx), "the matrix-multiply operator '@' is not supported in TensorIR; write the loops");
    default: fail(loc_of(ctx), "bitwise operators are not supported in TensorIR");
  }
  TypedExpr a = build(lhs);
  TypedExpr b = build(rhs);
  bool literal = a.literal && b.literal && !is_comparison(op);
  return {make_binary(op, a, b, loc_of(ctx)), literal};
}

TypedExpr TirExprBuilder::build(P::ExprContext* ctx) {
  SourceLoc loc = loc_of(ctx);
  if (auto* atom_expr = dynamic_cast<P::AtomExprContext*>(ctx)) {
    P::AtomContext* atom = atom_expr->atom();
    if (auto* name = dynamic_cast<P::NameAtomContext*>(atom)) return build_name(ctx, name->NAME()->getText());
    if (std::optional<int64_t> value = integer_literal(ctx)) {
      DataType dtype = (*value > INT32_MAX || *value < INT32_MIN) ? DataType::Int64 : DataType::Int32;
      return {std::make_shared<IntImm>(*value, dtype, loc), true};
    }
    if (std::optional<double> value = float_literal(ctx)) {
      return {std::make_shared<FloatImm>(*value, DataType::Float32, loc), true};
    }
    if (auto* boolean = dynamic_cast<P::BoolAtomContext*>(atom)) {
      return {std::make_shared<IntImm>(boolean->TRUE() ? 1 : 0, DataType::Bool, loc), false};
    }
    if (std::optional<std::string> text = string_literal(ctx)) {
      return {std::make_shared<StringImm>(*text, loc), false};
    }
    if (auto* paren = dynamic_cast<P::ParenAtomContext*>(atom)) {
      if (paren->exprList() != nullptr && paren->exprList()->COMMA().empty()) {
        return build(paren->exprList()->expr(0));
      }
      fail(loc, "a tuple is not a TensorIR value");
    }
    if (dynamic_cast<P::NoneAtomContext*>(atom)) fail(loc, "None is not a TensorIR value");
    fail(loc, "a list or dict is not a TensorIR value");
  }
  if (auto* sub = dynamic_cast<P::SubscriptExprContext*>(ctx)) return build_load(sub);
  if (auto* binary = dynamic_cast<P::BinaryExprContext*>(ctx)) {
    return build_binary(ctx, static_cast<int>(binary->op->getType()), binary->expr(0), binary->expr(1));
  }
  if (auto* compare = dynamic_cast<P::CompareExprContext*>(ctx)) {
    if (dynamic_cast<P::CompareExprContext*>(compare->expr(0)) != nullptr) {
      fail(loc, "chained comparisons such as 'a < b < c' are not supported; use 'and'");
    }
    return build_binary(ctx, static_cast<int>(compare->op->getType()), compare->expr(0), compare->expr(1));
  }
  if (auto* logical = dynamic_cast<P::LogicalExprContext*>(ctx)) {
    return build_binary(ctx, static_cast<int>(logical->op->getType()), logical->expr(0), logical->expr(1));
  }
  if (auto* negation = dynamic_cast<P::NotExprContext*>(ctx)) {
    return {std::make_shared<Not>(build(negation->expr()).expr, loc), false};
  }
  if (auto* unary = dynamic_cast<P::UnaryExprContext*>(ctx)) {
    if (std::optional<int64_t> value = integer_literal(ctx)) {
      return {std::make_shared<IntImm>(*value, DataType::Int32, loc), true};
    }
    if (std::optional<double> value = float_literal(ctx)) {
      return {std::make_shared<FloatImm>(*value, DataType::Float32, loc), true};
    }
    TypedExpr operand = build(unary->expr());
    if (unary->op->getType() == P::PLUS) return operand;
    if (unary->op->getType() == P::TILDE) fail(loc, "bitwise operators are not supported in TensorIR");
    // TVM spells negation as multiplication by -1; so does the printer.
    TypedExpr minus_one{std::make_shared<IntImm>(-1, DataType::Int32, loc), true};
    return {make_binary(BinaryOp::Mul, operand, minus_one, loc), operand.literal};
  }
  if (auto* call = dynamic_cast<P::CallExprContext*>(ctx)) return build_call(ctx, *as_call(call));
  if (dynamic_cast<P::PowerExprContext*>(ctx)) fail(loc, "the power operator '**' is not supported in TensorIR");
  if (dynamic_cast<P::ConditionalExprContext*>(ctx)) {
    fail(loc, "conditional expressions 'a if c else b' are not supported; use T.if_then_else(c, a, b)");
  }
  if (dynamic_cast<P::LambdaExprContext*>(ctx)) fail(loc, "lambda is not supported in TensorIR");
  if (auto* attr = dynamic_cast<P::AttributeExprContext*>(ctx)) {
    std::string name = dotted_name(attr).value_or(attr->NAME()->getText());
    fail(loc, "'" + name + "' is not a TensorIR value");
  }
  fail(loc, "unsupported expression in TensorIR");
}

}  // namespace relaxc::frontend

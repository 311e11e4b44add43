// The `T.` functions that make TensorIR expressions: typed constants, casts, min/max, the math
// intrinsics (from the one table in ops/tir_intrinsics.h), if_then_else and the division
// flavours.
#include <algorithm>

#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/frontend/tir_names.h"
#include "compiler/ops/tir_intrinsics.h"

namespace relaxc::frontend {

using namespace relaxc::tir;

namespace {

struct DivisionFlavour {
  const char* name;
  BinaryOp op;
};
// The division flavours, and the node constructors TVM's printer writes where the operator
// would read differently (T.Div is C's division: truncating for integers).
constexpr DivisionFlavour kDivisions[] = {
    {"T.floordiv", BinaryOp::FloorDiv}, {"T.floormod", BinaryOp::FloorMod}, {"T.truncdiv", BinaryOp::Div},
    {"T.truncmod", BinaryOp::Mod},      {"T.Add", BinaryOp::Add},           {"T.Sub", BinaryOp::Sub},
    {"T.Mul", BinaryOp::Mul},           {"T.Div", BinaryOp::Div},           {"T.Mod", BinaryOp::Mod},
    {"T.FloorDiv", BinaryOp::FloorDiv}, {"T.FloorMod", BinaryOp::FloorMod}, {"T.Min", BinaryOp::Min},
    {"T.Max", BinaryOp::Max},           {"T.EQ", BinaryOp::EQ},             {"T.NE", BinaryOp::NE},
    {"T.LT", BinaryOp::LT},             {"T.LE", BinaryOp::LE},             {"T.GT", BinaryOp::GT},
    {"T.GE", BinaryOp::GE},             {"T.And", BinaryOp::And},           {"T.Or", BinaryOp::Or},
};

DataType dtype_argument(P::ExprContext* ctx, const std::string& callee) {
  std::optional<std::string> text = string_literal(ctx);
  if (!text) fail(loc_of(ctx), callee + "() expects a dtype string such as \"float32\"");
  std::optional<DataType> dtype = parse_dtype(*text);
  if (!dtype) fail(loc_of(ctx), "unknown dtype \"" + *text + "\"" + did_you_mean(*text, all_dtype_names()));
  return *dtype;
}

}  // namespace

// T.exp(x), T.pow(x, y), T.exp(x, dtype="float32") (the keyword TVM's printer adds): the
// arguments unified to one type, literals taking the other argument's.
TypedExpr TirExprBuilder::build_intrinsic(const ops::TirIntrinsic& intrinsic, const CallSyntax& call, SourceLoc loc) {
  size_t arity = static_cast<size_t>(intrinsic.arity);
  expect_arguments(call, arity, arity, {"dtype"});
  std::vector<TypedExpr> args;
  for (P::ExprContext* arg : call.positional) args.push_back(build(arg));
  DataType type = DataType::Void;
  for (const TypedExpr& arg : args) {
    if (!arg.literal) type = arg.expr->dtype;
  }
  // dtype= only matters when every argument is a literal; otherwise the arguments' type rules.
  P::ExprContext* dtype = call.keyword("dtype");
  if (dtype && type == DataType::Void) type = dtype_argument(dtype, "T." + std::string(intrinsic.name));
  if (type == DataType::Void) type = intrinsic.args == ops::IntrinsicArgs::Float ? DataType::Float32 : args[0].expr->dtype;
  std::vector<Expr> values;
  for (const TypedExpr& arg : args) values.push_back(arg.literal ? retype_literal(arg, type) : arg.expr);
  DataType result = intrinsic.result == ops::IntrinsicResult::Bool ? DataType::Bool : type;
  return {std::make_shared<Call>(intrinsic.name, std::move(values), result, loc), false};
}

// tvm.tirx.const(v) infers the dtype as tvm.runtime.const does: bool, int32 (int64 when the
// value needs it), float32; tvm.tirx.const(v, "dtype") names it.
TypedExpr TirExprBuilder::build_tvm_const(const CallSyntax& call, SourceLoc loc) {
  expect_arguments(call, 1, 2, {"dtype"});
  P::ExprContext* value = call.positional[0];
  P::ExprContext* dtype_arg = call.positional.size() > 1 ? call.positional[1] : call.keyword("dtype");
  std::optional<bool> boolean = bool_literal(value);
  std::optional<int64_t> integer = integer_literal(value);
  std::optional<double> number = float_literal(value);
  if (!boolean && !integer && !number) fail(loc_of(value), "tvm.tirx.const takes a number or True/False");
  DataType dtype = boolean ? DataType::Bool : integer ? (*integer == static_cast<int32_t>(*integer) ? DataType::Int32 : DataType::Int64) : DataType::Float32;
  if (dtype_arg) dtype = dtype_argument(dtype_arg, "tvm.tirx.const");
  if (boolean) return {std::make_shared<IntImm>(*boolean ? 1 : 0, dtype, loc), false};
  if (integer && !is_float(dtype)) return {std::make_shared<IntImm>(*integer, dtype, loc), false};
  double v = number ? *number : static_cast<double>(*integer);
  if (!is_float(dtype)) fail(loc_of(value), "tvm.tirx.const: a fractional value of integer dtype " + std::string(dtype_name(dtype)));
  return {std::make_shared<FloatImm>(v, dtype, loc), false};
}

TypedExpr TirExprBuilder::build_call(P::ExprContext* ctx, const CallSyntax& call) {
  SourceLoc loc = loc_of(ctx);
  const std::string& name = call.callee_name;
  // I.meta_var(e): a value TVM's parser evaluates in Python and inlines; here the value itself.
  if (name == "I.meta_var") {
    expect_arguments(call, 1, 1, {});
    return build(call.positional[0]);
  }
  // tvm.tirx.const(value, dtype), which TVM's tests call in TensorIR: a typed constant.
  if (name == "tvm.tirx.const" || name == "tvm.tir.const") return build_tvm_const(call, loc);
  if (name == "T.call_packed") {
    fail(loc, "T.call_packed(...) is a statement: write it on its own line or as T.evaluate(T.call_packed(...))");
  }
  if (name == "T.call_extern" || name == "T.call_cpacked") {
    fail(loc, name + " (a call from TensorIR into a C function) is not supported; register the function with a relaxrun plugin and call it "
              "with T.call_packed");
  }
  if (name.rfind("T.", 0) != 0) {
    if (name.empty()) fail(loc, "only T. functions can be called in TensorIR");
    fail(loc, "'" + name + "' cannot be called in TensorIR; only T. functions can");
  }
  std::string short_name = name.substr(2);

  if (std::optional<DataType> dtype = parse_dtype(short_name)) {
    expect_arguments(call, 0, 1, {});
    if (call.positional.empty()) {
      fail(loc, name + "() declares a symbolic variable; write it on its own, as in 'n = " + name + "()'");
    }
    P::ExprContext* arg = call.positional[0];
    if (std::optional<int64_t> integer = integer_literal(arg)) {
      if (is_float(*dtype)) return {std::make_shared<FloatImm>(static_cast<double>(*integer), *dtype, loc), false};
      return {std::make_shared<IntImm>(*integer, *dtype, loc), false};
    }
    std::optional<double> number = float_literal(arg);
    if (!number) number = special_float_literal(arg);
    if (number) {
      if (!is_float(*dtype)) fail(loc_of(arg), name + "() of a fractional number; use a float dtype");
      return {std::make_shared<FloatImm>(*number, *dtype, loc), false};
    }
    if (auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(arg))) {
      if (auto* boolean = dynamic_cast<P::BoolAtomContext*>(atom->atom())) {
        return {std::make_shared<IntImm>(boolean->TRUE() ? 1 : 0, *dtype, loc), false};
      }
    }
    Expr value = build(arg).expr;
    return {std::make_shared<Cast>(*dtype, value, loc), false};
  }
  if (short_name == "max" || short_name == "min") {
    expect_arguments(call, 2, 2, {});
    TypedExpr a = build(call.positional[0]);
    TypedExpr b = build(call.positional[1]);
    return {make_binary(short_name == "max" ? BinaryOp::Max : BinaryOp::Min, a, b, loc), a.literal && b.literal};
  }
  for (const DivisionFlavour& flavour : kDivisions) {
    if (name != flavour.name) continue;
    expect_arguments(call, 2, 2, {});
    TypedExpr a = build(call.positional[0]);
    TypedExpr b = build(call.positional[1]);
    return {make_binary(flavour.op, a, b, loc), false};
  }
  if (const ops::TirIntrinsic* intrinsic = ops::find_tir_intrinsic(short_name)) return build_intrinsic(*intrinsic, call, loc);
  // T.Select (TVM's legalizer writes it) evaluates both sides in TVM; reading only the chosen
  // one, as for T.if_then_else, gives the same values and never a read a guard should prevent.
  if (short_name == "if_then_else" || short_name == "Select") {
    expect_arguments(call, 3, 3, {"dtype"});
    Expr cond = build(call.positional[0]).expr;
    TypedExpr a = build(call.positional[1]);
    TypedExpr b = build(call.positional[2]);
    if (a.literal && !b.literal) a.expr = retype_literal(a, b.expr->dtype);
    if (b.literal && !a.literal) b.expr = retype_literal(b, a.expr->dtype);
    return {std::make_shared<Select>(cond, a.expr, b.expr, loc), false};
  }
  if (short_name == "Cast" || short_name == "cast") {
    expect_arguments(call, 2, 2, {});
    // T.Cast(dtype, value); T.cast(value, dtype)
    bool dtype_first = short_name == "Cast";
    DataType dtype = dtype_argument(call.positional[dtype_first ? 0 : 1], name);
    TypedExpr value = build(call.positional[dtype_first ? 1 : 0]);
    return {std::make_shared<Cast>(dtype, value.expr, loc), false};
  }
  if (short_name == "min_value" || short_name == "max_value") {
    expect_arguments(call, 1, 1, {});
    DataType dtype = dtype_argument(call.positional[0], name);
    return {std::make_shared<Call>(short_name, std::vector<Expr>{}, dtype, loc), false};
  }
  if (is_tir_statement_name(name)) {
    fail(loc, name + "() is a statement here, not a value");
  }
  fail(loc, "unknown TensorIR function '" + name + "'" + did_you_mean(name, all_tir_names()));
}

}  // namespace relaxc::frontend

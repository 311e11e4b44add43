// R.<operator>(operands..., attributes...) → a relax::Call, as the operator registry defines
// the operator: its operands by position or by name, then its attributes by position or
// keyword. An unknown operator or a bad attribute is reported and building goes on, so one
// run names every one of them.
#include "compiler/frontend/relax_function_builder.h"
#include "compiler/ops/registry.h"

namespace relaxc::frontend {

using namespace relaxc::relax;

namespace {

std::vector<std::string> relax_names() {
  std::vector<std::string> names = {"R.tuple", "R.TupleGetItem", "R.call_dps_packed", "R.call_tir", "R.call_packed", "R.call_pure_packed", "R.shape_of", "R.tensor_to_shape", "R.const", "R.shape",
                                    "R.match_cast",      "R.dataflow", "R.output",      "R.Tensor",   "R.Shape",
                                    "R.Tuple",           "R.Object",   "R.Prim",        "R.function", "R.func_attr",
                                    "R.prim_value",      "R.str"};
  for (const ops::OpDef& op : ops::all_ops()) names.push_back("R." + op.name);
  return names;
}

// A bare number as R.prim_value: int64 for an integer, float64 for a fractional number (the
// dtypes TVM's prim_value gives Python numbers); anything else is built as a Relax value.
template <typename BuildExpr>
Expr build_scalar_operand(P::ExprContext* ctx, BuildExpr build) {
  SourceLoc loc = loc_of(ctx);
  if (std::optional<int64_t> integer = integer_literal(ctx)) return std::make_shared<PrimValue>(std::make_shared<tir::IntImm>(*integer, DataType::Int64, loc), loc);
  if (std::optional<double> number = float_literal(ctx)) return std::make_shared<PrimValue>(std::make_shared<tir::FloatImm>(*number, DataType::Float64, loc), loc);
  return build(ctx);
}

}  // namespace

// R.reshape(x, (1, 784)) and R.reshape(x, R.shape([1, 784])) both carry a shape value; a
// variable holding a shape is passed as it is.
Expr RelaxFunctionBuilder::build_shape_operand(P::ExprContext* ctx) {
  if (sequence_elements(ctx)) return std::make_shared<ShapeExpr>(build_dims(ctx), loc_of(ctx));
  return build_expr(ctx);
}

Expr RelaxFunctionBuilder::build_operator_call(const CallSyntax& call, std::shared_ptr<Call> node) {
  const std::string& name = call.callee_name;
  const ops::OpDef* op = ops::find_op(name.substr(2));
  if (op == nullptr) {
    // Reported, and the call kept with its arguments so the rest of the module is checked too.
    diags_.error(call.loc, "unknown Relax operator '" + name + "'" + did_you_mean(name, relax_names()));
    node->op = name.substr(2);
    node->unknown_op = true;
    for (P::ExprContext* arg : call.positional) node->args.push_back(build_expr(arg));
    return node;
  }
  node->op = op->name;
  // Operands: positionally first, then by keyword.
  std::vector<P::ExprContext*> operands(op->operands.size(), nullptr);
  size_t positional_operands = std::min(call.positional.size(), op->operands.size());
  for (size_t i = 0; i < positional_operands; ++i) operands[i] = call.positional[i];
  std::vector<std::pair<std::string, P::ExprContext*>> attrs;
  for (size_t i = positional_operands; i < call.positional.size(); ++i) {
    size_t a = i - positional_operands;
    if (a >= op->attrs.size()) fail(loc_of(call.positional[i]), "too many arguments to " + name);
    attrs.emplace_back(op->attrs[a].name, call.positional[i]);
  }
  for (size_t k = 0; k < call.keywords.size(); ++k) {
    const auto& [key, value] = call.keywords[k];
    bool is_operand = false;
    for (size_t i = 0; i < op->operands.size(); ++i) {
      if (op->operands[i].name != key) continue;
      if (operands[i]) fail(call.keyword_locs[k], "'" + key + "' given twice");
      operands[i] = value;
      is_operand = true;
    }
    if (is_operand) continue;
    for (const auto& given : attrs) {
      if (given.first == key) fail(call.keyword_locs[k], "'" + key + "' given twice");
    }
    attrs.emplace_back(key, value);
  }
  size_t count = 0;
  while (count < operands.size() && operands[count]) ++count;
  for (size_t i = count; i < operands.size(); ++i) {
    if (operands[i]) fail(loc_of(operands[i]), name + ": '" + op->operands[i].name + "' is given but '" + op->operands[count].name + "' is not");
  }
  if (count < op->min_operands()) {
    size_t need = op->min_operands();
    fail(call.loc, name + " takes " + std::to_string(need) + " operand" + (need == 1 ? "" : "s") + " but " + std::to_string(count) +
                       (count == 1 ? " was" : " were") + " given");
  }
  for (size_t i = 0; i < count; ++i) {
    // A tuple operand, (a, b) or [a, b], is an ordinary Relax tuple; a scalar may be written
    // as a bare number, as TVM's operator functions wrap one in R.prim_value.
    ops::OperandKind kind = op->operands[i].kind;
    if (kind == ops::OperandKind::Shape) node->args.push_back(build_shape_operand(operands[i]));
    else if (kind == ops::OperandKind::PrimValue) node->args.push_back(build_scalar_operand(operands[i], [&](P::ExprContext* e) { return build_expr(e); }));
    else node->args.push_back(build_expr(operands[i]));
  }
  for (const auto& [key, value] : attrs) {
    if (meta_value(value)) node->attrs.emplace_back(key, expand_meta(value, [](P::ExprContext* e) { return build_attr_value(e); }));
    else node->attrs.emplace_back(key, build_attr_value(value));
  }
  ops::validate_attrs(*op, *node, diags_);
  return node;
}

}  // namespace relaxc::frontend

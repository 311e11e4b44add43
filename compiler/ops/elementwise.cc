// Elementwise operators with numpy broadcasting. Each is one row of a table: its name, its
// tensor operands, the dtypes it accepts, the dtype of its result and the TensorIR value of
// one element, written as a pattern over the operands ({0}, {1}, {2}), typed constants
// ({zero}, {one}, {minus_one}, {min}, {c:0.5}), the operand dtype ({dtype}) and attributes
// ({attr:alpha}); integer operands may have a pattern of their own. Operands align at the last
// axis; an operand's axis of extent 1 repeats along the output's. An R.const scalar operand
// (and R.clip's R.prim_value bounds) is written into the kernel as a literal.
//
// NaN and infinities follow numpy: T.max/T.min propagate NaN, comparisons with NaN are false
// but !=, R.sign(NaN) is NaN. Integer division and remainder by 0 give 0, as numpy's do, and
// INT_MIN // -1 wraps as in numpy, instead of trapping.
#include <cmath>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/manipulate_util.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

enum class Accepts { Any, Numeric, Float, Int, Bool };
enum class Result { Same, Bool, AttrDType };

struct ElementwiseForm {
  const char* name;
  const char* kernel;
  int tensors;  // tensor operands; R.clip also takes two scalars
  Accepts accepts;
  Result result;
  const char* value;      // the pattern of one element
  const char* int_value;  // for integer and bool operands, when it differs
  std::vector<AttrSpec> attrs;
};

// A guarded integer division or remainder: by 0 gives 0, and MIN by -1 divides by 1 instead.
#define RELAXC_INT_DIV(fn) \
  "T.if_then_else({1} == {zero}, {zero}, " fn "({0}, T.if_then_else({1} == {minus_one} and {0} == {min}, {one}, {1})))"

const std::vector<ElementwiseForm>& forms() {
  static const std::vector<ElementwiseForm> table = {
      // unary
      {"abs", "abs", 1, Accepts::Numeric, Result::Same, "T.abs({0})", nullptr, {}},
      {"negative", "negative", 1, Accepts::Numeric, Result::Same, "{0} * {minus_one}", nullptr, {}},
      {"exp", "exp", 1, Accepts::Float, Result::Same, "T.exp({0})", nullptr, {}},
      {"log", "log", 1, Accepts::Float, Result::Same, "T.log({0})", nullptr, {}},
      {"sqrt", "sqrt", 1, Accepts::Float, Result::Same, "T.sqrt({0})", nullptr, {}},
      {"rsqrt", "rsqrt", 1, Accepts::Float, Result::Same, "T.rsqrt({0})", nullptr, {}},
      {"square", "square", 1, Accepts::Numeric, Result::Same, "{0} * {0}", nullptr, {}},
      {"sin", "sin", 1, Accepts::Float, Result::Same, "T.sin({0})", nullptr, {}},
      {"cos", "cos", 1, Accepts::Float, Result::Same, "T.cos({0})", nullptr, {}},
      {"tan", "tan", 1, Accepts::Float, Result::Same, "T.tan({0})", nullptr, {}},
      {"tanh", "tanh", 1, Accepts::Float, Result::Same, "T.tanh({0})", nullptr, {}},
      {"asin", "asin", 1, Accepts::Float, Result::Same, "T.asin({0})", nullptr, {}},
      {"acos", "acos", 1, Accepts::Float, Result::Same, "T.acos({0})", nullptr, {}},
      {"atan", "atan", 1, Accepts::Float, Result::Same, "T.atan({0})", nullptr, {}},
      {"sinh", "sinh", 1, Accepts::Float, Result::Same, "T.sinh({0})", nullptr, {}},
      {"cosh", "cosh", 1, Accepts::Float, Result::Same, "T.cosh({0})", nullptr, {}},
      {"asinh", "asinh", 1, Accepts::Float, Result::Same, "T.asinh({0})", nullptr, {}},
      {"acosh", "acosh", 1, Accepts::Float, Result::Same, "T.acosh({0})", nullptr, {}},
      {"atanh", "atanh", 1, Accepts::Float, Result::Same, "T.atanh({0})", nullptr, {}},
      {"sigmoid", "sigmoid", 1, Accepts::Float, Result::Same, "T.sigmoid({0})", nullptr, {}},
      {"erf", "erf", 1, Accepts::Float, Result::Same, "T.erf({0})", nullptr, {}},
      {"floor", "floor", 1, Accepts::Numeric, Result::Same, "T.floor({0})", "{0}", {}},
      {"ceil", "ceil", 1, Accepts::Numeric, Result::Same, "T.ceil({0})", "{0}", {}},
      {"round", "round", 1, Accepts::Numeric, Result::Same, "T.round({0})", "{0}", {}},
      {"trunc", "trunc", 1, Accepts::Numeric, Result::Same, "T.trunc({0})", "{0}", {}},
      {"sign", "sign", 1, Accepts::Numeric, Result::Same,
       "T.if_then_else(T.isnan({0}), {0}, T.Cast({dtype}, {zero} < {0}) - T.Cast({dtype}, {0} < {zero}))",
       "T.Cast({dtype}, {zero} < {0}) - T.Cast({dtype}, {0} < {zero})", {}},
      {"isnan", "isnan", 1, Accepts::Numeric, Result::Bool, "T.isnan({0})", "T.bool(False)", {}},
      {"isinf", "isinf", 1, Accepts::Numeric, Result::Bool, "T.isinf({0})", "T.bool(False)", {}},
      {"isfinite", "isfinite", 1, Accepts::Numeric, Result::Bool, "T.isfinite({0})", "T.bool(True)", {}},
      {"logical_not", "logical_not", 1, Accepts::Bool, Result::Same, "not {0}", nullptr, {}},
      {"bitwise_not", "bitwise_not", 1, Accepts::Int, Result::Same, "T.bitwise_not({0})", nullptr, {}},
      {"clip", "clip", 1, Accepts::Numeric, Result::Same, "T.min(T.max({0}, {1}), {2})", nullptr, {}},
      {"astype", "cast", 1, Accepts::Any, Result::AttrDType, "T.Cast({out_dtype}, {0})", nullptr, {dtype_attr("dtype")}},
      // activations
      {"nn.relu", "relu", 1, Accepts::Numeric, Result::Same, "T.max({0}, {zero})", nullptr, {}},
      {"nn.relu6", "relu6", 1, Accepts::Numeric, Result::Same, "T.min(T.max({0}, {zero}), {c:6})", nullptr, {}},
      {"nn.leakyrelu", "leaky_relu", 1, Accepts::Float, Result::Same, "T.max({0}, {zero}) + T.min({0}, {zero}) * {attr:alpha}", nullptr,
       {float_attr("alpha", 0.01)}},
      {"nn.gelu", "gelu", 1, Accepts::Float, Result::Same, "{0} * ({c:0.5} + T.erf({0} * {c:0.70710678118654752}) * {c:0.5})", nullptr, {}},
      {"nn.gelu_tanh", "gelu_tanh", 1, Accepts::Float, Result::Same,
       "{c:0.5} * {0} * ({one} + T.tanh({c:0.79788456080286536} * ({0} + {c:0.044715} * {0} * {0} * {0})))", nullptr, {}},
      {"nn.silu", "silu", 1, Accepts::Float, Result::Same, "{0} * T.sigmoid({0})", nullptr, {}},
      {"nn.selu", "selu", 1, Accepts::Float, Result::Same,
       "{c:1.0507009873554805} * (T.max({0}, {zero}) + T.min({zero}, {c:1.6732632423543772} * (T.exp({0}) - {one})))", nullptr, {}},
      {"nn.softplus", "softplus", 1, Accepts::Float, Result::Same,
       "T.if_then_else({0} * {attr:beta} > {attr:threshold}, {0}, T.log1p(T.exp({0} * {attr:beta})) / {attr:beta})", nullptr,
       {float_attr("beta", 1.0), float_attr("threshold", 20.0)}},
      // binary arithmetic
      {"add", "add", 2, Accepts::Numeric, Result::Same, "{0} + {1}", nullptr, {}},
      {"subtract", "subtract", 2, Accepts::Numeric, Result::Same, "{0} - {1}", nullptr, {}},
      {"multiply", "multiply", 2, Accepts::Numeric, Result::Same, "{0} * {1}", nullptr, {}},
      {"divide", "divide", 2, Accepts::Float, Result::Same, "{0} / {1}", nullptr, {}},
      // numpy's float divmod (npy_divmod): exact where floor(a / b) would round, NaN for inf // b.
      {"floor_divide", "floor_divide", 2, Accepts::Numeric, Result::Same,
       "m = T.fmod({0}, {1}); q = ({0} - m) / {1}; "
       "d = T.if_then_else(m != {zero} and (({1} < {zero}) != (m < {zero})), q - {one}, q); f = T.floor(d); "
       "T.if_then_else({1} == {zero}, {0} / {1}, T.if_then_else(d != {zero}, T.if_then_else(d - f > {c:0.5}, f + {one}, f), "
       "T.copysign({zero}, {0} / {1})))",
       RELAXC_INT_DIV("T.floordiv"), {}},
      {"floor_mod", "floor_mod", 2, Accepts::Numeric, Result::Same,
       "m = T.fmod({0}, {1}); "
       "T.if_then_else(m != {zero}, T.if_then_else(({1} < {zero}) != (m < {zero}), m + {1}, m), T.copysign({zero}, {1}))",
       RELAXC_INT_DIV("T.floormod"), {}},
      {"mod", "mod", 2, Accepts::Numeric, Result::Same, "T.fmod({0}, {1})", RELAXC_INT_DIV("T.truncmod"), {}},
      {"power", "power", 2, Accepts::Float, Result::Same, "T.pow({0}, {1})", nullptr, {}},
      {"maximum", "maximum", 2, Accepts::Numeric, Result::Same, "T.max({0}, {1})", nullptr, {}},
      {"minimum", "minimum", 2, Accepts::Numeric, Result::Same, "T.min({0}, {1})", nullptr, {}},
      {"atan2", "atan2", 2, Accepts::Float, Result::Same, "T.atan2({0}, {1})", nullptr, {}},
      // numpy's logaddexp: exact for equal operands (inf + inf stays inf), NaN propagates.
      {"log_add_exp", "log_add_exp", 2, Accepts::Float, Result::Same,
       "T.if_then_else({0} == {1}, {0} + {c:0.69314718055994531}, T.max({0}, {1}) + T.log1p(T.exp(T.min({0}, {1}) - T.max({0}, {1}))))", nullptr, {}},
      // comparisons and logic
      {"equal", "equal", 2, Accepts::Any, Result::Bool, "{0} == {1}", nullptr, {}},
      {"not_equal", "not_equal", 2, Accepts::Any, Result::Bool, "{0} != {1}", nullptr, {}},
      {"less", "less", 2, Accepts::Any, Result::Bool, "{0} < {1}", nullptr, {}},
      {"less_equal", "less_equal", 2, Accepts::Any, Result::Bool, "{0} <= {1}", nullptr, {}},
      {"greater", "greater", 2, Accepts::Any, Result::Bool, "{0} > {1}", nullptr, {}},
      {"greater_equal", "greater_equal", 2, Accepts::Any, Result::Bool, "{0} >= {1}", nullptr, {}},
      {"logical_and", "logical_and", 2, Accepts::Bool, Result::Same, "{0} and {1}", nullptr, {}},
      {"logical_or", "logical_or", 2, Accepts::Bool, Result::Same, "{0} or {1}", nullptr, {}},
      {"logical_xor", "logical_xor", 2, Accepts::Bool, Result::Same, "{0} != {1}", nullptr, {}},
      {"bitwise_and", "bitwise_and", 2, Accepts::Int, Result::Same, "T.bitwise_and({0}, {1})", nullptr, {}},
      {"bitwise_or", "bitwise_or", 2, Accepts::Int, Result::Same, "T.bitwise_or({0}, {1})", nullptr, {}},
      {"bitwise_xor", "bitwise_xor", 2, Accepts::Int, Result::Same, "T.bitwise_xor({0}, {1})", nullptr, {}},
      {"left_shift", "left_shift", 2, Accepts::Int, Result::Same, "T.shift_left({0}, {1})", nullptr, {}},
      {"right_shift", "right_shift", 2, Accepts::Int, Result::Same, "T.shift_right({0}, {1})", nullptr, {}},
      // selection
      {"where", "where", 3, Accepts::Any, Result::Same, "T.if_then_else({0}, {1}, {2})", nullptr, {}},
      {"ewise_fma", "ewise_fma", 3, Accepts::Numeric, Result::Same, "{0} * {1} + {2}", nullptr, {}},
  };
  return table;
}

#undef RELAXC_INT_DIV

const ElementwiseForm& form_of(const std::string& op) {
  for (const ElementwiseForm& form : forms()) {
    if (op == form.name) return form;
  }
  throw std::logic_error("no elementwise form for R." + op);
}

bool accepts(Accepts rule, DataType dtype) {
  switch (rule) {
    case Accepts::Any: return true;
    case Accepts::Numeric: return is_numeric(dtype);
    case Accepts::Float: return is_float(dtype);
    case Accepts::Int: return is_int(dtype) || dtype == DataType::Bool;
    case Accepts::Bool: return dtype == DataType::Bool;
  }
  return false;
}

const char* accepted_text(Accepts rule) {
  switch (rule) {
    case Accepts::Numeric: return "numeric";
    case Accepts::Float: return "float";
    case Accepts::Int: return "integer or bool";
    case Accepts::Bool: return "bool";
    case Accepts::Any: break;
  }
  return "any";
}

// A scalar written into a kernel of `dtype`; an infinite bound of an integer kernel is the
// dtype's extreme value, and a NaN one has no meaning.
std::string scalar_literal(const relax::Call& call, DataType dtype, double value) {
  if (!is_float(dtype) && std::isinf(value)) return std::string("T.") + (value > 0 ? "max_value" : "min_value") + "(\"" + dtype_name(dtype) + "\")";
  if (!is_float(dtype) && std::isnan(value)) throw CompileError(call.loc, "R." + call.op + ": a NaN bound for an integer tensor has no meaning");
  return dtype_literal(dtype, value);
}

std::string substitute(std::string pattern, const std::vector<std::string>& args, DataType dtype, DataType out, const Attrs& attrs) {
  auto replace_all = [&](const std::string& key, const std::string& text) {
    for (size_t at = pattern.find(key); at != std::string::npos; at = pattern.find(key, at + text.size())) pattern.replace(at, key.size(), text);
  };
  for (size_t i = 0; i < args.size(); ++i) replace_all("{" + std::to_string(i) + "}", args[i]);
  replace_all("{zero}", dtype_literal(dtype, 0));
  replace_all("{one}", dtype_literal(dtype, 1));
  replace_all("{minus_one}", dtype_literal(dtype, -1));
  replace_all("{min}", "T.min_value(\"" + std::string(dtype_name(dtype)) + "\")");
  replace_all("{dtype}", std::string("\"") + dtype_name(dtype) + "\"");
  replace_all("{out_dtype}", std::string("\"") + dtype_name(out) + "\"");
  for (size_t at = pattern.find("{c:"); at != std::string::npos; at = pattern.find("{c:")) {
    size_t end = pattern.find('}', at);
    pattern.replace(at, end + 1 - at, dtype_literal(dtype, std::stod(pattern.substr(at + 3, end - at - 3))));
  }
  for (size_t at = pattern.find("{attr:"); at != std::string::npos; at = pattern.find("{attr:")) {
    size_t end = pattern.find('}', at);
    pattern.replace(at, end + 1 - at, dtype_literal(dtype, attrs.get_float(pattern.substr(at + 6, end - at - 6))));
  }
  return pattern;
}

// numpy's broadcast of every tensor operand's shape.
StructInfoPtr broadcast_all(const InferCall& c, const std::vector<const StructInfo*>& tensors, DataType dtype) {
  std::optional<std::vector<tir::Expr>> shape = std::vector<tir::Expr>{};
  int rank = 0;
  for (const StructInfo* t : tensors) {
    rank = t->rank() < 0 || rank < 0 ? -1 : std::max(rank, t->rank());
    if (!t->shape) shape.reset();
    if (!shape) continue;
    std::optional<std::vector<tir::Expr>> next = broadcast_shapes(*shape, *t->shape);
    if (!next) {
      c.error("shapes " + shape_text(*shape) + " and " + shape_text(*t->shape) + " cannot be broadcast together");
      return make_tensor_sinfo(std::nullopt, dtype, rank);
    }
    shape = next;
  }
  return shape ? make_tensor_sinfo(*shape, dtype) : make_tensor_sinfo(std::nullopt, dtype, rank);
}

// A scalar operand (R.prim_value) is a 0-d tensor of the other operands' dtype, as an R.const
// scalar is: it takes no part in choosing the dtype.
bool is_scalar(const StructInfo* s) { return s->kind == relax::StructInfoKind::Prim; }

StructInfoPtr infer_elementwise(const InferCall& c) {
  const ElementwiseForm& form = form_of(c.call.op);
  // R.where's condition is bool; the values give the dtype.
  size_t first_value = c.call.op == "where" ? 1 : 0;
  std::vector<const StructInfo*> tensors;
  for (int i = 0; i < form.tensors; ++i) {
    if (!is_scalar(c.operands[static_cast<size_t>(i)])) tensors.push_back(c.operands[static_cast<size_t>(i)]);
  }
  if (tensors.size() <= first_value) {
    c.error("needs a tensor operand; all of these are scalars (use R.const for a 0-d tensor)");
    return object_sinfo();
  }
  DataType dtype = tensors[first_value]->dtype;
  for (size_t i = first_value + 1; i < tensors.size(); ++i) dtype = common_dtype(c, *tensors[first_value], *tensors[i]);
  if (first_value == 1 && tensors[0]->dtype != DataType::Void && tensors[0]->dtype != DataType::Bool) {
    c.error("the condition must be a bool tensor, not " + std::string(dtype_name(tensors[0]->dtype)));
  }
  StructInfoPtr out = broadcast_all(c, tensors, dtype);
  if (dtype != DataType::Void && !accepts(form.accepts, dtype)) {
    std::string what = form.accepts == Accepts::Float ? "; cast to a float dtype first" : "; it takes " + std::string(accepted_text(form.accepts)) + " tensors";
    c.diags.error(c.call.loc, c.op_name() + " of " + dtype_name(dtype) + " tensors is not supported" + what);
  }
  if (form.result == Result::Bool) return like(*out, DataType::Bool);
  if (form.result == Result::AttrDType) {
    std::optional<DataType> to = c.attrs.get_dtype("dtype");
    if (!to) c.error("needs dtype=, the dtype to convert to");
    return like(*out, to.value_or(DataType::Void));
  }
  return out;
}

std::string legalize_elementwise(const std::string& name, const KernelRequest& request) {
  const ElementwiseForm& form = form_of(request.call.op);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  size_t rank = out_shape.size();
  size_t first_value = request.call.op == "where" ? 1 : 0;
  DataType in_dtype = DataType::Void;
  for (size_t i = first_value; i < request.operands.size(); ++i) {
    if (request.operands[i].sinfo && in_dtype == DataType::Void) in_dtype = request.operands[i].sinfo->dtype;
  }
  if (in_dtype == DataType::Void) in_dtype = request.result->dtype;  // every value operand a scalar
  std::string out = form.tensors == 1 ? "compute" : "T_" + std::string(form.kernel);
  KernelText k(name);
  static const char* kLetters[] = {"A", "B", "C", "D", "E"};
  std::vector<std::string> loads;
  std::vector<std::string> loops = loop_names("ax", rank);
  for (size_t i = 0; i < request.operands.size(); ++i) {
    const Operand& operand = request.operands[i];
    if (!operand.sinfo && !operand.scalar && operand.value) {
      // R.prim_value of an expression over sizes: computed in the kernel, in the operand dtype.
      require_sizes_of(request, operand.value);
      loads.push_back("T.Cast(\"" + std::string(dtype_name(in_dtype)) + "\", " + dim_text(operand.value) + ")");
      continue;
    }
    if (operand.scalar) {
      loads.push_back(scalar_literal(request.call, i < first_value ? DataType::Bool : in_dtype, *operand.scalar));
      continue;
    }
    const std::vector<tir::Expr>& shape = shape_of(*operand.sinfo);
    k.param(kLetters[i], shape, operand.sinfo->dtype);
    std::vector<std::string> indices;
    for (size_t d = 0; d < shape.size(); ++d) {
      size_t j = d + (rank - shape.size());
      indices.push_back(broadcast_index(shape[d], out_shape[j], "v_" + loops[j]));
    }
    loads.push_back(indexed(kLetters[i], indices));
  }
  k.param(out, out_shape, request.result->dtype);
  const char* pattern = form.int_value && !is_float(in_dtype) ? form.int_value : form.value;
  k.open_block(out, loops, dim_texts(out_shape), std::string(rank, 'S'));
  // "name = value; ...; result": local bindings of the operand type, then the element.
  std::string text = substitute(pattern, loads, in_dtype, request.result->dtype, request.attrs);
  for (size_t end = text.find("; "); end != std::string::npos; end = text.find("; ")) {
    std::string binding = text.substr(0, end);
    size_t eq = binding.find(" = ");
    k.line(binding.substr(0, eq) + ": T." + dtype_name(in_dtype) + binding.substr(eq));
    text = text.substr(end + 2);
  }
  k.line(indexed(out, iter_names(loops)) + " = " + text);
  k.close_block();
  return k.str();
}

}  // namespace

void register_elementwise(std::vector<OpDef>& ops) {
  static const char* kNames[] = {"x1", "x2", "x3"};
  for (const ElementwiseForm& form : forms()) {
    OpDef op;
    op.name = form.name;
    op.kernel_name = form.kernel;
    if (form.tensors == 1) op.operands = {{"x"}};
    else
      for (int i = 0; i < form.tensors; ++i) op.operands.push_back({kNames[i]});
    // Binary operands may be R.prim_value scalars, as TVM's binary operators accept them.
    if (form.tensors == 2)
      for (OperandSpec& operand : op.operands) operand.kind = OperandKind::TensorOrPrimValue;
    if (op.name == "where") op.operands = {{"condition"}, {"x1"}, {"x2"}};
    if (op.name == "clip") op.operands = {{"x"}, {"min", OperandKind::PrimValue}, {"max", OperandKind::PrimValue}};
    if (op.name.rfind("nn.", 0) == 0) op.operands[0].name = "data";
    op.attrs = form.attrs;
    op.infer = infer_elementwise;
    op.legalize = legalize_elementwise;
    op.scalar_literals = form.tensors >= 2;
    ops.push_back(op);
  }
}

}  // namespace relaxc::ops

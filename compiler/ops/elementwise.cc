// Elementwise operators with numpy broadcasting. Each is one row of a table: its name, its
// arity, the dtypes it accepts, the dtype of its result and the TensorIR value of one element,
// written as a pattern over the operands ({0}, {1}) and typed constants ({zero}, {one}).
// Operands align at the last axis; an operand's axis of extent 1 repeats along the output's.
// An R.const scalar operand is written into the kernel as a literal.
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

enum class Accepts { Any, Float, Int, Bool };
enum class Result { Same, Bool };

struct ElementwiseForm {
  const char* name;
  const char* kernel;
  int arity;
  Accepts accepts;
  Result result;
  const char* value;  // the pattern of one element
};

// TVM's legalization of each (topi), in TensorIR intrinsics that propagate NaN as numpy does.
const std::vector<ElementwiseForm>& forms() {
  static const std::vector<ElementwiseForm> table = {
      {"add", "add", 2, Accepts::Any, Result::Same, "{0} + {1}"},
      {"subtract", "subtract", 2, Accepts::Any, Result::Same, "{0} - {1}"},
      {"multiply", "multiply", 2, Accepts::Any, Result::Same, "{0} * {1}"},
      {"divide", "divide", 2, Accepts::Float, Result::Same, "{0} / {1}"},
      {"maximum", "maximum", 2, Accepts::Any, Result::Same, "T.max({0}, {1})"},
      {"minimum", "minimum", 2, Accepts::Any, Result::Same, "T.min({0}, {1})"},
      {"exp", "exp", 1, Accepts::Float, Result::Same, "T.exp({0})"},
      {"nn.relu", "relu", 1, Accepts::Any, Result::Same, "T.max({0}, {zero})"},
  };
  return table;
}

const ElementwiseForm& form_of(const std::string& op) {
  for (const ElementwiseForm& form : forms()) {
    if (op == form.name) return form;
  }
  throw std::logic_error("no elementwise form for R." + op);
}

bool accepts(Accepts rule, DataType dtype) {
  switch (rule) {
    case Accepts::Any: return true;
    case Accepts::Float: return is_float(dtype);
    case Accepts::Int: return is_int(dtype) || dtype == DataType::Bool;
    case Accepts::Bool: return dtype == DataType::Bool;
  }
  return false;
}

const char* accepted_text(Accepts rule) {
  switch (rule) {
    case Accepts::Float: return "float";
    case Accepts::Int: return "integer or bool";
    case Accepts::Bool: return "bool";
    case Accepts::Any: break;
  }
  return "any";
}

std::string substitute(std::string pattern, const std::vector<std::string>& args, DataType dtype) {
  auto replace_all = [&](const std::string& key, const std::string& text) {
    for (size_t at = pattern.find(key); at != std::string::npos; at = pattern.find(key, at + text.size())) pattern.replace(at, key.size(), text);
  };
  for (size_t i = 0; i < args.size(); ++i) replace_all("{" + std::to_string(i) + "}", args[i]);
  replace_all("{zero}", dtype_literal(dtype, 0));
  replace_all("{one}", dtype_literal(dtype, 1));
  replace_all("{dtype}", std::string("\"") + dtype_name(dtype) + "\"");
  return pattern;
}

StructInfoPtr infer_elementwise(const InferCall& c) {
  const ElementwiseForm& form = form_of(c.call.op);
  const StructInfo& a = *c.operands[0];
  DataType dtype = a.dtype;
  StructInfoPtr out;
  if (form.arity == 1) {
    out = like(a, dtype);
  } else {
    const StructInfo& b = *c.operands[1];
    dtype = common_dtype(c, a, b);
    if (!a.shape || !b.shape) {
      out = make_tensor_sinfo(std::nullopt, dtype, a.rank() >= 0 && b.rank() >= 0 ? std::max(a.rank(), b.rank()) : -1);
    } else if (std::optional<std::vector<tir::Expr>> shape = broadcast_shapes(*a.shape, *b.shape)) {
      out = make_tensor_sinfo(*shape, dtype);
    } else {
      c.error("shapes " + shape_text(*a.shape) + " and " + shape_text(*b.shape) + " cannot be broadcast together");
      out = make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(std::max(a.shape->size(), b.shape->size())));
    }
  }
  if (dtype != DataType::Void && !accepts(form.accepts, dtype)) {
    std::string what = form.accepts == Accepts::Float ? "; cast to a float dtype first" : "; it takes " + std::string(accepted_text(form.accepts)) + " tensors";
    c.diags.error(c.call.loc, c.op_name() + " of " + dtype_name(dtype) + " tensors is not supported" + what);
  }
  return form.result == Result::Bool ? like(*out, DataType::Bool) : out;
}

std::string legalize_elementwise(const std::string& name, const KernelRequest& request) {
  const relax::Call& call = request.call;
  const ElementwiseForm& form = form_of(call.op);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  size_t rank = out_shape.size();
  if (rank == 0) throw CompileError(call.loc, "R." + call.op + " of 0-d tensors is not supported by the code generator yet");
  DataType in_dtype = DataType::Void;
  for (const Operand& operand : request.operands) {
    if (operand.sinfo) in_dtype = operand.sinfo->dtype;
  }
  std::string out = form.arity == 1 ? "compute" : "T_" + std::string(form.kernel);
  KernelText k(name);
  static const char* kLetters[] = {"A", "B", "C"};
  std::vector<std::string> loads;
  std::vector<std::string> loops = loop_names("ax", rank);
  for (size_t i = 0; i < request.operands.size(); ++i) {
    const Operand& operand = request.operands[i];
    if (operand.scalar) {
      loads.push_back(dtype_literal(in_dtype, *operand.scalar));
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
  k.open_block(out, loops, dim_texts(out_shape), std::string(rank, 'S'));
  k.line(indexed(out, iter_names(loops)) + " = " + substitute(form.value, loads, in_dtype));
  k.close_block();
  return k.str();
}

}  // namespace

void register_elementwise(std::vector<OpDef>& ops) {
  for (const ElementwiseForm& form : forms()) {
    OpDef op;
    op.name = form.name;
    op.kernel_name = form.kernel;
    op.operands = {{"x1"}};
    if (form.arity == 1) op.operands[0].name = "x";
    if (form.arity == 2) op.operands.push_back({"x2"});
    op.infer = infer_elementwise;
    op.legalize = legalize_elementwise;
    op.scalar_literals = form.arity == 2;
    ops.push_back(op);
  }
}

}  // namespace relaxc::ops

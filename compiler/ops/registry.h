// The Relax operator registry: every operator is defined once, in compiler/ops/<family>.cc, by
// an OpDef — its operands, its typed attributes (parsed and validated here, once, with errors
// that name the attribute and point at it), its struct-info inference and its legalization to
// TensorIR. The front end, the checker and LegalizeOps all read this one table; nothing else
// lists operators. docs/adding_an_operator.md is the recipe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/relax.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::ops {

// ---- operands -------------------------------------------------------------------------------

enum class OperandKind {
  Tensor,  // any Relax expression whose struct info is a tensor (or an R.const scalar)
  Shape,   // R.shape([...]) or a literal tuple/list of sizes, kept as a ShapeExpr
  // A tuple of tensors, R.concat((a, b)) or a variable holding one. Inference sees the tuple's
  // struct info; LegalizeOps gives the kernel one input buffer per field (one Operand each).
  TensorTuple,
  // A scalar, R.prim_value(T.float32(1)) or a bare number. Inference sees its Prim struct info;
  // the kernel gets an Operand with no sinfo and the constant value as `scalar`.
  PrimValue,
  // A tensor, or an R.prim_value standing for a 0-d tensor (R.take's indices). Inference sees
  // a Tensor or a Prim struct info; the kernel gets a buffer, or an Operand whose `value` is
  // the scalar's expression (over sizes the other operands' shapes declare).
  TensorOrPrimValue,
};

struct OperandSpec {
  std::string name;  // TVM's parameter name, also accepted as a keyword (`shape=`)
  OperandKind kind = OperandKind::Tensor;
  bool optional = false;  // only trailing operands may be optional
};

// ---- attributes -----------------------------------------------------------------------------

enum class AttrKind {
  Int,      // 3
  Float,    // 0.5 (an integer is accepted)
  Bool,     // True
  String,   // "NCHW"
  DType,    // "float32"; None or "" means "not given"
  IntList,  // [1, 1] (a single integer n is accepted and means [n])
  Axes,     // None, an integer or a list of integers
  FloatList,  // [0.0, T.float32(0.5)] (integers accepted)
};

struct AttrSpec {
  std::string name;
  AttrKind kind;
  AttrValuePtr fallback;                // TVM's default; null = None
  std::vector<std::string> supported;   // String: the values with a kernel (empty = any)
};

AttrSpec int_attr(std::string name, int64_t fallback);
AttrSpec float_attr(std::string name, double fallback);
AttrSpec bool_attr(std::string name, bool fallback);
AttrSpec string_attr(std::string name, std::string fallback, std::vector<std::string> supported = {});
AttrSpec dtype_attr(std::string name);  // None by default
AttrSpec ints_attr(std::string name, std::vector<int64_t> fallback);
AttrSpec floats_attr(std::string name, std::vector<double> fallback);
AttrSpec axes_attr(std::string name);   // None by default
AttrSpec axes_attr(std::string name, int64_t fallback);

// The attributes of one call, checked against the operator's specs and with defaults filled.
class Attrs {
 public:
  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;
  std::optional<DataType> get_dtype(const std::string& name) const;
  const std::vector<int64_t>& get_ints(const std::string& name) const;
  const std::vector<double>& get_floats(const std::string& name) const;
  // nullopt for None.
  std::optional<std::vector<int64_t>> get_axes(const std::string& name) const;
  bool given(const std::string& name) const;
  // Where the attribute was written, or the call when it was not.
  SourceLoc loc(const std::string& name) const;

  struct Value {
    std::string name;
    AttrKind kind;
    bool given = false;
    bool none = false;
    SourceLoc loc;
    int64_t integer = 0;
    double real = 0;
    bool flag = false;
    std::string text;
    std::optional<DataType> dtype;
    std::vector<int64_t> ints;
    std::vector<double> reals;
  };
  std::vector<Value> values;

 private:
  const Value& find(const std::string& name, AttrKind kind) const;
};

// ---- inference and legalization -------------------------------------------------------------

struct OpDef;

// What an inference function sees: the call, its attributes, the struct info of each operand
// by position (null for a shape operand, whose values are in `shapes` at the same position),
// and where to report errors.
struct InferCall {
  const relax::Call& call;
  const OpDef& op;
  const Attrs& attrs;
  std::vector<const relax::StructInfo*> operands;
  std::vector<const std::vector<tir::Expr>*> shapes;
  Diagnostics& diags;

  void error(const std::string& message) const;                          // at the call
  void error_at(const std::string& attr, const std::string& message) const;  // at the attribute
  std::string op_name() const { return "R." + call.op; }
};

struct Operand {
  relax::StructInfoPtr sinfo;    // a tensor with known shape and dtype
  std::optional<double> scalar;  // an R.const scalar, written into the kernel as a literal
  tir::Expr value;               // an R.prim_value operand's expression (also `scalar` when constant)
};

struct KernelRequest {
  const relax::Call& call;
  const Attrs& attrs;
  std::vector<Operand> operands;                       // the tensor operands, in order
  std::vector<const std::vector<tir::Expr>*> shapes;  // by operand position; null for tensors
  relax::StructInfoPtr result;
};

using InferFn = relax::StructInfoPtr (*)(const InferCall&);
// The TensorIR kernel (TVMScript text of one prim_func named `name`), or CompileError at the
// call or attribute for a form without a kernel.
using LegalizeFn = std::string (*)(const std::string& name, const KernelRequest&);

struct OpDef {
  std::string name;         // without "R.": "add", "nn.conv2d"
  std::string kernel_name;  // TVM's name for the legalized kernel: "transpose" for permute_dims
  std::vector<OperandSpec> operands;
  std::vector<AttrSpec> attrs;  // also their positional order after the operands
  InferFn infer = nullptr;
  LegalizeFn legalize = nullptr;
  bool scalar_literals = false;  // R.const scalar operands are written into the kernel
  bool row_major_view = false;   // the result is the operand's elements in the same order (a view)
  // False for an operator known only to be rejected with its reason (dynamic_strided_slice):
  // it is not listed among the operators relaxc compiles.
  bool has_kernel = true;

  size_t min_operands() const;
  const AttrSpec* find_attr(const std::string& attr) const;
};

// An entry in one expression: define_op("outer", "outer", {{"x1"}, {"x2"}}, {}, infer, legalize).
OpDef define_op(std::string name, std::string kernel_name, std::vector<OperandSpec> operands, std::vector<AttrSpec> attrs, InferFn infer,
                LegalizeFn legalize);

const OpDef* find_op(const std::string& name);  // name without "R."
const std::vector<OpDef>& all_ops();

// Checks the call's attributes against the operator's specs: reports each problem (unknown
// key, wrong kind, unsupported value) at the attribute and returns false if there was one.
bool validate_attrs(const OpDef& op, const relax::Call& call, Diagnostics& diags);
// The typed attributes of a call that validate_attrs accepted.
Attrs parse_attrs(const OpDef& op, const relax::Call& call);

// The families, each in its own file; registry.cc calls them once to build the table.
void register_elementwise(std::vector<OpDef>& ops);
void register_linalg(std::vector<OpDef>& ops);
void register_manipulate(std::vector<OpDef>& ops);
void register_manipulate_join(std::vector<OpDef>& ops);
void register_manipulate_index(std::vector<OpDef>& ops);
void register_manipulate_scatter(std::vector<OpDef>& ops);
void register_manipulate_extra(std::vector<OpDef>& ops);
void register_manipulate_shape(std::vector<OpDef>& ops);
void register_reduce(std::vector<OpDef>& ops);
void register_statistics(std::vector<OpDef>& ops);
void register_sort(std::vector<OpDef>& ops);
void register_nn(std::vector<OpDef>& ops);
void register_nn_conv(std::vector<OpDef>& ops);
void register_nn_pool(std::vector<OpDef>& ops);
void register_nn_norm(std::vector<OpDef>& ops);
void register_nn_attention(std::vector<OpDef>& ops);
void register_create(std::vector<OpDef>& ops);
void register_einsum(std::vector<OpDef>& ops);
void register_image(std::vector<OpDef>& ops);
void register_misc(std::vector<OpDef>& ops);

}  // namespace relaxc::ops

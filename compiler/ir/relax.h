// Relax: the graph-level functions of a module (`@R.function`). Struct info describes what a
// value is (a tensor of some shape and dtype, a tuple, a shape, ...); shapes are TensorIR
// expressions over symbolic int64 variables shared with the function's signature.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/attrs.h"
#include "compiler/ir/tir.h"

namespace relaxc::relax {

struct StructInfo;
using StructInfoPtr = std::shared_ptr<const StructInfo>;

enum class StructInfoKind { Object, Prim, Shape, Tensor, Tuple, Func };

struct StructInfo {
  StructInfoKind kind = StructInfoKind::Object;
  DataType dtype = DataType::Void;           // Tensor, Prim; Void = unknown
  std::optional<std::vector<tir::Expr>> shape;  // Tensor, Shape: known dimensions
  int ndim = -1;                              // when shape is unknown; -1 = unknown rank
  std::vector<StructInfoPtr> fields;          // Tuple
  SourceLoc loc;

  int rank() const { return shape ? static_cast<int>(shape->size()) : ndim; }
};

struct ExprNode;
using Expr = std::shared_ptr<const ExprNode>;

enum class ExprKind { Var, Constant, Tuple, TupleGetItem, Call, ShapeExpr, PrimValue, StringImm, GlobalVar, ExternFunc };

struct ExprNode {
  ExprKind kind;
  SourceLoc loc;
  ExprNode(ExprKind k, SourceLoc l) : kind(k), loc(l) {}
  virtual ~ExprNode() = default;
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

struct Var : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Var;
  std::string name;
  // Null until inferred. The checker fills it in once, before any pass sees the module; that
  // completion is the only change made to a node after the front end builds it.
  mutable StructInfoPtr sinfo;
  mutable bool is_dataflow = false;  // in a dataflow block and not passed to R.output (set by the builder at the block end)
  Var(std::string n, StructInfoPtr s, SourceLoc l) : ExprNode(kKind, l), name(std::move(n)), sinfo(std::move(s)) {}
};
using VarPtr = std::shared_ptr<const Var>;

// A tensor constant: `metadata["relax.expr.Constant"][i]` (value supplied with the module's
// parameters), `R.const(v, dtype)` (a scalar written in the source) or `R.const([[1, 2]],
// dtype)` (a tensor written in the source: `values` in row-major order, `literal_shape`).
struct Constant : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Constant;
  std::optional<int> metadata_index;
  double scalar = 0;
  std::optional<std::vector<int64_t>> literal_shape;
  std::vector<double> values;
  DataType dtype = DataType::Float32;
  StructInfoPtr sinfo;
  Constant(SourceLoc l) : ExprNode(kKind, l) {}
  bool is_scalar() const { return !metadata_index && !literal_shape; }
};

struct Tuple : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Tuple;
  std::vector<Expr> fields;
  Tuple(std::vector<Expr> f, SourceLoc l) : ExprNode(kKind, l), fields(std::move(f)) {}
};

struct TupleGetItem : ExprNode {
  static constexpr ExprKind kKind = ExprKind::TupleGetItem;
  Expr tuple;
  int index;
  TupleGetItem(Expr t, int i, SourceLoc l) : ExprNode(kKind, l), tuple(std::move(t)), index(i) {}
};

// A call. `op` names a Relax operator ("call_dps_packed", "call_tir", "call_packed", "add",
// "nn.relu", ...); an empty op calls `callee` (a GlobalVar: another function of the module).
struct Call : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Call;
  std::string op;
  Expr callee;
  std::vector<Expr> args;
  AttrDict attrs;                        // operator keywords such as axis=, strides=
  std::vector<StructInfoPtr> sinfo_args;  // out_sinfo / sinfo_args
  bool unknown_op = false;                // an operator the registry lacks (already reported)
  Call(SourceLoc l) : ExprNode(kKind, l) {}
};

struct ShapeExpr : ExprNode {
  static constexpr ExprKind kKind = ExprKind::ShapeExpr;
  std::vector<tir::Expr> values;
  ShapeExpr(std::vector<tir::Expr> v, SourceLoc l) : ExprNode(kKind, l), values(std::move(v)) {}
};

struct PrimValue : ExprNode {
  static constexpr ExprKind kKind = ExprKind::PrimValue;
  tir::Expr value;
  PrimValue(tir::Expr v, SourceLoc l) : ExprNode(kKind, l), value(std::move(v)) {}
};

struct StringImm : ExprNode {
  static constexpr ExprKind kKind = ExprKind::StringImm;
  std::string value;
  StringImm(std::string v, SourceLoc l) : ExprNode(kKind, l), value(std::move(v)) {}
};

// A function of this module, by name (`cls.linear0`, or `"linear0"` in call_dps_packed).
struct GlobalVar : ExprNode {
  static constexpr ExprKind kKind = ExprKind::GlobalVar;
  std::string name;
  GlobalVar(std::string n, SourceLoc l) : ExprNode(kKind, l), name(std::move(n)) {}
};

// A function looked up at run time by name ("env.linear"), or in the module when it has one.
struct ExternFunc : ExprNode {
  static constexpr ExprKind kKind = ExprKind::ExternFunc;
  std::string name;
  ExternFunc(std::string n, SourceLoc l) : ExprNode(kKind, l), name(std::move(n)) {}
};

struct Binding {
  VarPtr var;
  Expr value;
  StructInfoPtr annotation;  // `v: R.Tensor(...) = ...`, or the type of R.match_cast
  bool is_match_cast = false;
  SourceLoc loc;
};

struct BindingBlock {
  bool is_dataflow = false;
  std::vector<Binding> bindings;
  std::vector<VarPtr> outputs;  // R.output(...) of a dataflow block, in written order
  SourceLoc loc;
  SourceLoc output_loc;
};

struct Function {
  std::string name;
  std::vector<VarPtr> params;
  StructInfoPtr ret_annotation;  // as written; null when absent
  mutable StructInfoPtr ret_sinfo;  // inferred by the checker (see Var::sinfo)
  std::vector<tir::VarPtr> size_vars;  // symbolic variables, in order of first appearance
  std::vector<BindingBlock> blocks;
  Expr body;  // the returned value
  AttrDict attrs;
  bool is_pure = true;
  bool is_private = false;
  SourceLoc loc;
  SourceLoc return_loc;
};
using FunctionPtr = std::shared_ptr<const Function>;

}  // namespace relaxc::relax

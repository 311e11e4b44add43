// TensorIR: the loop-level functions of a module (`@T.prim_func`). Nodes are immutable and
// shared through shared_ptr<const T>; every node keeps the source position it came from.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/attrs.h"
#include "compiler/ir/dtype.h"
#include "compiler/support/source.h"

namespace relaxc::tir {

// A scalar variable: loop variable, block iteration variable, symbolic size, scalar
// parameter or handle. Identity is the object, not the name.
struct Var {
  std::string name;
  DataType dtype = DataType::Int32;
  SourceLoc loc;
};
using VarPtr = std::shared_ptr<const Var>;

struct ExprNode;
using Expr = std::shared_ptr<const ExprNode>;

struct Buffer {
  std::string name;
  DataType dtype = DataType::Float32;
  std::vector<Expr> shape;
  std::string scope = "global";
  SourceLoc loc;
};
using BufferPtr = std::shared_ptr<const Buffer>;

enum class ExprKind { IntImm, FloatImm, StringImm, VarRef, Load, Binary, Not, Cast, Select, Call, BufferRef };

enum class BinaryOp {
  Add, Sub, Mul, Div, FloorDiv, FloorMod, Mod, Min, Max,
  EQ, NE, LT, LE, GT, GE, And, Or,
};

struct ExprNode {
  ExprKind kind;
  DataType dtype;
  SourceLoc loc;
  ExprNode(ExprKind k, DataType t, SourceLoc l) : kind(k), dtype(t), loc(l) {}
  virtual ~ExprNode() = default;
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

struct IntImm : ExprNode {
  static constexpr ExprKind kKind = ExprKind::IntImm;
  int64_t value;
  IntImm(int64_t v, DataType t, SourceLoc l) : ExprNode(kKind, t, l), value(v) {}
};

struct FloatImm : ExprNode {
  static constexpr ExprKind kKind = ExprKind::FloatImm;
  double value;
  FloatImm(double v, DataType t, SourceLoc l) : ExprNode(kKind, t, l), value(v) {}
};

// Only as an argument of T.evaluate / intrinsic calls (e.g. a packed function name).
struct StringImm : ExprNode {
  static constexpr ExprKind kKind = ExprKind::StringImm;
  std::string value;
  StringImm(std::string v, SourceLoc l) : ExprNode(kKind, DataType::Handle, l), value(std::move(v)) {}
};

struct VarRef : ExprNode {
  static constexpr ExprKind kKind = ExprKind::VarRef;
  VarPtr var;
  VarRef(VarPtr v, SourceLoc l) : ExprNode(kKind, v->dtype, l), var(std::move(v)) {}
};

struct Load : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Load;
  BufferPtr buffer;
  std::vector<Expr> indices;
  Load(BufferPtr b, std::vector<Expr> i, SourceLoc l)
      : ExprNode(kKind, b->dtype, l), buffer(std::move(b)), indices(std::move(i)) {}
};

struct Binary : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Binary;
  BinaryOp op;
  Expr a, b;
  Binary(BinaryOp o, Expr x, Expr y, DataType t, SourceLoc l)
      : ExprNode(kKind, t, l), op(o), a(std::move(x)), b(std::move(y)) {}
};

struct Not : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Not;
  Expr a;
  Not(Expr x, SourceLoc l) : ExprNode(kKind, DataType::Bool, l), a(std::move(x)) {}
};

struct Cast : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Cast;
  Expr value;
  Cast(DataType t, Expr v, SourceLoc l) : ExprNode(kKind, t, l), value(std::move(v)) {}
};

// T.if_then_else(cond, a, b)
struct Select : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Select;
  Expr cond, true_value, false_value;
  Select(Expr c, Expr t, Expr f, SourceLoc l)
      : ExprNode(kKind, t->dtype, l), cond(std::move(c)), true_value(std::move(t)), false_value(std::move(f)) {}
};

// An intrinsic such as T.exp(x) (op = "exp") or T.min_value("float32") (op = "min_value").
struct Call : ExprNode {
  static constexpr ExprKind kKind = ExprKind::Call;
  std::string op;
  std::vector<Expr> args;
  Call(std::string o, std::vector<Expr> a, DataType t, SourceLoc l)
      : ExprNode(kKind, t, l), op(std::move(o)), args(std::move(a)) {}
};

// A whole buffer as a value: only as an argument of T.call_packed, which passes it to the
// runtime function as a DLTensor (TVM's tvm_stack_make_array of the buffer).
struct BufferRef : ExprNode {
  static constexpr ExprKind kKind = ExprKind::BufferRef;
  BufferPtr buffer;
  BufferRef(BufferPtr b, SourceLoc l) : ExprNode(kKind, DataType::Handle, l), buffer(std::move(b)) {}
};

// The op of the Call that T.call_packed("name", args...) builds: args[0] is the StringImm name.
inline constexpr const char* kCallPacked = "call_packed";

// ---- statements -------------------------------------------------------------------------

struct StmtNode;
using Stmt = std::shared_ptr<const StmtNode>;

enum class StmtKind { For, Block, Store, Seq, If, Evaluate, Let };

struct StmtNode {
  StmtKind kind;
  SourceLoc loc;
  StmtNode(StmtKind k, SourceLoc l) : kind(k), loc(l) {}
  virtual ~StmtNode() = default;
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
};

enum class ForKind { Serial, Parallel, Vectorized, Unrolled, ThreadBinding };

struct For : StmtNode {
  static constexpr StmtKind kKind = StmtKind::For;
  VarPtr loop_var;
  Expr min, extent;
  ForKind for_kind = ForKind::Serial;
  std::string thread;  // for ThreadBinding: "blockIdx.x", ...
  AttrDict annotations;
  Stmt body;
  For(SourceLoc l) : StmtNode(kKind, l) {}
};

enum class IterKind { Spatial, Reduce };

struct IterVar {
  VarPtr var;
  Expr min, extent;  // the domain [min, min + extent)
  IterKind kind = IterKind::Spatial;
  Expr binding;      // the value the enclosing loops give it
};

struct Range {
  Expr min, extent;
};

struct BufferRegion {
  BufferPtr buffer;
  std::vector<Range> region;  // extent 1 prints as a single index
  SourceLoc loc;
};

// `with T.block(name):` together with its realization (iteration values and predicate).
struct Block : StmtNode {
  static constexpr StmtKind kKind = StmtKind::Block;
  std::string name;
  std::vector<IterVar> iter_vars;
  Expr predicate;  // T.where; null when always true
  std::vector<BufferRegion> reads, writes;
  bool regions_given = false;  // the user wrote T.reads/T.writes (otherwise they are inferred)
  std::vector<BufferPtr> alloc_buffers;
  AttrDict annotations;
  Stmt init;  // null when absent
  Stmt body;
  Block(SourceLoc l) : StmtNode(kKind, l) {}
};

struct Store : StmtNode {
  static constexpr StmtKind kKind = StmtKind::Store;
  BufferPtr buffer;
  std::vector<Expr> indices;
  Expr value;
  Store(BufferPtr b, std::vector<Expr> i, Expr v, SourceLoc l)
      : StmtNode(kKind, l), buffer(std::move(b)), indices(std::move(i)), value(std::move(v)) {}
};

struct Seq : StmtNode {
  static constexpr StmtKind kKind = StmtKind::Seq;
  std::vector<Stmt> stmts;
  Seq(std::vector<Stmt> s, SourceLoc l) : StmtNode(kKind, l), stmts(std::move(s)) {}
};

struct If : StmtNode {
  static constexpr StmtKind kKind = StmtKind::If;
  Expr cond;
  Stmt then_case, else_case;  // else_case may be null
  If(Expr c, Stmt t, Stmt e, SourceLoc l)
      : StmtNode(kKind, l), cond(std::move(c)), then_case(std::move(t)), else_case(std::move(e)) {}
};

struct Evaluate : StmtNode {
  static constexpr StmtKind kKind = StmtKind::Evaluate;
  Expr value;
  Evaluate(Expr v, SourceLoc l) : StmtNode(kKind, l), value(std::move(v)) {}
};

// `v = expr` (or `v: T.float32 = expr`) followed by the statements that may use v.
struct Let : StmtNode {
  static constexpr StmtKind kKind = StmtKind::Let;
  VarPtr var;
  Expr value;
  bool annotated = false;
  Stmt body;
  Let(VarPtr v, Expr e, Stmt b, SourceLoc l)
      : StmtNode(kKind, l), var(std::move(v)), value(std::move(e)), body(std::move(b)) {}
};

// A parameter: a handle with a buffer matched to it, a T.Buffer parameter or a scalar.
struct Param {
  VarPtr var;
  BufferPtr buffer;          // null for a scalar parameter
  bool declared_as_buffer = false;  // written `A: T.Buffer(...)` rather than via T.match_buffer
};

struct PrimFunc {
  std::string name;
  std::vector<Param> params;
  std::vector<VarPtr> size_vars;  // declared `n = T.int64()`, in declaration order
  AttrDict attrs;
  bool is_private = false;
  bool has_root_block = false;     // the body sits inside the implicit `T.block("root")`
  bool s_tir = false;              // read as @T.prim_func(s_tir=True), TVM's current spelling
  bool scheduled = false;          // transformed by a schedule (a user's relaxc --schedule file or
                                   // a rule of the default schedule): later passes of the default
                                   // schedule and fusion leave it as it is
  std::vector<BufferPtr> root_alloc_buffers;
  Stmt body;
  std::optional<DataType> ret_type;  // `-> None` is recorded as Void
  SourceLoc loc;
};
using PrimFuncPtr = std::shared_ptr<const PrimFunc>;

}  // namespace relaxc::tir

// Parse tree → TensorIR expressions. Resolves names through a scope stack, gives bare Python
// literals the type of the other operand (`X[i] * 2` multiplies by a float32 2), and rejects
// what TensorIR cannot express, naming it. Relax shape expressions use it too.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "compiler/frontend/syntax.h"
#include "compiler/ir/tir.h"

namespace relaxc::ops {
struct TirIntrinsic;
}

namespace relaxc::frontend {

// What a name in a prim_func can stand for.
struct Symbol {
  tir::VarPtr var;        // a scalar (loop, iteration, size, local, parameter or handle)
  tir::BufferPtr buffer;  // or a buffer
  SourceLoc loc;
  const char* unused_warning = nullptr;  // e.g. "symbolic variable": warn when never used
};

class Scope {
 public:
  explicit Scope(Diagnostics& diags) : diags_(diags) { frames_.emplace_back(); }
  void push() { frames_.emplace_back(); }
  void pop();
  // Defines `name` in the innermost frame, warning when it hides an outer definition.
  void define(const std::string& name, Symbol symbol);
  const Symbol* lookup(const std::string& name);
  std::vector<std::string> visible_names() const;
  // Names defined but never looked up are reported as unused when their frame is popped.
  void mark_used(const std::string& name);

 private:
  struct Entry {
    Symbol symbol;
    bool used = false;
  };
  Diagnostics& diags_;
  std::vector<std::unordered_map<std::string, Entry>> frames_;
  std::vector<std::vector<std::string>> order_;
};

struct TypedExpr {
  tir::Expr expr;
  bool literal = false;  // a bare Python number whose type follows its context
};

class TirExprBuilder {
 public:
  explicit TirExprBuilder(Scope& scope) : scope_(scope) {}

  TypedExpr build(P::ExprContext* ctx);
  // Builds and gives a bare literal the type `dtype`.
  tir::Expr build_as(P::ExprContext* ctx, DataType dtype);
  tir::Expr build_index(P::ExprContext* ctx);  // integer-valued; literals stay int32
  std::vector<tir::Expr> build_shape(P::ExprContext* ctx);  // `(1, n)` or `[1, n]`
  tir::BufferPtr lookup_buffer(P::ExprContext* ctx, const std::string& use);
  // T.call_packed("name", args...), which is a statement (tir_packed_call.cc).
  tir::Expr build_packed_call(const CallSyntax& call);

  static tir::Expr retype_literal(const TypedExpr& value, DataType dtype);

  // Called with a name that is not defined, before that is an error: a hook may define it (a
  // type variable of TVM's current printer, `n = TypeVar("n")`, declared where first used) and
  // return true.
  void set_undefined_name_hook(std::function<bool(const std::string&, SourceLoc)> hook) { undefined_name_ = std::move(hook); }

 private:
  const Symbol* lookup_or_declare(const std::string& name, SourceLoc loc);
  TypedExpr build_call(P::ExprContext* ctx, const CallSyntax& call);
  TypedExpr build_tvm_const(const CallSyntax& call, SourceLoc loc);
  TypedExpr build_intrinsic(const ops::TirIntrinsic& intrinsic, const CallSyntax& call, SourceLoc loc);
  TypedExpr build_binary(P::ExprContext* ctx, int op_token, P::ExprContext* lhs, P::ExprContext* rhs);
  TypedExpr build_name(P::ExprContext* ctx, const std::string& name);
  TypedExpr build_load(P::SubscriptExprContext* ctx);
  tir::Expr build_packed_argument(P::ExprContext* arg);
  tir::Expr build_stack_array(const CallSyntax& call, SourceLoc loc);

  Scope& scope_;
  std::function<bool(const std::string&, SourceLoc)> undefined_name_;
};

tir::Expr make_binary(tir::BinaryOp op, TypedExpr a, TypedExpr b, SourceLoc loc);
// Integer element types that a symbolic size variable may have: T.int32(), T.int64(), ...
std::optional<DataType> size_var_dtype(const std::string& callee_name);
// The dtype of the symbolic variable `target = call` declares: `n = T.int64()` or the older
// `n = T.Var("n", "int64")`; nullopt when the call declares none.
std::optional<DataType> declared_size_var(const CallSyntax& call, P::ExprContext* target);
inline bool may_declare_size_var(const std::string& callee) { return callee == "T.Var" || size_var_dtype(callee); }

}  // namespace relaxc::frontend

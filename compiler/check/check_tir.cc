// TensorIR well-formedness. Invariants (numbers appear in no message; they index README.md):
//  T1 every symbolic variable is bound by a buffer parameter's shape or is a scalar parameter
//  T2 a buffer is indexed with exactly as many indices as it has dimensions
//  T3 indices, loop bounds and axis domains are integers; conditions are booleans
//  T4 a stored value has the buffer's dtype; both operands of an operator have one dtype
//  T5 a block with T.init() has a reduction axis; a reduction axis never indexes a store;
//     every spatial axis indexes some store of its block
//  T6 block names and buffer names are unique within a function
#include <algorithm>
#include <map>
#include <set>

#include "compiler/check/check_module.h"
#include "compiler/ops/tir_intrinsics.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::tir;

namespace {

std::string type_text(DataType t) { return dtype_name(t); }

class TirChecker {
 public:
  TirChecker(const PrimFunc& func, Diagnostics& diags) : func_(func), diags_(diags) {}

  void run() {
    collect_bound_vars();
    std::map<std::string, SourceLoc> buffer_names;
    auto add_buffer = [&](const BufferPtr& buffer) {
      auto [it, fresh] = buffer_names.emplace(buffer->name, buffer->loc);
      if (!fresh) diags_.error(buffer->loc, "buffer name '" + buffer->name + "' is already used at line " + std::to_string(it->second.line));
      for (const Expr& dim : buffer->shape) {
        check_index_expr(dim, "a buffer dimension");
        check_size_vars(dim);
      }
    };
    for (const Param& param : func_.params) {
      if (param.buffer) add_buffer(param.buffer);
    }
    for (const BufferPtr& buffer : func_.root_alloc_buffers) add_buffer(buffer);
    std::map<std::string, SourceLoc> block_names;
    visit_stmt(func_.body, [&](const StmtNode& node) {
      if (const auto* block = node.as<Block>()) {
        auto [it, fresh] = block_names.emplace(block->name, block->loc);
        if (!fresh) diags_.error(block->loc, "block name '" + block->name + "' is already used at line " + std::to_string(it->second.line));
        for (const BufferPtr& buffer : block->alloc_buffers) add_buffer(buffer);
      }
      check_stmt(node);
    }, [&](const ExprNode& expr) { check_expr(expr); });
  }

 private:
  void collect_bound_vars() {
    for (const Param& param : func_.params) {
      if (param.var->dtype != DataType::Handle) bound_.insert(param.var.get());
      if (!param.buffer) continue;
      for (const Expr& dim : param.buffer->shape) {
        if (const auto* ref = dim->as<VarRef>()) bound_.insert(ref->var.get());
      }
    }
    for (const VarPtr& var : func_.size_vars) size_vars_.insert(var.get());
  }

  void check_size_vars(const Expr& expr) {
    for (const VarPtr& var : vars_in(expr)) {
      if (size_vars_.count(var.get()) && !bound_.count(var.get()) && reported_.insert(var.get()).second) {
        diags_.error(expr->loc, "symbolic variable '" + var->name +
                                    "' is not bound by the shape of any buffer parameter; use it as a dimension in T.match_buffer");
      }
    }
  }

  void check_index_expr(const Expr& expr, const std::string& what) {
    if (expr && !is_int(expr->dtype)) {
      diags_.error(expr->loc, what + " must be an integer, not " + type_text(expr->dtype));
    }
  }

  void check_bool(const Expr& expr, const std::string& what) {
    if (expr && expr->dtype != DataType::Bool) {
      diags_.error(expr->loc, what + " must be a boolean, not " + type_text(expr->dtype));
    }
  }

  void check_indices(const Buffer& buffer, const std::vector<Expr>& indices, SourceLoc loc) {
    if (indices.size() != buffer.shape.size()) {
      diags_.error(loc, "buffer '" + buffer.name + "' has " + std::to_string(buffer.shape.size()) + " dimension" +
                            (buffer.shape.size() == 1 ? "" : "s") + " but is indexed with " +
                            std::to_string(indices.size()));
    }
    for (const Expr& index : indices) check_index_expr(index, "an index of '" + buffer.name + "'");
  }

  void check_expr(const ExprNode& expr) {
    if (const auto* ref = expr.as<VarRef>()) {
      if (size_vars_.count(ref->var.get()) && !bound_.count(ref->var.get()) && reported_.insert(ref->var.get()).second) {
        diags_.error(expr.loc, "symbolic variable '" + ref->var->name +
                                   "' is not bound by the shape of any buffer parameter; use it as a dimension in T.match_buffer");
      }
    } else if (const auto* load = expr.as<Load>()) {
      check_indices(*load->buffer, load->indices, load->loc);
    } else if (const auto* binary = expr.as<Binary>()) {
      if (binary->a->dtype != binary->b->dtype) {
        diags_.error(binary->loc, "operands have different types, " + type_text(binary->a->dtype) + " and " +
                                      type_text(binary->b->dtype) + "; convert one with T.Cast");
      }
      if ((binary->op == BinaryOp::And || binary->op == BinaryOp::Or) && binary->a->dtype != DataType::Bool) {
        diags_.error(binary->loc, "'and'/'or' need boolean operands, not " + type_text(binary->a->dtype));
      }
    } else if (const auto* select = expr.as<Select>()) {
      check_bool(select->cond, "the condition of T.if_then_else");
      if (select->true_value->dtype != select->false_value->dtype) {
        diags_.error(select->loc, "T.if_then_else's branches have different types, " +
                                      type_text(select->true_value->dtype) + " and " + type_text(select->false_value->dtype));
      }
    } else if (const auto* call = expr.as<Call>()) {
      check_intrinsic(*call);
    } else if (const auto* negation = expr.as<Not>()) {
      check_bool(negation->a, "the operand of 'not'");
    }
  }

  // The argument types the intrinsic table asks for, all the same.
  void check_intrinsic(const Call& call) {
    const ops::TirIntrinsic* intrinsic = ops::find_tir_intrinsic(call.op);
    if (intrinsic == nullptr) return;  // T.min_value / T.max_value
    for (const Expr& arg : call.args) {
      if (intrinsic->args == ops::IntrinsicArgs::Float && !is_float(arg->dtype)) {
        diags_.error(call.loc, "T." + call.op + " needs a floating-point argument, not " + type_text(arg->dtype));
        return;
      }
      if (intrinsic->args == ops::IntrinsicArgs::Int && is_float(arg->dtype)) {
        diags_.error(call.loc, "T." + call.op + " needs an integer argument, not " + type_text(arg->dtype));
        return;
      }
      if (arg->dtype != call.args[0]->dtype) {
        diags_.error(call.loc, "T." + call.op + "'s arguments have different types, " + type_text(call.args[0]->dtype) + " and " +
                                   type_text(arg->dtype) + "; convert one with T.Cast");
        return;
      }
    }
  }

  void check_stmt(const StmtNode& stmt) {
    if (const auto* store = stmt.as<Store>()) {
      check_indices(*store->buffer, store->indices, store->loc);
      if (store->value->dtype != store->buffer->dtype) {
        diags_.error(store->value->loc, "cannot store a " + type_text(store->value->dtype) + " value into " +
                                            type_text(store->buffer->dtype) + " buffer '" + store->buffer->name + "'");
      }
    } else if (const auto* loop = stmt.as<For>()) {
      check_index_expr(loop->min, "a loop bound");
      check_index_expr(loop->extent, "a loop extent");
    } else if (const auto* branch = stmt.as<If>()) {
      check_bool(branch->cond, "an 'if' condition");
    } else if (const auto* let = stmt.as<Let>()) {
      if (let->annotated && let->value->dtype != let->var->dtype) {
        diags_.error(let->value->loc, "'" + let->var->name + "' is declared " + type_text(let->var->dtype) +
                                          " but its value is " + type_text(let->value->dtype));
      }
    } else if (const auto* block = stmt.as<Block>()) {
      check_block(*block);
    }
  }

  // The stores of `block` itself, not of blocks nested in it.
  static void direct_stores(const Stmt& stmt, std::vector<const Store*>& out) {
    if (!stmt) return;
    if (const auto* store = stmt->as<Store>()) out.push_back(store);
    if (stmt->as<Block>()) return;
    if (const auto* loop = stmt->as<For>()) direct_stores(loop->body, out);
    if (const auto* seq = stmt->as<Seq>()) {
      for (const Stmt& s : seq->stmts) direct_stores(s, out);
    }
    if (const auto* branch = stmt->as<If>()) {
      direct_stores(branch->then_case, out);
      direct_stores(branch->else_case, out);
    }
    if (const auto* let = stmt->as<Let>()) direct_stores(let->body, out);
  }

  void check_block(const Block& block) {
    check_bool(block.predicate, "T.where's condition");
    for (const BufferRegion& region : block.reads) check_region(region);
    for (const BufferRegion& region : block.writes) check_region(region);
    bool has_reduce = false;
    for (const IterVar& iv : block.iter_vars) {
      check_index_expr(iv.extent, "an axis extent");
      check_index_expr(iv.binding, "an axis value");
      has_reduce = has_reduce || iv.kind == IterKind::Reduce;
    }
    if (block.init && !has_reduce) {
      diags_.error(block.init->loc, "T.init() in block '" + block.name + "', which has no reduction axis; mark the summed axis 'R'");
    }
    std::vector<const Store*> stores;
    direct_stores(block.body, stores);
    direct_stores(block.init, stores);
    if (stores.empty() || block.iter_vars.empty()) return;
    // A block that writes only "local" scratch (the default schedule's per-element values) may
    // have spatial axes that pick the element through the loops around the scratch instead.
    bool scratch_only = std::all_of(stores.begin(), stores.end(), [](const Store* st) { return st->buffer->scope == "local"; });
    for (const IterVar& iv : block.iter_vars) {
      bool indexes_store = false;
      for (const Store* store : stores) {
        for (const Expr& index : store->indices) {
          if (!uses_var(index, iv.var.get())) continue;
          indexes_store = true;
          if (iv.kind == IterKind::Reduce) {
            diags_.error(index->loc, "reduction axis '" + iv.var->name + "' indexes the store to '" + store->buffer->name +
                                         "'; an axis that indexes the output must be spatial ('S')");
          }
        }
      }
      // An axis of extent 1 takes one value, so spatial or reduction makes no difference: TVM
      // gives every block that writes a 0-d buffer such an axis (`vi = T.axis.spatial(1, 0)`).
      const auto* unit = iv.extent ? iv.extent->as<IntImm>() : nullptr;
      if (unit && unit->value == 1) continue;
      if (iv.kind == IterKind::Spatial && !indexes_store && !scratch_only) {
        diags_.error(iv.var->loc, "spatial axis '" + iv.var->name + "' of block '" + block.name +
                                      "' indexes no store, so the block reduces over it; declare it a reduction axis ('R')");
      }
    }
  }

  void check_region(const BufferRegion& region) {
    if (region.region.size() != region.buffer->shape.size()) {
      diags_.error(region.loc, "buffer '" + region.buffer->name + "' has " + std::to_string(region.buffer->shape.size()) +
                                   " dimensions but the region names " + std::to_string(region.region.size()));
    }
  }

  const PrimFunc& func_;
  Diagnostics& diags_;
  std::set<const Var*> bound_, size_vars_, reported_;
};

}  // namespace

void check_prim_func(const PrimFunc& func, Diagnostics& diags) { TirChecker(func, diags).run(); }

}  // namespace relaxc

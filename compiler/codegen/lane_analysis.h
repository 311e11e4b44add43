// LaneAnalysis: which expressions and statements of a T.vectorized loop's body the code
// generator can emit as SIMD code, and how each variable moves from one lane to the next
// (kernel_vector.cc emits what it admits). Shared by the vector emitter only; in a header so
// that the emitter's file stays about its emission.
#pragma once

#include <algorithm>
#include <optional>

#include "compiler/ir/tir.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::codegen {

// The largest step between lanes a strided load reads as one span and a permute.
constexpr int64_t kMaxLoadStride = 8;

// For `dst[i] = dst[i] op e` (or `e op dst[i]`) with op +, max or min: e, else null.
inline const tir::Expr* reduced_operand(const tir::Store& store) {
  using namespace relaxc::tir;
  auto* bin = store.value->as<Binary>();
  if (!bin || (bin->op != BinaryOp::Add && bin->op != BinaryOp::Max && bin->op != BinaryOp::Min)) return nullptr;
  auto is_dst = [&](const Expr& e) {
    auto* load = e->as<Load>();
    return load && load->buffer == store.buffer && same_indices(load->indices, store.indices);
  };
  if (is_dst(bin->a) && bin->b->dtype == store.buffer->dtype) return &bin->b;
  if (is_dst(bin->b) && bin->a->dtype == store.buffer->dtype) return &bin->a;
  return nullptr;
}

// In a namespace of its own so that its body may name TensorIR's nodes unqualified without
// bringing them into every file that includes this one.
namespace lanes_detail {
using namespace relaxc::tir;

// How each variable moves from one lane to the next: the loop variable by 1, a block axis by
// the stride of its binding; variables not listed are the same in every lane.
struct LaneAnalysis {
  Strides strides;
  LaneSpan span;  // how many lanes, and what each variable is in the first
  bool in_reduction = false;  // inside a block with a reduction axis
  bool gathers = false;       // the target gathers and scatters (AVX-512)
  bool masks = false;         // the target masks vector loads cheaply (AVX-512)
  bool guarded = false;       // inside a branch of a lane-dependent T.if_then_else

  // An expression of stride 0 (`(f * 16 + lane) // 16`) is the same in every lane: computed
  // once, for lane 0.
  bool depends(const Expr& e) const { return depends_on(e, strides) && stride(e) != std::optional<int64_t>(0); }
  std::optional<int64_t> stride(const Expr& e) const { return stride_of(e, strides, &span); }

  // The indices address consecutive elements across lanes.
  bool contiguous(const std::vector<Expr>& indices) const {
    if (indices.empty()) return false;
    for (size_t d = 0; d + 1 < indices.size(); ++d) {
      if (depends(indices[d])) return false;
    }
    std::optional<int64_t> last = stride(indices.back());
    return last && *last == 1;
  }

  // The step of the last index across lanes when the indices address every s-th element of
  // one row (s >= 1); null otherwise.
  std::optional<int64_t> row_step(const std::vector<Expr>& indices) const {
    if (indices.empty()) return std::nullopt;
    for (size_t d = 0; d + 1 < indices.size(); ++d) {
      if (depends(indices[d])) return std::nullopt;
    }
    std::optional<int64_t> last = stride(indices.back());
    if (!last || *last < 1 || *last > kMaxLoadStride) return std::nullopt;
    return last;
  }

  // Whether the indices step by constants across lanes, some of them moving: a gather or a
  // scatter of lanes a constant distance apart (an NCHW output written from a vector of
  // channels).
  bool strided(const std::vector<Expr>& indices) const {
    bool moves = false;
    for (const Expr& index : indices) {
      std::optional<int64_t> step = stride(index);
      if (!step) return false;
      moves = moves || *step != 0;
    }
    return gathers && moves;
  }

  // An integer division by what may be 0 at run time (`x % n` of a take with mode="wrap").
  static bool divides_by_variable(const Binary& bin) {
    bool division = bin.op == BinaryOp::Div || bin.op == BinaryOp::FloorDiv || bin.op == BinaryOp::FloorMod || bin.op == BinaryOp::Mod;
    const auto* divisor = bin.b->as<IntImm>();
    return division && !is_float(bin.dtype) && !(divisor && divisor->value != 0);
  }
  // What computed for every lane, taken or not, could fault: a load (unmasked), an integer
  // division by a variable.
  static bool may_fault(const Expr& e) {
    bool found = false;
    visit_expr(e, [&](const ExprNode& n) {
      const auto* bin = n.as<Binary>();
      found = found || n.as<Load>() != nullptr || (bin && divides_by_variable(*bin));
    });
    return found;
  }

  // Whether the block's reduction axes are the same in every lane.
  bool reduction_axes_uniform(const Block& block) const {
    return std::none_of(block.iter_vars.begin(), block.iter_vars.end(),
                        [&](const IterVar& iv) { return iv.kind == IterKind::Reduce && strides.count(iv.var.get()); });
  }

  static bool lane_dependent_init(const Block& block, const Strides& strides) {
    bool dependent = false;
    visit_stmt(block.init, [](const StmtNode&) {}, [&](const ExprNode& e) {
      if (auto* ref = e.as<VarRef>()) dependent = dependent || strides.count(ref->var.get()) > 0;
    });
    return dependent;
  }

  bool value(const Expr& e) {
    // The same in every lane is computed once, as scalar code: unmasked, so not inside a branch
    // when it loads (the branch may be taken by no lane, its index out of bounds).
    if (!depends(e)) return !guarded || !may_fault(e);
    switch (e->kind) {
      case ExprKind::VarRef: return stride(e).has_value() && !is_float(e->dtype);
      case ExprKind::Load: {
        auto* load = e->as<Load>();
        if (load->buffer->dtype == DataType::Bool) return false;
        // A guarded load is a masked load of consecutive lanes or a masked gather.
        if (guarded) {
          bool safe = std::none_of(load->indices.begin(), load->indices.end(), [](const Expr& index) { return may_fault(index); });
          return safe && (contiguous(load->indices) || strided(load->indices));
        }
        return row_step(load->indices).has_value() || strided(load->indices);
      }
      case ExprKind::Select: {
        // Each branch touches memory only in the lanes that take it (padding: the border lanes
        // of a row would read outside the input).
        auto* select = e->as<Select>();
        // Elsewhere LLVM would split each masked load into a branch per lane.
        if (!masks || e->dtype == DataType::Bool || !value(select->cond)) return false;
        bool saved = guarded;
        guarded = true;
        bool ok = value(select->true_value) && value(select->false_value);
        guarded = saved;
        return ok;
      }
      case ExprKind::Binary: return !(guarded && divides_by_variable(*e->as<Binary>())) && value(e->as<Binary>()->a) && value(e->as<Binary>()->b);
      case ExprKind::Cast: return value(e->as<Cast>()->value);
      case ExprKind::Not: return value(e->as<Not>()->a);
      case ExprKind::Call: {
        auto* call = e->as<Call>();
        return intrinsic_vectorizes(*call) && std::all_of(call->args.begin(), call->args.end(), [&](const Expr& arg) { return value(arg); });
      }
      default: return false;
    }
  }

  bool statement(const Stmt& s) {
    switch (s->kind) {
      case StmtKind::Seq:
        for (const Stmt& part : s->as<Seq>()->stmts) {
          if (!statement(part)) return false;
        }
        return true;
      case StmtKind::Evaluate: return s->as<Evaluate>()->value->as<IntImm>() != nullptr;
      case StmtKind::Store: {
        auto* store = s->as<Store>();
        if (store->buffer->dtype == DataType::Bool) return false;
        if (contiguous(store->indices)) return value(store->value);
        if (strided(store->indices)) return value(store->value);
        for (const Expr& index : store->indices) {
          if (depends(index)) return false;
        }
        const Expr* operand = reduced_operand(*store);
        return in_reduction && operand && value(*operand);
      }
      case StmtKind::Block: {
        auto* block = s->as<Block>();
        if (block->predicate || !block->alloc_buffers.empty()) return false;
        for (const IterVar& iv : block->iter_vars) {
          if (!iv.binding) return false;
          span.first_lane[iv.var.get()] = congruence_of(iv.binding, span);
          if (!depends(iv.binding)) continue;
          std::optional<int64_t> step = stride(iv.binding);
          if (!step) return false;
          strides[iv.var.get()] = *step;
        }
        // T.init runs once, for lane 0 of the first chunk, when it is the same for every lane;
        // otherwise as vector code, which needs every lane to start its reduction together.
        if (block->init && lane_dependent_init(*block, strides)) {
          if (!reduction_axes_uniform(*block) || !statement(block->init)) return false;
        }
        bool saved = in_reduction;
        in_reduction = in_reduction || std::any_of(block->iter_vars.begin(), block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; });
        bool ok = statement(block->body);
        in_reduction = saved;
        return ok;
      }
      default: return false;
    }
  }
};

}  // namespace lanes_detail

using lanes_detail::LaneAnalysis;

}  // namespace relaxc::codegen

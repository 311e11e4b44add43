#include "compiler/passes/tir/outer_product_tiles.h"

#include <algorithm>
#include <functional>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

using namespace relaxc::tir::build;

namespace {

constexpr int64_t kRowsPerTile = 8;     // MR
constexpr int64_t kVectorsPerRow = 2;   // NC = 2 vectors: 16 accumulators of the 32 registers
constexpr int64_t kMaxColumns = 64;     // what one vectorized loop holds

class OuterTiler {
 public:
  OuterTiler(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local)
      : r_(r), out_(*r.update), loc_(r.block->loc), epilogues_(epilogues), local_(local) {}

  Stmt build() {
    const Axis& i = r_.axes[static_cast<size_t>(r_.i)];
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    int64_t nc = kVectorsPerRow * vector_lanes(out_.buffer->dtype);
    if (const IntImm* n = constant(j.extent)) nc = std::max<int64_t>(1, std::min(nc, n->value));
    int64_t mr = kRowsPerTile;
    if (const IntImm* m = constant(i.extent)) mr = std::max<int64_t>(1, std::min(mr, m->value));
    Expr row_step = imm(mr, i.extent->dtype, loc_);
    Expr full_rows = arith(BinaryOp::FloorDiv, i.extent, row_step);
    Expr rows_done = arith(BinaryOp::Mul, full_rows, row_step);

    std::vector<Stmt> parts;
    // Full row tiles, columns inside.
    counted(parts, i.loop_var->name + "_o", imm(0, i.extent->dtype, loc_), full_rows,
            [&](const Expr& io) { return columns(nc, [&](const Expr& j0, int64_t cols) { return tile(arith(BinaryOp::Mul, io, row_step), mr, j0, cols); }); });
    // The rows left, one at a time inside the column tiles: with few rows (batch 1) the
    // columns are what threads can share.
    Expr rest = arith(BinaryOp::Sub, i.extent, rows_done);
    if (!constant(rest) || constant(rest)->value > 0) {
      parts.push_back(columns(nc, [&](const Expr& j0, int64_t cols) {
        std::vector<Stmt> rows;
        counted(rows, i.loop_var->name + "_t", rows_done, rest, [&](const Expr& it) { return tile(it, 1, j0, cols); });
        return seq(std::move(rows));
      }));
    }
    Stmt body = seq(std::move(parts));
    // The other spatial axes stay loops around everything, in their order.
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Spatial && static_cast<int>(p) != r_.i && static_cast<int>(p) != r_.j) {
        body = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, body);
      }
    }
    return body;
  }

 private:
  // Column tiles of nc, then what is left: one narrower tile when the extent is known, else
  // one column at a time.
  Stmt columns(int64_t nc, const std::function<Stmt(const Expr&, int64_t)>& tile_at) {
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    Expr step = imm(nc, j.extent->dtype, loc_);
    Expr full = arith(BinaryOp::FloorDiv, j.extent, step);
    Expr done = arith(BinaryOp::Mul, full, step);
    Expr rest = arith(BinaryOp::Sub, j.extent, done);
    std::vector<Stmt> parts;
    counted(parts, j.loop_var->name + "_o", imm(0, j.extent->dtype, loc_), full, [&](const Expr& jo) { return tile_at(arith(BinaryOp::Mul, jo, step), nc); });
    if (const IntImm* left = constant(rest)) {
      if (left->value > 0) parts.push_back(tile_at(done, left->value));
    } else {
      counted(parts, j.loop_var->name + "_t", done, rest, [&](const Expr& jt) { return tile_at(jt, 1); });
    }
    return seq(std::move(parts));
  }

  void counted(std::vector<Stmt>& parts, const std::string& name, const Expr& min, const Expr& extent,
               const std::function<Stmt(const Expr&)>& body) const {
    const IntImm* n = constant(extent);
    if (n && n->value <= 0) return;
    if (n && n->value == 1) {
      parts.push_back(body(min));
      return;
    }
    VarPtr v = fresh(name, min->dtype, loc_);
    parts.push_back(loop(v, min, extent, ForKind::Serial, body(var_ref(v))));
  }

  // rows x cols outputs from (i0, j0): acc[ii, jj] starts at the init value, takes every step
  // of the reduction (all reduction loops outside the tile's rows and columns), then goes to
  // the output and its epilogues.
  Stmt tile(const Expr& i0, int64_t rows, const Expr& j0, int64_t cols) {
    DataType dtype = out_.buffer->dtype;
    DataType index_type = r_.axes[static_cast<size_t>(r_.j)].extent->dtype;
    std::string suffix = tiles_ == 0 ? "" : "_" + std::to_string(tiles_);
    ++tiles_;
    auto named = [&](const std::string& part) { return r_.block->name + part + suffix; };
    auto acc = std::make_shared<Buffer>(Buffer{named("_acc"), dtype, {imm(rows, index_type, loc_), imm(cols, index_type, loc_)}, "local", loc_});
    std::vector<Expr> at = {arith(BinaryOp::Sub, var_ref(r_.axes[static_cast<size_t>(r_.i)].iter), i0),
                            arith(BinaryOp::Sub, var_ref(r_.axes[static_cast<size_t>(r_.j)].iter), j0)};
    LocalChain chain;
    chain.at = at;
    chain.loc = loc_;
    std::vector<BufferPtr> allocs = {acc};
    for (const BufferPtr& b : local_) {
      allocs.push_back(std::make_shared<Buffer>(Buffer{b->name + suffix, b->dtype, {imm(rows, index_type, loc_), imm(cols, index_type, loc_)}, "local", loc_}));
      chain.local[b.get()] = allocs.back();
    }
    // for ii in T.unroll(rows): for jj in T.vectorized(cols): body(axes bound to the output)
    auto over_tile = [&](bool with_reduction, const std::function<Stmt(std::vector<IterVar>)>& body) {
      VarPtr ii = fresh("ii", index_type, loc_), jj = fresh("jj", index_type, loc_);
      std::vector<IterVar> axes;
      for (size_t p = 0; p < r_.axes.size(); ++p) {
        const Axis& a = r_.axes[p];
        if (a.kind == IterKind::Reduce && !with_reduction) continue;
        Expr binding = var_ref(a.loop_var);
        if (static_cast<int>(p) == r_.i) binding = arith(BinaryOp::Add, i0, var_ref(ii));
        if (static_cast<int>(p) == r_.j) binding = arith(BinaryOp::Add, j0, var_ref(jj));
        axes.push_back(axis(a.iter, a.extent, a.kind, binding));
      }
      return loop(ii, imm(0, index_type, loc_), imm(rows, index_type, loc_), ForKind::Unrolled,
                  loop(jj, imm(0, index_type, loc_), imm(cols, index_type, loc_), ForKind::Vectorized, body(axes)));
    };
    Expr acc_value = std::make_shared<Load>(acc, at, loc_);
    Stmt init = over_tile(false, [&](std::vector<IterVar> axes) {
      return block(named("_init"), axes, std::make_shared<Store>(acc, at, chain.localize(r_.init_value), loc_), loc_);
    });
    Stmt accumulate = over_tile(true, [&](std::vector<IterVar> axes) {
      Expr sum = std::make_shared<Binary>(BinaryOp::Add, acc_value, chain.localize(r_.term), dtype, loc_);
      return block(named(""), axes, std::make_shared<Store>(acc, at, sum, loc_), loc_);
    });
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce) accumulate = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, accumulate);
    }
    Stmt finish = over_tile(false, [&](std::vector<IterVar> axes) {
      std::vector<Stmt> parts;
      parts.push_back(block(named("_out"), axes, chain.store(out_.buffer, out_.indices, acc_value), loc_));
      for (Stmt& b : chain.epilogue_blocks(epilogues_, r_, axes, suffix)) parts.push_back(std::move(b));
      return seq(std::move(parts));
    });
    return block(named("_tile"), {}, seq({init, accumulate, finish}), loc_, allocs);
  }

  const Reduction& r_;
  const Store& out_;
  SourceLoc loc_;
  const std::vector<Epilogue>& epilogues_;
  const std::vector<BufferPtr>& local_;
  int tiles_ = 0;
};

}  // namespace

bool worth_outer_product_tiles(const Reduction& r) {
  if (r.k >= 0 || r.i < 0 || r.j < 0) return false;
  const Var* i = r.axes[static_cast<size_t>(r.i)].iter.get();
  const Var* j = r.axes[static_cast<size_t>(r.j)].iter.get();
  const IntImm* columns = r.axes[static_cast<size_t>(r.j)].extent->as<IntImm>();
  if (columns && (columns->value < 4 || columns->value > kMaxColumns * 1024)) return false;
  // A reduction of a few steps (a small convolution window) is not worth tiles.
  int64_t steps = 1;
  bool known = true;
  for (const Axis& a : r.axes) {
    if (a.kind != IterKind::Reduce) continue;
    const IntImm* n = a.extent->as<IntImm>();
    if (n) steps *= n->value;
    else known = false;
  }
  if (known && steps < 16) return false;
  bool row_operand = false, column_operand = false, ok = true;
  visit_expr(r.term, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->indices.empty()) return;
    bool uses_i = false, uses_j = false;
    for (const Expr& index : load->indices) {
      uses_i = uses_i || uses_var(index, i);
      uses_j = uses_j || uses_var(index, j);
    }
    if (uses_i && uses_j) ok = false;
    if (uses_j) {
      for (size_t d = 0; d + 1 < load->indices.size(); ++d) ok = ok && !uses_var(load->indices[d], j);
      std::optional<int64_t> step = stride_of(load->indices.back(), {{j, 1}});
      ok = ok && step && *step == 1;
      column_operand = true;
    }
    row_operand = row_operand || uses_i;
  });
  // The term may use i and j only through such loads.
  bool elsewhere = false;
  std::function<void(const Expr&)> scan = [&](const Expr& e) {
    if (e->as<Load>()) return;
    if (const auto* v = e->as<VarRef>()) elsewhere = elsewhere || v->var.get() == i || v->var.get() == j;
    if (const auto* b = e->as<Binary>()) { scan(b->a); scan(b->b); }
    if (const auto* c = e->as<Cast>()) scan(c->value);
  };
  scan(r.term);
  return ok && row_operand && column_operand && !elsewhere;
}

Stmt outer_product_tiles(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local) {
  return OuterTiler(r, epilogues, local).build();
}

}  // namespace relaxc::tir

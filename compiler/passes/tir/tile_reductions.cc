#include "compiler/passes/tir/tile_reductions.h"

#include <algorithm>
#include <optional>

#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::tir;

namespace {

constexpr int64_t kVectorBytes = 64;
constexpr int64_t kRowsPerTile = 8;     // MR when there are enough rows
constexpr int64_t kOutputsPerTile = 16; // MR * NR, within the 32 vector registers

// ---- building expressions, folding constants as they are built ----

const IntImm* constant(const Expr& e) { return e->as<IntImm>(); }

Expr imm(int64_t v, DataType t, SourceLoc loc) { return std::make_shared<IntImm>(v, t, loc); }
Expr var_ref(const VarPtr& v) { return std::make_shared<VarRef>(v, v->loc); }

Expr arith(BinaryOp op, const Expr& a, const Expr& b) {
  const IntImm *x = constant(a), *y = constant(b);
  if (x && y) {
    switch (op) {
      case BinaryOp::Add: return imm(x->value + y->value, a->dtype, a->loc);
      case BinaryOp::Sub: return imm(x->value - y->value, a->dtype, a->loc);
      case BinaryOp::Mul: return imm(x->value * y->value, a->dtype, a->loc);
      case BinaryOp::FloorDiv: return imm(x->value / y->value, a->dtype, a->loc);  // operands >= 0
      default: break;
    }
  }
  if (op == BinaryOp::Add && y && y->value == 0) return a;
  if (op == BinaryOp::Add && x && x->value == 0) return b;
  if ((op == BinaryOp::Mul || op == BinaryOp::FloorDiv) && y && y->value == 1) return a;
  if (op == BinaryOp::Sub && y && y->value == 0) return a;
  return std::make_shared<Binary>(op, a, b, a->dtype, a->loc);
}

VarPtr fresh(const std::string& name, DataType dtype, SourceLoc loc) { return std::make_shared<Var>(Var{name, dtype, loc}); }

Stmt loop(const VarPtr& var, const Expr& min, const Expr& extent, ForKind kind, Stmt body) {
  auto f = std::make_shared<For>(body->loc);
  f->loop_var = var;
  f->min = min;
  f->extent = extent;
  f->for_kind = kind;
  f->body = std::move(body);
  return f;
}

Stmt seq(std::vector<Stmt> parts) {
  if (parts.size() == 1) return parts[0];
  SourceLoc loc = parts[0]->loc;
  return std::make_shared<Seq>(std::move(parts), loc);
}

IterVar axis(const VarPtr& var, const Expr& extent, IterKind kind, const Expr& binding) {
  IterVar iv;
  iv.var = var;
  iv.min = imm(0, extent->dtype, extent->loc);
  iv.extent = extent;
  iv.kind = kind;
  iv.binding = binding;
  return iv;
}

Stmt block(const std::string& name, std::vector<IterVar> axes, Stmt body, SourceLoc loc, std::vector<BufferPtr> allocs = {}) {
  auto b = std::make_shared<Block>(loc);
  b->name = name;
  b->iter_vars = std::move(axes);
  b->alloc_buffers = std::move(allocs);
  b->body = std::move(body);
  return b;
}

// ---- recognising the nest ----

struct Axis {
  VarPtr iter;           // the block's iteration variable
  VarPtr loop_var;       // the loop that binds it
  Expr extent;
  IterKind kind;
};

// The nest to tile: its axes in loop order and the pieces of the block.
struct Reduction {
  const Block* block = nullptr;
  const Store* update = nullptr;
  Expr init_value;
  Expr term;              // E in Out = Out + E
  std::vector<Axis> axes;
  int i = -1, j = -1, k = -1;  // positions in axes; i is -1 for a rank-1 output
};

std::optional<Reduction> match(const For& outer) {
  Reduction r;
  std::vector<const For*> loops;
  Stmt s = std::make_shared<For>(outer);
  while (const For* f = s->as<For>()) {
    if (f->for_kind != ForKind::Serial || !f->annotations.empty() || !constant(f->min) || constant(f->min)->value != 0) return std::nullopt;
    loops.push_back(f);
    s = f->body;
  }
  r.block = s->as<Block>();
  if (!r.block || r.block->predicate || !r.block->alloc_buffers.empty() || !r.block->init) return std::nullopt;
  if (r.block->iter_vars.size() != loops.size()) return std::nullopt;
  for (const For* f : loops) {
    auto it = std::find_if(r.block->iter_vars.begin(), r.block->iter_vars.end(), [&](const IterVar& iv) {
      auto* b = iv.binding ? iv.binding->as<VarRef>() : nullptr;
      return b && b->var == f->loop_var;
    });
    if (it == r.block->iter_vars.end() || !constant(it->min) || constant(it->min)->value != 0) return std::nullopt;
    r.axes.push_back({it->var, f->loop_var, f->extent, it->kind});
  }
  r.update = r.block->body->as<Store>();
  const Store* init = r.block->init->as<Store>();
  if (!r.update || !init || !is_float(r.update->buffer->dtype) || init->buffer != r.update->buffer || !same_indices(init->indices, r.update->indices)) return std::nullopt;
  auto* sum = r.update->value->as<Binary>();
  if (!sum || sum->op != BinaryOp::Add) return std::nullopt;
  auto* self = sum->a->as<Load>();
  if (!self || self->buffer != r.update->buffer || !same_indices(self->indices, r.update->indices)) return std::nullopt;
  r.term = sum->b;
  r.init_value = init->value;
  if (r.term->dtype != r.update->buffer->dtype) return std::nullopt;

  // The output is indexed by distinct spatial axes; i and j are its last two.
  auto position = [&](const Expr& index) -> int {
    auto* v = index->as<VarRef>();
    for (size_t a = 0; v && a < r.axes.size(); ++a) {
      if (r.axes[a].iter == v->var) return static_cast<int>(a);
    }
    return -1;
  };
  size_t spatial = 0;
  for (const Axis& a : r.axes) spatial += a.kind == IterKind::Spatial;
  const auto& out = r.update->indices;
  if (out.size() != spatial || out.empty()) return std::nullopt;
  for (const Expr& index : out) {
    int p = position(index);
    if (p < 0 || r.axes[p].kind != IterKind::Spatial) return std::nullopt;
  }
  r.j = position(out.back());
  if (out.size() >= 2) r.i = position(out[out.size() - 2]);

  // k: a reduction axis every load that uses it reads contiguously, and some load does.
  bool self_read = false;
  visit_expr(r.term, [&](const ExprNode& e) {
    if (auto* load = e.as<Load>()) self_read = self_read || load->buffer == r.update->buffer;
  });
  if (self_read) return std::nullopt;
  for (size_t a = 0; a < r.axes.size(); ++a) {
    if (r.axes[a].kind != IterKind::Reduce) continue;
    const Var* kv = r.axes[a].iter.get();
    bool used = false, contiguous = true;
    visit_expr(r.term, [&](const ExprNode& e) {
      auto* load = e.as<Load>();
      if (!load) return;
      for (size_t d = 0; d < load->indices.size(); ++d) {
        if (!uses_var(load->indices[d], kv)) continue;
        used = true;
        auto* v = load->indices[d]->as<VarRef>();
        if (d + 1 != load->indices.size() || !v) contiguous = false;
      }
    });
    // The term may use k only through such loads.
    bool elsewhere = false;
    std::function<void(const Expr&)> scan = [&](const Expr& e) {
      if (e->as<Load>()) return;
      if (auto* v = e->as<VarRef>()) elsewhere = elsewhere || v->var.get() == kv;
      if (auto* b = e->as<Binary>()) { scan(b->a); scan(b->b); }
      if (auto* c = e->as<Cast>()) scan(c->value);
      if (auto* c = e->as<Call>()) for (const Expr& arg : c->args) scan(arg);
      if (auto* n = e->as<Not>()) scan(n->a);
      if (auto* sel = e->as<Select>()) { scan(sel->cond); scan(sel->true_value); scan(sel->false_value); }
    };
    scan(r.term);
    if (used && contiguous && !elsewhere) r.k = static_cast<int>(a);
  }
  if (r.k < 0) return std::nullopt;
  return r;
}

// ---- emitting the tiles ----

class Tiler {
 public:
  explicit Tiler(const Reduction& r) : r_(r), out_(*r.update), loc_(r.block->loc) {
    DataType dtype = out_.buffer->dtype;
    lanes_ = kVectorBytes / std::max(1, dtype_bits(dtype) / 8);
  }

  // Worth doing: a long enough reduction.
  bool profitable() const {
    const IntImm* k = constant(r_.axes[r_.k].extent);
    return !k || k->value >= 2 * lanes_;
  }

  Stmt build() {
    const Axis& j = r_.axes[r_.j];
    int64_t mr = r_.i < 0 ? 1 : kRowsPerTile;
    if (r_.i >= 0) {
      if (const IntImm* m = constant(r_.axes[r_.i].extent)) mr = std::max<int64_t>(1, std::min(mr, m->value));
    }
    int64_t nr = std::max<int64_t>(2, kOutputsPerTile / mr);
    if (mr == 1) nr = 4;
    if (const IntImm* n = constant(j.extent)) nr = std::max<int64_t>(1, std::min(nr, n->value));

    // Columns: full tiles of nr, then the rest one at a time.
    auto columns = [&](const Expr& i0, int64_t rows) {
      Expr step = imm(nr, j.extent->dtype, loc_);
      Expr full = arith(BinaryOp::FloorDiv, j.extent, step);
      Expr done = arith(BinaryOp::Mul, full, step);
      std::vector<Stmt> parts;
      counted(parts, j.loop_var->name + "_o", imm(0, j.extent->dtype, loc_), full,
              [&](const Expr& jo) { return tile(i0, rows, arith(BinaryOp::Mul, jo, step), nr); });
      counted(parts, j.loop_var->name + "_t", done, arith(BinaryOp::Sub, j.extent, done), [&](const Expr& jt) { return tile(i0, rows, jt, 1); });
      return seq(std::move(parts));
    };

    Stmt body;
    if (r_.i < 0) {
      body = columns(nullptr, 1);
    } else {
      const Axis& i = r_.axes[r_.i];
      Expr step = imm(mr, i.extent->dtype, loc_);
      Expr full = arith(BinaryOp::FloorDiv, i.extent, step);
      Expr done = arith(BinaryOp::Mul, full, step);
      std::vector<Stmt> parts;
      counted(parts, i.loop_var->name + "_o", imm(0, i.extent->dtype, loc_), full,
              [&](const Expr& io) { return columns(arith(BinaryOp::Mul, io, step), mr); });
      counted(parts, i.loop_var->name + "_t", done, arith(BinaryOp::Sub, i.extent, done), [&](const Expr& it) { return columns(it, 1); });
      body = seq(std::move(parts));
    }
    // The other spatial axes stay loops around everything, in their order.
    for (auto a = r_.axes.rbegin(); a != r_.axes.rend(); ++a) {
      int p = static_cast<int>(r_.axes.rend() - a) - 1;
      if (a->kind == IterKind::Spatial && p != r_.i && p != r_.j) body = loop(a->loop_var, imm(0, a->extent->dtype, loc_), a->extent, ForKind::Serial, body);
    }
    return body;
  }

 private:
  // Appends `for v in range(min, min + extent): body(v)` to parts; nothing for an extent of 0,
  // just body(min) for an extent of 1.
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

  // The block axes every tile block binds: i and j to i0 + ii and j0 + jj, other spatial axes
  // to their (kept) loops.
  std::vector<IterVar> output_axes(const Expr& i0, const VarPtr& ii, const Expr& j0, const VarPtr& jj) const {
    std::vector<IterVar> axes;
    for (size_t p = 0; p < r_.axes.size(); ++p) {
      const Axis& a = r_.axes[p];
      if (a.kind != IterKind::Spatial) continue;
      Expr binding = var_ref(a.loop_var);
      if (static_cast<int>(p) == r_.i) binding = arith(BinaryOp::Add, i0, var_ref(ii));
      if (static_cast<int>(p) == r_.j) binding = arith(BinaryOp::Add, j0, var_ref(jj));
      axes.push_back(axis(a.iter, a.extent, IterKind::Spatial, binding));
    }
    return axes;
  }

  // The reduction axes other than k, bound to their (kept) loops, and those loops around a body.
  std::vector<IterVar> other_reduction_axes() const {
    std::vector<IterVar> axes;
    for (size_t p = 0; p < r_.axes.size(); ++p) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce && static_cast<int>(p) != r_.k) axes.push_back(axis(a.iter, a.extent, IterKind::Reduce, var_ref(a.loop_var)));
    }
    return axes;
  }
  Stmt around_other_reductions(Stmt body) const {
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce && static_cast<int>(p) != r_.k) body = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, body);
    }
    return body;
  }

  // One tile: rows x cols outputs starting at (i0, j0); i0 is null without an i axis.
  Stmt tile(const Expr& i0_in, int64_t rows, const Expr& j0, int64_t cols) {
    const Axis& k = r_.axes[r_.k];
    DataType dtype = out_.buffer->dtype;
    DataType index_type = k.extent->dtype;
    Expr i0 = i0_in ? i0_in : imm(0, index_type, loc_);
    Expr zero_index = imm(0, index_type, loc_);
    Expr lanes = imm(lanes_, index_type, loc_);
    // Block and buffer names stay unique across the tiles (the first keeps the block's name).
    std::string suffix = tiles_ == 0 ? "" : "_" + std::to_string(tiles_);
    ++tiles_;
    std::string name = r_.block->name;
    auto named = [&](const std::string& part) { return name + part + suffix; };
    auto acc = std::make_shared<Buffer>(Buffer{named("_acc"), dtype, {imm(rows, index_type, loc_), imm(cols, index_type, loc_), lanes}, "local", loc_});
    // acc is indexed relative to the tile's corner, by the block's own axes.
    auto acc_at = [&](const VarPtr& lane) {
      Expr row = r_.i < 0 ? zero_index : arith(BinaryOp::Sub, var_ref(r_.axes[r_.i].iter), i0);
      return std::vector<Expr>{row, arith(BinaryOp::Sub, var_ref(r_.axes[r_.j].iter), j0), var_ref(lane)};
    };
    // for ii in T.unroll(rows): for jj in T.unroll(cols): body(axes bound to the output)
    auto over_tile = [&](const std::function<Stmt(std::vector<IterVar>)>& body) {
      VarPtr ii = fresh("ii", index_type, loc_), jj = fresh("jj", index_type, loc_);
      return loop(ii, zero_index, imm(rows, index_type, loc_), ForKind::Unrolled,
                  loop(jj, zero_index, imm(cols, index_type, loc_), ForKind::Unrolled, body(output_axes(i0, ii, j0, jj))));
    };
    // for l in T.vectorized(lanes), with a block axis vl bound to l
    auto over_lanes = [&](std::vector<IterVar> axes, IterKind kind, const std::function<Stmt(const VarPtr&, std::vector<IterVar>&)>& body) {
      VarPtr l = fresh("l", index_type, loc_), vl = fresh("vl", index_type, loc_);
      axes.push_back(axis(vl, lanes, kind, var_ref(l)));
      return loop(l, zero_index, lanes, ForKind::Vectorized, body(vl, axes));
    };
    Expr chunks = arith(BinaryOp::FloorDiv, k.extent, lanes);
    Expr done = arith(BinaryOp::Mul, chunks, lanes);
    Expr rest = arith(BinaryOp::Sub, k.extent, done);

    Stmt zero = over_tile([&](std::vector<IterVar> axes) {
      return over_lanes(axes, IterKind::Spatial, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        return block(named("_acc_init"), all, std::make_shared<Store>(acc, acc_at(vl), std::make_shared<FloatImm>(0.0, dtype, loc_), loc_), loc_);
      });
    });
    // acc[.., l] += E at k = ko * lanes + l
    VarPtr ko = fresh(k.loop_var->name + "_o", index_type, loc_), vko = fresh("v" + k.loop_var->name + "_o", index_type, loc_);
    Stmt accumulate = over_tile([&](std::vector<IterVar> axes) {
      return over_lanes(axes, IterKind::Spatial, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        all.push_back(axis(vko, chunks, IterKind::Reduce, var_ref(ko)));
        for (const IterVar& iv : other_reduction_axes()) all.push_back(iv);
        Expr term = substitute(r_.term, {{k.iter.get(), arith(BinaryOp::Add, arith(BinaryOp::Mul, var_ref(vko), lanes), var_ref(vl))}});
        Expr sum = std::make_shared<Binary>(BinaryOp::Add, std::make_shared<Load>(acc, acc_at(vl), loc_), term, dtype, loc_);
        return block(named("_rf"), all, std::make_shared<Store>(acc, acc_at(vl), sum, loc_), loc_);
      });
    });
    accumulate = around_other_reductions(loop(ko, zero_index, chunks, ForKind::Serial, accumulate));

    // Out = init, + the lanes of acc summed as a tree, + the rest of k one by one
    Stmt finish = over_tile([&](std::vector<IterVar> axes) {
      std::vector<Stmt> parts;
      parts.push_back(block(named(""), axes, std::make_shared<Store>(out_.buffer, out_.indices, r_.init_value, loc_), loc_));
      parts.push_back(over_lanes(axes, IterKind::Reduce, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        Expr total = std::make_shared<Binary>(BinaryOp::Add, std::make_shared<Load>(out_.buffer, out_.indices, loc_),
                                              std::make_shared<Load>(acc, acc_at(vl), loc_), dtype, loc_);
        return block(named("_sum"), all, std::make_shared<Store>(out_.buffer, out_.indices, total, loc_), loc_);
      }));
      if (!constant(rest) || constant(rest)->value > 0) {
        VarPtr kt = fresh(k.loop_var->name + "_t", index_type, loc_);
        axes.push_back(axis(k.iter, k.extent, IterKind::Reduce, var_ref(kt)));
        for (const IterVar& iv : other_reduction_axes()) axes.push_back(iv);
        Stmt update = block(named("_tail"), axes, std::make_shared<Store>(out_.buffer, out_.indices, r_.update->value, loc_), loc_);
        parts.push_back(around_other_reductions(loop(kt, done, rest, ForKind::Serial, update)));
      }
      return seq(std::move(parts));
    });
    return block(named("_tile"), {}, seq({zero, accumulate, finish}), loc_, {acc});
  }

  const Reduction& r_;
  const Store& out_;
  SourceLoc loc_;
  int64_t lanes_ = 16;
  int tiles_ = 0;  // tiles built so far
};

Stmt rewrite(const Stmt& s) {
  if (!s) return s;
  if (const auto* f = s->as<For>()) {
    if (std::optional<Reduction> r = match(*f)) {
      Tiler tiler(*r);
      if (tiler.profitable()) return tiler.build();
    }
    Stmt body = rewrite(f->body);
    if (body == f->body) return s;
    auto copy = std::make_shared<For>(*f);
    copy->body = body;
    return copy;
  }
  if (const auto* seq_node = s->as<Seq>()) {
    std::vector<Stmt> parts;
    bool changed = false;
    for (const Stmt& part : seq_node->stmts) {
      parts.push_back(rewrite(part));
      changed = changed || parts.back() != part;
    }
    return changed ? std::make_shared<Seq>(std::move(parts), seq_node->loc) : s;
  }
  return s;
}

}  // namespace

Module tile_reductions(const Module& module) { return rewrite_prim_func_bodies(module, rewrite); }

}  // namespace relaxc

#include "compiler/passes/tir/outer_product_tiles.h"

#include <algorithm>
#include <functional>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

using namespace relaxc::tir::build;

namespace {

// Columns beyond which a row of outputs is not worth these tiles (a million and more).
constexpr int64_t kMaxColumns = 64 * 1024;

class OuterTiler {
 public:
  OuterTiler(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local, const ScheduleKnobs& knobs,
             const schedule::Target& target)
      : r_(r), out_(*r.update), loc_(r.block->loc), epilogues_(epilogues), local_(local), knobs_(knobs), lanes_(target.lanes(r.update->buffer->dtype)),
        chunks_(target.reduction_chunks()), single_row_split_(target.multiply_add_chains),
        max_split_columns_(target.l1_bytes / (chunks_ * std::max(1, dtype_bits(r.update->buffer->dtype) / 8))) {}

  Stmt build() {
    const Axis& i = r_.axes[static_cast<size_t>(r_.i)];
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    int64_t nc = std::max<int64_t>(1, knobs_.vectors_per_row) * lanes_;
    if (const IntImm* n = constant(j.extent)) nc = std::max<int64_t>(1, std::min(nc, n->value));
    int64_t mr = std::max<int64_t>(1, knobs_.rows_per_tile);
    if (const IntImm* m = constant(i.extent)) mr = std::max<int64_t>(1, std::min(mr, m->value));
    Expr row_step = imm(mr, i.extent->dtype, loc_);
    Expr full_rows = arith(BinaryOp::FloorDiv, i.extent, row_step);
    Expr rows_done = arith(BinaryOp::Mul, full_rows, row_step);

    std::vector<Stmt> parts;
    const IntImm* few = constant(i.extent);
    if (few && few->value < knobs_.rows_per_tile && splits_reduction()) {
      parts.push_back(few_rows(imm(0, i.extent->dtype, loc_), i.extent, few->value));
      return around_other_axes(seq(std::move(parts)));
    }
    // Full row tiles, columns inside.
    append_counted(parts, i.loop_var->name + "_o", imm(0, i.extent->dtype, loc_), full_rows,
            [&](const Expr& io) { return columns(nc, [&](const Expr& j0, int64_t cols) { return tile(arith(BinaryOp::Mul, io, row_step), mr, j0, cols); }); });
    Expr rest = arith(BinaryOp::Sub, i.extent, rows_done);
    if ((!constant(rest) || constant(rest)->value > 0) && splits_reduction()) {
      parts.push_back(few_rows(rows_done, rest, mr - 1));
      return around_other_axes(seq(std::move(parts)));
    }
    // Otherwise the rows left one at a time inside column tiles of one vector, which threads
    // share.
    int64_t single_row_nc = std::min(nc, lanes_);
    if (!constant(rest) || constant(rest)->value > 0) {
      parts.push_back(columns(single_row_nc, [&](const Expr& j0, int64_t cols) {
        std::vector<Stmt> rows;
        append_counted(rows, i.loop_var->name + "_t", rows_done, rest, [&](const Expr& it) { return tile(it, 1, j0, cols); });
        return seq(std::move(rows));
      }));
    }
    return around_other_axes(seq(std::move(parts)));
  }

 private:
  // The other spatial axes stay loops around everything, in their order.
  Stmt around_other_axes(Stmt body) const {
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Spatial && static_cast<int>(p) != r_.i && static_cast<int>(p) != r_.j) {
        body = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, body);
      }
    }
    return body;
  }

  // Few rows (batch 1) split the reduction instead: each of the target's reduction chunks, in
  // parallel, sums a contiguous range of k for every column (the weight rows it reads are one
  // contiguous block, read once), then the partial sums are added. Needs one reduction axis and
  // a known number of columns whose partial sums of all chunks fit in the L1 cache.
  bool splits_reduction() const {
    int reductions = 0;
    for (const Axis& a : r_.axes) reductions += a.kind == IterKind::Reduce;
    const IntImm* columns = constant(r_.axes[static_cast<size_t>(r_.j)].extent);
    return reductions == 1 && columns && columns->value <= max_split_columns_;
  }

  Stmt few_rows(const Expr& first, const Expr& count, int64_t max_rows) {
    const Axis& i = r_.axes[static_cast<size_t>(r_.i)];
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    const Axis& k = *std::find_if(r_.axes.begin(), r_.axes.end(), [](const Axis& a) { return a.kind == IterKind::Reduce; });
    DataType dtype = out_.buffer->dtype;
    DataType index_type = j.extent->dtype;
    int64_t cols = constant(j.extent)->value;
    auto c = [&](int64_t v) { return imm(v, index_type, loc_); };
    std::string suffix = tiles_ == 0 ? "" : "_" + std::to_string(tiles_);
    ++tiles_;
    auto named = [&](const std::string& part) { return r_.block->name + part + suffix; };
    auto part = std::make_shared<Buffer>(Buffer{named("_part"), dtype, {c(chunks_), c(max_rows), c(cols)}, "local", loc_});
    auto acc = std::make_shared<Buffer>(Buffer{named("_acc"), dtype, {c(max_rows), c(cols)}, "local", loc_});
    std::vector<Expr> at = {arith(BinaryOp::Sub, var_ref(i.iter), first), var_ref(j.iter)};
    LocalChain chain;
    chain.at = at;
    chain.loc = loc_;
    std::vector<BufferPtr> allocs = {part, acc};
    for (const BufferPtr& b : local_) {
      allocs.push_back(std::make_shared<Buffer>(Buffer{b->name + suffix, b->dtype, {c(max_rows), c(cols)}, "local", loc_}));
      chain.local[b.get()] = allocs.back();
    }
    auto add = [&](const Expr& a, const Expr& b) { return std::make_shared<Binary>(BinaryOp::Add, a, b, dtype, loc_); };
    // The tile's axes for row `row` and the column loop variable jj; k bound as given (or left
    // out), `extra` first.
    auto axes_at = [&](const Expr& row, const VarPtr& jj, const Expr& k_binding, const std::vector<IterVar>& extra) {
      std::vector<IterVar> axes = extra;
      for (size_t p = 0; p < r_.axes.size(); ++p) {
        const Axis& a = r_.axes[p];
        if (a.kind == IterKind::Reduce && !k_binding) continue;
        Expr binding = var_ref(a.loop_var);
        if (static_cast<int>(p) == r_.i) binding = row;
        if (static_cast<int>(p) == r_.j) binding = var_ref(jj);
        if (a.kind == IterKind::Reduce) binding = k_binding;
        axes.push_back(axis(a.iter, a.extent, a.kind, binding));
      }
      return axes;
    };
    // for jj in T.vectorized(cols): body(axes) at `row`.
    auto over_columns = [&](const Expr& row, const Expr& k_binding, const std::vector<IterVar>& extra, const std::function<Stmt(std::vector<IterVar>)>& body) {
      VarPtr jj = fresh("jj", index_type, loc_);
      return loop(jj, c(0), j.extent, ForKind::Vectorized, body(axes_at(row, jj, k_binding, extra)));
    };
    // for it in range(count): the same for row first + it.
    auto over_rows = [&](const Expr& k_binding, const std::vector<IterVar>& extra, const std::function<Stmt(std::vector<IterVar>)>& body) {
      VarPtr it = fresh(i.loop_var->name + "_t", index_type, loc_);
      return loop(it, c(0), count, ForKind::Serial, over_columns(arith(BinaryOp::Add, first, var_ref(it)), k_binding, extra, body));
    };
    // Partial sums, one chunk of k per parallel iteration, each row summed in registers.
    VarPtr kp = fresh(k.loop_var->name + "_p", index_type, loc_), vp = fresh("v_" + k.loop_var->name + "_p", index_type, loc_);
    VarPtr kk = fresh(k.loop_var->name + "_i", index_type, loc_), it = fresh(i.loop_var->name + "_t", index_type, loc_);
    Expr chunk = arith(BinaryOp::FloorDiv, k.extent, c(chunks_));
    std::vector<IterVar> chunk_axis = {axis(vp, c(chunks_), IterKind::Spatial, var_ref(kp))};
    std::vector<Expr> part_at = {var_ref(vp), at[0], at[1]};
    auto run = std::make_shared<Buffer>(Buffer{named("_run"), dtype, {c(cols)}, "local", loc_});
    std::vector<Expr> run_at = {var_ref(j.iter)};
    Expr running = std::make_shared<Load>(run, run_at, loc_);
    Expr row = arith(BinaryOp::Add, first, var_ref(it));
    Stmt zero = over_columns(row, nullptr, chunk_axis, [&](std::vector<IterVar> axes) {
      return block(named("_run_init"), axes, std::make_shared<Store>(run, run_at, std::make_shared<FloatImm>(0.0, dtype, loc_), loc_), loc_);
    });
    Stmt sum = loop(kk, c(0), chunk, ForKind::Serial,
                    over_columns(row, arith(BinaryOp::Add, arith(BinaryOp::Mul, var_ref(kp), chunk), var_ref(kk)), chunk_axis, [&](std::vector<IterVar> axes) {
                      return block(named("_run"), axes, std::make_shared<Store>(run, run_at, add(running, chain.localize(r_.term)), loc_), loc_);
                    }));
    Stmt keep = over_columns(row, nullptr, chunk_axis, [&](std::vector<IterVar> axes) {
      return block(named("_part"), axes, std::make_shared<Store>(part, part_at, running, loc_), loc_);
    });
    Stmt per_row = block(named("_chunk"), {}, seq({zero, sum, keep}), loc_, {run});
    Stmt partials = loop(kp, c(0), c(chunks_), knobs_.parallel ? ForKind::Parallel : ForKind::Serial, loop(it, c(0), count, ForKind::Serial, per_row));

    // Then per row: the init value, the steps of k left over, the partial sums; epilogues.
    Expr total = std::make_shared<Load>(acc, at, loc_);
    std::vector<Stmt> finish;
    finish.push_back(over_rows(nullptr, {}, [&](std::vector<IterVar> axes) {
      return block(named("_init"), axes, std::make_shared<Store>(acc, at, chain.localize(r_.init_value), loc_), loc_);
    }));
    Expr done = arith(BinaryOp::Mul, chunk, c(chunks_));
    VarPtr kt = fresh(k.loop_var->name + "_t", index_type, loc_);
    Expr left = arith(BinaryOp::Sub, k.extent, done);
    if (!constant(left) || constant(left)->value > 0) {
      finish.push_back(loop(kt, done, left, ForKind::Serial, over_rows(var_ref(kt), {}, [&](std::vector<IterVar> axes) {
        return block(named("_tail"), axes, std::make_shared<Store>(acc, at, add(total, chain.localize(r_.term)), loc_), loc_);
      })));
    }
    VarPtr kq = fresh(k.loop_var->name + "_p", index_type, loc_), vq = fresh("v_" + k.loop_var->name + "_p", index_type, loc_);
    std::vector<Expr> chunk_at = {var_ref(vq), at[0], at[1]};
    finish.push_back(loop(kq, c(0), c(chunks_), ForKind::Unrolled, over_rows(nullptr, {axis(vq, c(chunks_), IterKind::Reduce, var_ref(kq))}, [&](std::vector<IterVar> axes) {
      return block(named("_combine"), axes, std::make_shared<Store>(acc, at, add(total, std::make_shared<Load>(part, chunk_at, loc_)), loc_), loc_);
    })));
    finish.push_back(over_rows(nullptr, {}, [&](std::vector<IterVar> axes) {
      std::vector<Stmt> out;
      out.push_back(block(named("_out"), axes, chain.store(out_.buffer, out_.indices, total), loc_));
      for (Stmt& b : chain.epilogue_blocks(epilogues_, r_, axes, suffix)) out.push_back(std::move(b));
      return seq(std::move(out));
    }));
    return block(named("_rows"), {}, seq({partials, seq(std::move(finish))}), loc_, allocs);
  }

  // Column tiles of nc, then what is left: one narrower tile when the extent is known, else
  // one column at a time.
  Stmt columns(int64_t nc, const std::function<Stmt(const Expr&, int64_t)>& tile_at) {
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    Expr step = imm(nc, j.extent->dtype, loc_);
    Expr full = arith(BinaryOp::FloorDiv, j.extent, step);
    Expr done = arith(BinaryOp::Mul, full, step);
    Expr rest = arith(BinaryOp::Sub, j.extent, done);
    std::vector<Stmt> parts;
    append_counted(parts, j.loop_var->name + "_o", imm(0, j.extent->dtype, loc_), full, [&](const Expr& jo) { return tile_at(arith(BinaryOp::Mul, jo, step), nc); });
    if (const IntImm* left = constant(rest)) {
      if (left->value > 0) parts.push_back(tile_at(done, left->value));
    } else {
      append_counted(parts, j.loop_var->name + "_t", done, rest, [&](const Expr& jt) { return tile_at(jt, 1); });
    }
    return seq(std::move(parts));
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
    int reductions = 0;
    for (const Axis& a : r_.axes) reductions += a.kind == IterKind::Reduce;
    // A single row has only NC / lanes accumulators, each a chain of dependent multiply-adds as
    // long as the reduction: split it over the target's chains of partial sums (batch 1).
    int64_t split = rows == 1 && reductions == 1 ? single_row_split_ : 1;
    std::vector<Expr> acc_shape = {imm(rows, index_type, loc_), imm(cols, index_type, loc_)};
    if (split > 1) acc_shape.insert(acc_shape.begin(), imm(split, index_type, loc_));
    auto acc = std::make_shared<Buffer>(Buffer{named("_acc"), dtype, acc_shape, "local", loc_});
    std::vector<Expr> at = {arith(BinaryOp::Sub, var_ref(r_.axes[static_cast<size_t>(r_.i)].iter), i0),
                            arith(BinaryOp::Sub, var_ref(r_.axes[static_cast<size_t>(r_.j)].iter), j0)};
    // acc's element for partial sum `part` (0 holds the total).
    auto acc_at = [&](const Expr& part) {
      std::vector<Expr> index = at;
      if (split > 1) index.insert(index.begin(), part);
      return index;
    };
    Expr zero_part = imm(0, index_type, loc_);
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
    Expr acc_value = std::make_shared<Load>(acc, acc_at(zero_part), loc_);
    auto add = [&](const Expr& a, const Expr& b) { return std::make_shared<Binary>(BinaryOp::Add, a, b, dtype, loc_); };
    std::vector<Stmt> parts;
    parts.push_back(over_tile(false, [&](std::vector<IterVar> axes) {
      return block(named("_init"), axes, std::make_shared<Store>(acc, acc_at(zero_part), chain.localize(r_.init_value), loc_), loc_);
    }));
    if (split == 1) {
      Stmt accumulate = over_tile(true, [&](std::vector<IterVar> axes) {
        return block(named(""), axes, std::make_shared<Store>(acc, at, add(acc_value, chain.localize(r_.term)), loc_), loc_);
      });
      for (size_t p = r_.axes.size(); p-- > 0;) {
        const Axis& a = r_.axes[p];
        if (a.kind == IterKind::Reduce) accumulate = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, accumulate);
      }
      parts.push_back(accumulate);
    } else {
      for (Stmt& s : split_reduction(split, acc, acc_at, over_tile, named, chain)) parts.push_back(std::move(s));
    }
    Stmt finish = over_tile(false, [&](std::vector<IterVar> axes) {
      std::vector<Stmt> out;
      out.push_back(block(named("_out"), axes, chain.store(out_.buffer, out_.indices, acc_value), loc_));
      for (Stmt& b : chain.epilogue_blocks(epilogues_, r_, axes, suffix)) out.push_back(std::move(b));
      return seq(std::move(out));
    });
    parts.push_back(finish);
    return block(named("_tile"), {}, seq(std::move(parts)), loc_, allocs);
  }

  // The reduction over k as `split` partial sums: acc[u] takes k = ko * split + u (acc[0] holds
  // the init value, the others start at 0), acc[0] the steps left over, then acc[0] += the rest.
  template <typename AccAt, typename OverTile, typename Named>
  std::vector<Stmt> split_reduction(int64_t split, const BufferPtr& acc, const AccAt& acc_at, const OverTile& over_tile, const Named& named,
                                    const LocalChain& chain) {
    DataType dtype = out_.buffer->dtype;
    const Axis& k = *std::find_if(r_.axes.begin(), r_.axes.end(), [](const Axis& a) { return a.kind == IterKind::Reduce; });
    DataType index_type = k.extent->dtype;
    Expr step = imm(split, index_type, loc_);
    auto add = [&](const Expr& a, const Expr& b) { return std::make_shared<Binary>(BinaryOp::Add, a, b, dtype, loc_); };
    // Rebinds k in a tile's axes.
    auto with_k = [&](std::vector<IterVar> axes, const Expr& binding) {
      for (IterVar& iv : axes) {
        if (iv.var == k.iter) iv.binding = binding;
      }
      return axes;
    };
    std::vector<Stmt> parts;
    VarPtr z = fresh("u", index_type, loc_), vz = fresh("v_u", index_type, loc_);
    parts.push_back(loop(z, imm(1, index_type, loc_), imm(split - 1, index_type, loc_), ForKind::Unrolled, over_tile(false, [&](std::vector<IterVar> axes) {
      axes.insert(axes.begin(), axis(vz, step, IterKind::Spatial, var_ref(z)));
      return block(named("_part_init"), axes, std::make_shared<Store>(acc, acc_at(var_ref(vz)), std::make_shared<FloatImm>(0.0, dtype, loc_), loc_), loc_);
    })));
    VarPtr ko = fresh(k.loop_var->name + "_o", index_type, loc_), u = fresh("u", index_type, loc_), vu = fresh("v_u", index_type, loc_);
    Expr chunks = arith(BinaryOp::FloorDiv, k.extent, step);
    Stmt update = over_tile(true, [&](std::vector<IterVar> axes) {
      axes = with_k(std::move(axes), arith(BinaryOp::Add, arith(BinaryOp::Mul, var_ref(ko), step), var_ref(u)));
      axes.insert(axes.begin(), axis(vu, step, IterKind::Spatial, var_ref(u)));
      Expr partial = std::make_shared<Load>(acc, acc_at(var_ref(vu)), loc_);
      return block(named("_part"), axes, std::make_shared<Store>(acc, acc_at(var_ref(vu)), add(partial, chain.localize(r_.term)), loc_), loc_);
    });
    parts.push_back(loop(ko, imm(0, index_type, loc_), chunks, ForKind::Serial, loop(u, imm(0, index_type, loc_), step, ForKind::Unrolled, update)));
    Expr done = arith(BinaryOp::Mul, chunks, step);
    Expr rest = arith(BinaryOp::Sub, k.extent, done);
    Expr total = std::make_shared<Load>(acc, acc_at(imm(0, index_type, loc_)), loc_);
    if (!constant(rest) || constant(rest)->value > 0) {
      VarPtr kt = fresh(k.loop_var->name + "_t", index_type, loc_);
      parts.push_back(loop(kt, done, rest, ForKind::Serial, over_tile(true, [&](std::vector<IterVar> axes) {
        axes = with_k(std::move(axes), var_ref(kt));
        return block(named("_tail"), axes, std::make_shared<Store>(acc, acc_at(imm(0, index_type, loc_)), add(total, chain.localize(r_.term)), loc_), loc_);
      })));
    }
    parts.push_back(over_tile(false, [&](std::vector<IterVar> axes) {
      Expr sum = total;
      for (int64_t p = 1; p < split; ++p) sum = add(sum, std::make_shared<Load>(acc, acc_at(imm(p, index_type, loc_)), loc_));
      return block(named("_combine"), axes, std::make_shared<Store>(acc, acc_at(imm(0, index_type, loc_)), sum, loc_), loc_);
    }));
    return parts;
  }

  const Reduction& r_;
  const Store& out_;
  SourceLoc loc_;
  const std::vector<Epilogue>& epilogues_;
  const std::vector<BufferPtr>& local_;
  ScheduleKnobs knobs_;
  int64_t lanes_;              // of the output's dtype in one of the target's vectors
  int64_t chunks_;             // pieces of a few rows' split reduction
  int64_t single_row_split_;   // partial sums of a single row
  int64_t max_split_columns_;  // columns whose partial sums of all chunks fit in L1
  int tiles_ = 0;
};

}  // namespace

bool worth_outer_product_tiles(const Reduction& r) {
  if (r.k >= 0 || r.i < 0 || r.j < 0) return false;
  const Var* i = r.axes[static_cast<size_t>(r.i)].iter.get();
  const Var* j = r.axes[static_cast<size_t>(r.j)].iter.get();
  const IntImm* rows = r.axes[static_cast<size_t>(r.i)].extent->as<IntImm>();
  if (rows && rows->value < 1) return false;
  const IntImm* columns = r.axes[static_cast<size_t>(r.j)].extent->as<IntImm>();
  if (columns && (columns->value < 4 || columns->value > kMaxColumns)) return false;
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

Stmt outer_product_tiles(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local,
                         const ScheduleKnobs& knobs, const schedule::Target& target) {
  return OuterTiler(r, epilogues, local, knobs, target).build();
}

}  // namespace relaxc::tir

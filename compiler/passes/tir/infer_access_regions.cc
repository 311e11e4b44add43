// infer_access_regions: requires a checked module; ensures every block states the regions it
// reads and writes, as TVM's printer shows them. Reads and writes are the buffers loaded and
// stored in the block's body, in order of first appearance; a block with T.init() does not list
// the buffers it writes among its reads. Where accesses differ only by constant offsets the
// region covers them all; an index that varies with a loop inside the block covers the loop's
// range; anything else covers the whole dimension. A buffer passed to T.call_packed is read and
// written whole. Blocks stating their regions are left alone.
#include "compiler/passes/tir/infer_access_regions.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::tir;

namespace {

struct Access {
  BufferPtr buffer;
  std::vector<std::vector<Expr>> index_lists;
};

// `base + c` → (base, c); `c` → (nullptr, c); anything else → (expr, 0).
std::pair<Expr, int64_t> split_offset(const Expr& expr) {
  if (const auto* integer = expr->as<IntImm>()) return {nullptr, integer->value};
  if (const auto* binary = expr->as<Binary>()) {
    const auto* c = binary->b->as<IntImm>();
    if (c && binary->op == BinaryOp::Add) return {binary->a, c->value};
    if (c && binary->op == BinaryOp::Sub) return {binary->a, -c->value};
  }
  return {expr, 0};
}

class RegionCollector {
 public:
  explicit RegionCollector(const Block& block) {
    collect(block.body, false);
    init_only_ = true;
    collect(block.init, false);
  }

  std::vector<BufferRegion> regions(bool writes, const Block& block) const {
    const std::vector<Access>& accesses = writes ? writes_ : reads_;
    std::vector<BufferRegion> out;
    for (const Access& access : accesses) {
      // A buffer the block allocates itself is internal to it, not an access of the block.
      bool own = std::any_of(block.alloc_buffers.begin(), block.alloc_buffers.end(), [&](const BufferPtr& b) { return b == access.buffer; });
      if (own || inner_allocs_.count(access.buffer.get())) continue;  // or one a block inside allocates
      if (!writes && block.init) {
        bool written = std::any_of(writes_.begin(), writes_.end(), [&](const Access& w) { return w.buffer == access.buffer; });
        if (written) continue;
      }
      out.push_back(cover(access));
    }
    return out;
  }

 private:
  void note(std::vector<Access>& list, const BufferPtr& buffer, const std::vector<Expr>& indices) {
    for (Access& access : list) {
      if (access.buffer == buffer) {
        access.index_lists.push_back(indices);
        return;
      }
    }
    list.push_back({buffer, {indices}});
  }

  void collect(const Stmt& stmt, bool nested_block) {
    if (!stmt) return;
    visit_stmt(stmt, [&](const StmtNode& node) {
      if (const auto* loop = node.as<For>()) inner_loops_[loop->loop_var.get()] = loop;
      if (const auto* store = node.as<Store>()) {
        if (!init_only_) note(writes_, store->buffer, store->indices);
      }
      if (const auto* block = node.as<Block>(); block && !nested_block) {
        for (const BufferRegion& r : block->reads) note(reads_, r.buffer, {});
        for (const BufferRegion& r : block->writes) note(writes_, r.buffer, {});
        for (const IterVar& iv : block->iter_vars) inner_axes_.insert(iv.var.get());
        for (const BufferPtr& b : block->alloc_buffers) inner_allocs_.insert(b.get());
      }
    }, [&](const ExprNode& expr) {
      if (const auto* load = expr.as<Load>()) {
        if (!init_only_) note(reads_, load->buffer, load->indices);
      }
      // A buffer passed to T.call_packed: the function may read and write all of it.
      if (const auto* ref = expr.as<BufferRef>(); ref && !init_only_) {
        note(reads_, ref->buffer, {});
        note(writes_, ref->buffer, {});
      }
    });
  }

  Range whole(const Buffer& buffer, size_t dim) const {
    const Expr& extent = buffer.shape[dim];
    return {std::make_shared<IntImm>(0, extent->dtype, SourceLoc{}), extent};
  }

  BufferRegion cover(const Access& access) const {
    BufferRegion region;
    region.buffer = access.buffer;
    size_t rank = access.buffer->shape.size();
    for (size_t d = 0; d < rank; ++d) {
      Expr base;
      bool first = true, ok = true;
      int64_t lo = 0, hi = 0;
      for (const auto& indices : access.index_lists) {
        if (indices.size() != rank) { ok = false; break; }
        auto [b, offset] = split_offset(indices[d]);
        bool same_base = first || (b == nullptr && base == nullptr) ||
                         (b && base && printing::print_tir_expr(b) == printing::print_tir_expr(base));
        if (!same_base) { ok = false; break; }
        if (first) { base = b; lo = hi = offset; first = false; }
        lo = std::min(lo, offset);
        hi = std::max(hi, offset);
      }
      if (!ok || first) {
        region.region.push_back(whole(*access.buffer, d));
        continue;
      }
      if (base) {
        if (const auto* ref = base->as<VarRef>()) {
          auto loop = inner_loops_.find(ref->var.get());
          if (loop != inner_loops_.end()) {
            // Varies with a loop inside the block: the loop's whole range.
            if (lo == 0 && hi == 0) region.region.push_back({loop->second->min, loop->second->extent});
            else region.region.push_back(whole(*access.buffer, d));
            continue;
          }
        }
        // Varies with a loop or with the axis of a block inside this one: the whole dimension.
        bool uses_inner = false;
        for (const auto& [var, loop] : inner_loops_) uses_inner = uses_inner || uses_var(base, var);
        for (const Var* var : inner_axes_) uses_inner = uses_inner || uses_var(base, var);
        if (uses_inner) { region.region.push_back(whole(*access.buffer, d)); continue; }
      }
      DataType dtype = indices_dtype(access, d);
      Expr min = lo == 0 && base ? base
                 : base ? make_offset(base, lo, dtype)
                        : std::make_shared<IntImm>(lo, dtype, SourceLoc{});
      region.region.push_back({min, std::make_shared<IntImm>(hi - lo + 1, dtype, SourceLoc{})});
    }
    return region;
  }

  static DataType indices_dtype(const Access& access, size_t d) {
    for (const auto& indices : access.index_lists) {
      if (d < indices.size()) return indices[d]->dtype;
    }
    return DataType::Int32;
  }

  static Expr make_offset(const Expr& base, int64_t offset, DataType dtype) {
    BinaryOp op = offset < 0 ? BinaryOp::Sub : BinaryOp::Add;
    int64_t magnitude = offset < 0 ? -offset : offset;
    return std::make_shared<Binary>(op, base, std::make_shared<IntImm>(magnitude, dtype, SourceLoc{}), base->dtype, SourceLoc{});
  }

  std::vector<Access> reads_, writes_;
  std::map<const Var*, const For*> inner_loops_;
  std::set<const Var*> inner_axes_;  // axes of blocks nested in this one
  std::set<const Buffer*> inner_allocs_;  // buffers blocks nested in this one allocate
  bool init_only_ = false;
};

Stmt rewrite(const Stmt& stmt) {
  if (!stmt) return stmt;
  switch (stmt->kind) {
    case StmtKind::For: {
      const auto* loop = stmt->as<For>();
      Stmt body = rewrite(loop->body);
      if (body == loop->body) return stmt;
      auto copy = std::make_shared<For>(*loop);
      copy->body = body;
      return copy;
    }
    case StmtKind::Seq: {
      const auto* seq = stmt->as<Seq>();
      std::vector<Stmt> stmts;
      bool changed = false;
      for (const Stmt& s : seq->stmts) {
        stmts.push_back(rewrite(s));
        changed = changed || stmts.back() != s;
      }
      return changed ? std::make_shared<Seq>(std::move(stmts), seq->loc) : stmt;
    }
    case StmtKind::If: {
      const auto* branch = stmt->as<If>();
      Stmt then_case = rewrite(branch->then_case), else_case = rewrite(branch->else_case);
      if (then_case == branch->then_case && else_case == branch->else_case) return stmt;
      return std::make_shared<If>(branch->cond, then_case, else_case, branch->loc);
    }
    case StmtKind::Let: {
      const auto* let = stmt->as<Let>();
      Stmt body = rewrite(let->body);
      if (body == let->body) return stmt;
      auto copy = std::make_shared<Let>(*let);
      copy->body = body;
      return copy;
    }
    case StmtKind::Block: {
      const auto* block = stmt->as<Block>();
      auto copy = std::make_shared<Block>(*block);
      copy->body = rewrite(block->body);
      copy->init = rewrite(block->init);
      if (!block->regions_given) {
        RegionCollector collector(*copy);
        copy->reads = collector.regions(false, *copy);
        copy->writes = collector.regions(true, *copy);
      }
      return copy;
    }
    default: return stmt;
  }
}

}  // namespace

Module infer_access_regions(const Module& module) { return rewrite_prim_func_bodies(module, rewrite); }

}  // namespace relaxc

// A prim_func as TVMScript: parameters (simple buffers inline as T.Buffer), symbolic variables
// declared just before the first buffer that uses them, the root block as a comment, loops
// folded into T.grid, blocks with their axes as T.axis.remap where the loops allow it.
#include <algorithm>
#include <set>

#include "compiler/ir/distinct_names.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/spelling.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::printing {

using namespace relaxc::tir;

namespace {

std::string print_shape(const std::vector<Expr>& shape) {
  std::vector<std::string> dims;
  for (const Expr& dim : shape) dims.push_back(print_tir_expr(dim));
  return "(" + join(dims) + (dims.size() == 1 ? ",)" : ")");
}

bool is_zero(const Expr& expr) {
  const auto* integer = expr ? expr->as<IntImm>() : nullptr;
  return integer != nullptr && integer->value == 0;
}

bool same_expr(const Expr& a, const Expr& b) { return print_tir_expr(a) == print_tir_expr(b); }

class TirPrinter {
 public:
  TirPrinter(const PrimFunc& func, Lines& out) : func_(func), out_(out) {}

  void print() {
    std::vector<std::string> params;
    std::set<const Param*> inlined;
    std::set<const Var*> scalars_so_far;
    for (const Param& param : func_.params) {
      if (param.buffer && param.declared_as_buffer && param.buffer->scope == "global" &&
          shape_uses_only(param.buffer->shape, scalars_so_far)) {
        params.push_back(param.buffer->name + ": T.Buffer(" + print_shape(param.buffer->shape) + ", \"" +
                         dtype_name(param.buffer->dtype) + "\")");
        inlined.insert(&param);
        continue;
      }
      if (param.var->dtype != DataType::Handle) scalars_so_far.insert(param.var.get());
      params.push_back(param.var->name + ": T." + dtype_name(param.var->dtype));
      defined_.insert(param.var.get());
    }
    out_.line(decorator());
    out_.line("def " + func_.name + "(" + join(params) + ")" + (func_.ret_type ? " -> None" : "") + ":");
    out_.indent();
    if (!func_.attrs.empty()) out_.line("T.func_attr(" + print_attr_dict(spelled_keys(func_.attrs)) + ")");
    for (const Param& param : func_.params) {
      if (!param.buffer || inlined.count(&param)) continue;
      declare_vars_of(param.buffer->shape);
      out_.line(param.buffer->name + " = T.match_buffer(" + param.var->name + ", " + buffer_args(*param.buffer) + ")");
    }
    if (func_.has_root_block) {
      out_.line("# with " + spelled("T.block") + "(\"root\"):");
      for (const BufferPtr& buffer : func_.root_alloc_buffers) {
        declare_vars_of(buffer->shape);
        out_.line(buffer->name + " = " + spelled("T.alloc_buffer") + "(" + buffer_args(*buffer) + ")");
      }
    }
    print_stmt(func_.body);
    out_.dedent();
  }

 private:
  // TVM marks block-based TensorIR with s_tir=True in its current spelling (every function its
  // legalizer writes has blocks); the chapter's spelling has no such flag.
  std::string decorator() const {
    std::vector<std::string> args;
    if (func_.is_private) args.push_back("private=True");
    if (current_spelling() && (func_.s_tir || contains_block(func_.body) || func_.has_root_block)) args.push_back("s_tir=True");
    return args.empty() ? "@T.prim_func" : "@T.prim_func(" + join(args) + ")";
  }

  static bool contains_block(const Stmt& stmt) {
    if (!stmt) return false;
    switch (stmt->kind) {
      case StmtKind::Block: return true;
      case StmtKind::For: return contains_block(stmt->as<For>()->body);
      case StmtKind::Let: return contains_block(stmt->as<Let>()->body);
      case StmtKind::If: return contains_block(stmt->as<If>()->then_case) || contains_block(stmt->as<If>()->else_case);
      case StmtKind::Seq:
        for (const Stmt& s : stmt->as<Seq>()->stmts) {
          if (contains_block(s)) return true;
        }
        return false;
      default: return false;
    }
  }

  // "tir.noalias" is "tirx.noalias" in the current spelling.
  static AttrDict spelled_keys(const AttrDict& attrs) {
    if (!current_spelling()) return attrs;
    AttrDict out = attrs;
    for (auto& entry : out) entry.first = current_attr_key(entry.first);
    return out;
  }

  static bool shape_uses_only(const std::vector<Expr>& shape, const std::set<const Var*>& allowed) {
    for (const Expr& dim : shape) {
      for (const VarPtr& var : vars_in(dim)) {
        if (!allowed.count(var.get())) return false;
      }
    }
    return true;
  }

  void declare_vars_of(const std::vector<Expr>& shape) {
    for (const Expr& dim : shape) {
      for (const VarPtr& var : vars_in(dim)) {
        if (defined_.insert(var.get()).second) out_.line(var->name + " = T." + dtype_name(var->dtype) + "()");
      }
    }
  }

  static std::string buffer_args(const Buffer& buffer) {
    std::string out = print_shape(buffer.shape);
    if (buffer.dtype != DataType::Float32) out += std::string(", \"") + dtype_name(buffer.dtype) + "\"";
    if (buffer.scope != "global") out += ", scope=" + quote(buffer.scope);
    return out;
  }

  void print_stmt(const Stmt& stmt) {
    switch (stmt->kind) {
      case StmtKind::For: print_for(stmt->as<For>()); break;
      case StmtKind::Block: print_block(*stmt->as<Block>()); break;
      case StmtKind::Store: {
        const auto* store = stmt->as<Store>();
        std::vector<std::string> indices;
        for (const Expr& index : store->indices) indices.push_back(print_tir_expr(index));
        out_.line(store->buffer->name + "[" + (indices.empty() ? "()" : join(indices)) + "] = " + print_tir_expr(store->value));
        break;
      }
      case StmtKind::Seq: {
        const auto* seq = stmt->as<Seq>();
        if (seq->stmts.empty()) out_.line("T.evaluate(0)");
        for (const Stmt& s : seq->stmts) print_stmt(s);
        break;
      }
      case StmtKind::If: {
        const auto* branch = stmt->as<If>();
        out_.line("if " + print_tir_expr(branch->cond) + ":");
        print_indented(branch->then_case);
        if (branch->else_case) {
          out_.line("else:");
          print_indented(branch->else_case);
        }
        break;
      }
      case StmtKind::Evaluate: out_.line("T.evaluate(" + print_tir_expr(stmt->as<Evaluate>()->value) + ")"); break;
      case StmtKind::Let: {
        const auto* let = stmt->as<Let>();
        // In the current spelling `v: T.float32 = e` declares a mutable scalar buffer; a binding is T.let.
        std::string type = std::string("T.") + dtype_name(let->var->dtype);
        out_.line(let->var->name + ": " + (current_spelling() ? "T.let[" + type + "]" : type) + " = " + print_tir_expr(let->value));
        print_stmt(let->body);
        break;
      }
    }
  }

  void print_indented(const Stmt& stmt) {
    out_.indent();
    print_stmt(stmt);
    out_.dedent();
  }

  void print_for(const For* loop) {
    // Serial loops from zero that nest directly, with extents independent of each other,
    // print as one T.grid.
    std::vector<const For*> grid;
    for (const For* l = loop; l != nullptr; l = l->body->as<For>()) {
      bool depends = false;
      for (const For* outer : grid) depends = depends || uses_var(l->extent, outer->loop_var.get());
      if (l->for_kind != ForKind::Serial || !is_zero(l->min) || !l->annotations.empty() || depends) break;
      grid.push_back(l);
    }
    if (grid.size() > 1) {
      std::vector<std::string> vars, extents;
      for (const For* l : grid) {
        vars.push_back(l->loop_var->name);
        extents.push_back(print_tir_expr(l->extent));
      }
      out_.line("for " + join(vars) + " in T.grid(" + join(extents) + "):");
      print_indented(grid.back()->body);
      return;
    }
    std::string range;
    if (is_zero(loop->min)) {
      range = print_tir_expr(loop->extent);
    } else {
      const auto* lo = loop->min->as<IntImm>();
      const auto* extent = loop->extent->as<IntImm>();
      // The end as written: range(start, end) is read back as extent = end - start.
      const auto* difference = loop->extent->as<Binary>();
      std::string hi;
      if (lo && extent) hi = print_tir_expr(std::make_shared<IntImm>(lo->value + extent->value, loop->min->dtype, loop->min->loc));
      else if (difference && difference->op == BinaryOp::Sub && same_expr(difference->b, loop->min)) hi = print_tir_expr(difference->a);
      else hi = print_tir_expr(loop->min) + " + " + print_tir_expr(loop->extent);
      range = print_tir_expr(loop->min) + ", " + hi;
    }
    // Annotations (MetaSchedule's pragmas) print as a keyword, as TVM prints them; a serial
    // loop with them is T.serial, since range() takes none.
    if (!loop->annotations.empty()) range += ", annotations=" + print_attr_dict(loop->annotations);
    std::string iter;
    switch (loop->for_kind) {
      case ForKind::Serial: iter = (loop->annotations.empty() ? "range(" : "T.serial(") + range + ")"; break;
      case ForKind::Parallel: iter = "T.parallel(" + range + ")"; break;
      case ForKind::Vectorized: iter = "T.vectorized(" + range + ")"; break;
      case ForKind::Unrolled: iter = "T.unroll(" + range + ")"; break;
      case ForKind::ThreadBinding: iter = "T.thread_binding(" + range + ", thread=" + quote(loop->thread) + ")"; break;
    }
    out_.line("for " + loop->loop_var->name + " in " + iter + ":");
    loops_.push_back(loop);
    print_indented(loop->body);
    loops_.pop_back();
  }

  const For* enclosing_loop_of(const Expr& binding) const {
    const auto* ref = binding ? binding->as<VarRef>() : nullptr;
    if (ref == nullptr) return nullptr;
    for (const For* loop : all_loops_) {
      if (loop->loop_var == ref->var) return loop;
    }
    return nullptr;
  }

  bool remappable(const IterVar& iv) const {
    const For* loop = enclosing_loop_of(iv.binding);
    return loop != nullptr && is_zero(loop->min) && is_zero(iv.min) && same_expr(loop->extent, iv.extent);
  }

  std::string print_region(const BufferRegion& region) {
    std::vector<std::string> parts;
    for (const Range& range : region.region) {
      const auto* extent = range.extent->as<IntImm>();
      if (extent && extent->value == 1) {
        parts.push_back(print_tir_expr(range.min));
        continue;
      }
      const auto* lo = range.min->as<IntImm>();
      std::string hi = lo && extent ? std::to_string(lo->value + extent->value)
                                    : (is_zero(range.min) ? print_tir_expr(range.extent)
                                                          : print_tir_expr(range.min) + " + " + print_tir_expr(range.extent));
      parts.push_back(print_tir_expr(range.min) + ":" + hi);
    }
    return region.buffer->name + "[" + (parts.empty() ? "()" : join(parts)) + "]";
  }

  void print_block(const Block& block) {
    out_.line("with " + spelled("T.block") + "(" + quote(block.name) + "):");
    out_.indent();
    std::vector<size_t> pending;
    auto flush = [&]() {
      if (pending.size() == 1) {
        print_single_axis(block.iter_vars[pending[0]]);
      } else if (!pending.empty()) {
        std::vector<std::string> names, bindings;
        std::string kinds;
        for (size_t i : pending) {
          names.push_back(block.iter_vars[i].var->name);
          bindings.push_back(print_tir_expr(block.iter_vars[i].binding));
          kinds.push_back(block.iter_vars[i].kind == IterKind::Spatial ? 'S' : 'R');
        }
        out_.line(join(names) + " = T.axis.remap(\"" + kinds + "\", [" + join(bindings) + "])");
      }
      pending.clear();
    };
    for (size_t i = 0; i < block.iter_vars.size(); ++i) {
      if (remappable(block.iter_vars[i])) {
        pending.push_back(i);
        continue;
      }
      flush();
      print_single_axis(block.iter_vars[i]);
    }
    flush();
    if (block.predicate) out_.line("T.where(" + print_tir_expr(block.predicate) + ")");
    std::vector<std::string> reads, writes;
    for (const BufferRegion& region : block.reads) reads.push_back(print_region(region));
    for (const BufferRegion& region : block.writes) writes.push_back(print_region(region));
    out_.line("T.reads(" + join(reads) + ")");
    out_.line("T.writes(" + join(writes) + ")");
    if (!block.annotations.empty()) out_.line(spelled("T.block_attr") + "(" + print_attr_dict(block.annotations) + ")");
    for (const BufferPtr& buffer : block.alloc_buffers) out_.line(buffer->name + " = " + spelled("T.alloc_buffer") + "(" + buffer_args(*buffer) + ")");
    if (block.init) {
      out_.line("with T.init():");
      print_indented(block.init);
    }
    print_stmt(block.body);
    out_.dedent();
  }

  void print_single_axis(const IterVar& iv) {
    std::string domain = is_zero(iv.min) ? print_tir_expr(iv.extent)
                                         : "(" + print_tir_expr(iv.min) + ", " + print_tir_expr(iv.min) + " + " +
                                               print_tir_expr(iv.extent) + ")";
    if (const auto* lo = iv.min->as<IntImm>(); lo && lo->value != 0) {
      if (const auto* extent = iv.extent->as<IntImm>()) {
        domain = "(" + std::to_string(lo->value) + ", " + std::to_string(lo->value + extent->value) + ")";
      }
    }
    const char* kind = iv.kind == IterKind::Spatial ? "spatial" : "reduce";
    out_.line(iv.var->name + " = T.axis." + kind + "(" + domain + ", " + print_tir_expr(iv.binding) + ")");
  }

  void collect_loops(const Stmt& stmt) {
    visit_stmt(stmt, [&](const StmtNode& node) {
      if (const auto* loop = node.as<For>()) all_loops_.push_back(loop);
    });
  }

 public:
  void prepare() { collect_loops(func_.body); }

 private:
  const PrimFunc& func_;
  Lines& out_;
  std::set<const Var*> defined_;
  std::vector<const For*> loops_;
  std::vector<const For*> all_loops_;
};

}  // namespace

void print_prim_func(const PrimFunc& func, Lines& out) {
  // Scope decides what a name means when it is read back, so no two buffers share one.
  PrimFunc distinct = with_distinct_names(func);
  TirPrinter printer(distinct, out);
  printer.prepare();
  printer.print();
}

}  // namespace relaxc::printing

#include "compiler/frontend/build_prim_func.h"

#include "compiler/frontend/attr_builder.h"
#include "compiler/frontend/buffer_syntax.h"
#include "compiler/frontend/loop_syntax.h"
#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/frontend/tir_names.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/spelling.h"
#include "compiler/ir/tir_build.h"

namespace relaxc::frontend {

using namespace relaxc::tir;
using Item = antlr4::ParserRuleContext;

std::vector<Item*> statements_of(P::BlockContext* block) {
  std::vector<Item*> items;
  auto add_simple = [&](P::SimpleStatementsContext* simple) {
    for (P::SimpleStatementContext* stmt : simple->simpleStatement()) items.push_back(stmt);
  };
  if (block->simpleStatements()) {
    add_simple(block->simpleStatements());
    return items;
  }
  for (P::StatementContext* stmt : block->statement()) {
    if (stmt->simpleStatements()) {
      add_simple(stmt->simpleStatements());
    } else {
      items.push_back(stmt->compoundStatement());
    }
  }
  return items;
}

namespace {

Stmt seq_of(std::vector<Stmt> stmts, SourceLoc loc) {
  if (stmts.size() == 1) return stmts[0];
  return std::make_shared<Seq>(std::move(stmts), loc);
}

class PrimFuncBuilder {
 public:
  explicit PrimFuncBuilder(Diagnostics& diags) : scope_(diags), exprs_(scope_) {}

  PrimFuncPtr build(P::FunctionDefContext* def, const PrimFuncOptions& options) {
    auto func = std::make_shared<PrimFunc>();
    func_ = func.get();
    func->name = def->NAME()->getText();
    func->is_private = options.is_private;
    func->s_tir = options.s_tir;
    std::set<std::string> type_vars = type_variables(def, options.type_vars);
    exprs_.set_undefined_name_hook([this, type_vars](const std::string& name, SourceLoc loc) {
      if (!type_vars.count(name)) return false;
      auto var = std::make_shared<Var>(Var{name, DataType::Int64, loc});
      func_->size_vars.push_back(var);
      scope_.define(name, {var, nullptr, loc, "symbolic variable"});
      return true;
    });
    func->loc = loc_of(def->NAME()->getSymbol());
    build_params(def);
    if (def->returnType) {
      auto* atom = dynamic_cast<P::AtomExprContext*>(def->returnType);
      if (atom == nullptr || dynamic_cast<P::NoneAtomContext*>(atom->atom()) == nullptr) {
        fail(loc_of(def->returnType), "a prim_func returns nothing; its return annotation can only be '-> None'");
      }
      func->ret_type = DataType::Void;
    }
    Stmt body = build_body(statements_of(def->block()), 0, Place::FunctionTop);
    if (!body) body = std::make_shared<Seq>(std::vector<Stmt>{}, func->loc);
    func->body = body;
    func->has_root_block = func->has_root_block || !func->root_alloc_buffers.empty() || contains_block(body);
    scope_.pop();
    return func;
  }

 private:
  enum class Place { FunctionTop, Block, Nested };

  static bool contains_block(const Stmt& stmt) {
    if (!stmt) return false;
    switch (stmt->kind) {
      case StmtKind::Block: return true;
      case StmtKind::For: return contains_block(stmt->as<For>()->body);
      case StmtKind::Seq:
        for (const Stmt& s : stmt->as<Seq>()->stmts) {
          if (contains_block(s)) return true;
        }
        return false;
      case StmtKind::If: return contains_block(stmt->as<If>()->then_case) || contains_block(stmt->as<If>()->else_case);
      case StmtKind::Let: return contains_block(stmt->as<Let>()->body);
      default: return false;
    }
  }

  void build_params(P::FunctionDefContext* def) {
    if (!def->parameters()) return;
    for (P::ParameterContext* param : def->parameters()->parameter()) {
      std::string name = param->NAME()->getText();
      SourceLoc loc = loc_of(param);
      if (param->value) fail(loc_of(param->value), "prim_func parameters cannot have default values");
      if (!param->annotation) {
        fail(loc, "parameter '" + name + "' needs a type: T.handle, T.Buffer(shape, dtype) or a scalar type such as T.int64");
      }
      for (const Param& existing : func_->params) {
        if (existing.var->name == name) fail(loc, "duplicate parameter '" + name + "'");
      }
      Param out;
      std::optional<std::string> type_name = dotted_name(param->annotation);
      if (type_name && *type_name == "T.handle") {
        out.var = std::make_shared<Var>(Var{name, DataType::Handle, loc});
        scope_.define(name, {out.var, nullptr, loc});
      } else if (std::optional<CallSyntax> call = buffer_annotation(param->annotation)) {
        out.var = std::make_shared<Var>(Var{name + "_handle", DataType::Handle, loc});
        out.buffer = make_buffer(name, *call, loc, /*has_source=*/false);
        out.declared_as_buffer = true;
        scope_.define(name, {nullptr, out.buffer, loc});
      } else if (std::optional<DataType> dtype = type_name && type_name->rfind("T.", 0) == 0
                                                     ? parse_dtype(type_name->substr(2))
                                                     : std::nullopt) {
        out.var = std::make_shared<Var>(Var{name, *dtype, loc});
        scope_.define(name, {out.var, nullptr, loc});
      } else {
        fail(loc_of(param->annotation), "unsupported type for parameter '" + name +
                                            "'; expected T.handle, T.Buffer(shape, dtype) or a scalar type such as T.int64");
      }
      func_->params.push_back(out);
    }
  }

  // T.block_attr's dict. "layout_free_placeholders" lists buffers whose layout MetaSchedule may
  // rewrite, a hint with no effect on what the block computes: its names are checked to be
  // buffers and the entry is not kept.
  AttrDict block_annotations(P::ExprContext* dict) {
    auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(dict));
    auto* literal = atom ? dynamic_cast<P::DictAtomContext*>(atom->atom()) : nullptr;
    if (literal) {
      std::vector<P::DictEntryContext*> kept;
      for (P::DictEntryContext* entry : literal->dictEntry()) {
        if (string_literal(entry->key) != std::optional<std::string>("layout_free_placeholders")) continue;
        std::optional<std::vector<P::ExprContext*>> names = sequence_elements(entry->value);
        if (!names) fail(loc_of(entry->value), "layout_free_placeholders lists buffers, as in [A, B]");
        for (P::ExprContext* name : *names) exprs_.lookup_buffer(name, "listed in layout_free_placeholders");
      }
    }
    AttrDict out;
    for (auto& entry : build_attr_dict(dict, "T.block_attr's argument", {"layout_free_placeholders"})) out.push_back(entry);
    return out;
  }

  // T.match_buffer(x, shape, dtype) / T.alloc_buffer(shape, dtype) / T.Buffer(shape, dtype).
  BufferPtr make_buffer(const std::string& name, const CallSyntax& call, SourceLoc loc, bool has_source) {
    return build_buffer(name, call, loc, has_source, exprs_);
  }

  Stmt build_body(const std::vector<Item*>& items, size_t begin, Place place) {
    std::vector<Stmt> stmts;
    SourceLoc loc = begin < items.size() ? loc_of(items[begin]) : SourceLoc{};
    for (size_t i = begin; i < items.size(); ++i) {
      if (auto* assign = dynamic_cast<P::AssignStatementContext*>(items[i]); assign && is_local_binding(assign)) {
        stmts.push_back(build_let(assign, items, i + 1, place));
        break;
      }
      if (Stmt stmt = build_item(items[i], place)) stmts.push_back(stmt);
    }
    if (stmts.empty()) return nullptr;
    return seq_of(std::move(stmts), loc);
  }

  // `v = expr` whose value is a plain expression (not a T.match_buffer / T.axis / ... form).
  bool is_local_binding(P::AssignStatementContext* assign) {
    std::vector<P::ExprContext*> targets = list_elements(assign->targets);
    if (targets.size() != 1 || !dotted_name(targets[0]) || dotted_name(targets[0])->find('.') != std::string::npos) {
      return false;
    }
    std::vector<P::ExprContext*> values = list_elements(assign->value);
    if (values.size() != 1) return false;
    std::optional<CallSyntax> call = as_call(values[0]);
    if (!call) return true;
    const std::string& callee = call->callee_name;
    if (callee == "T.match_buffer" || callee == "T.alloc_buffer" || callee.rfind("T.axis.", 0) == 0) return false;
    if (callee == "T.Var" || (size_var_dtype(callee) && call->positional.empty())) return false;
    return true;
  }

  Stmt build_let(P::AssignStatementContext* assign, const std::vector<Item*>& items, size_t rest, Place place) {
    std::string name = *dotted_name(assign->targets->expr(0));
    SourceLoc loc = loc_of(assign);
    NestingGuard nesting(*this, 1, loc);
    TypedExpr value = exprs_.build(assign->value->expr(0));
    DataType dtype = value.expr->dtype;
    bool annotated = false;
    P::ExprContext* annotation = assign->annotation;
    // TVM's current spelling: `v: T.let[T.float32] = e`, or `v: T.let = e` typed by its value.
    if (annotation && dotted_name(annotation) == std::optional<std::string>("T.let")) annotation = nullptr;
    if (auto* let_type = dynamic_cast<P::SubscriptExprContext*>(annotation);
        let_type && dotted_name(let_type->expr()) == std::optional<std::string>("T.let")) {
      std::vector<P::SubscriptContext*> subs = let_type->subscripts()->subscript();
      if (subs.size() != 1 || !subs[0]->expr(0) || !subs[0]->COLON().empty()) fail(loc_of(let_type), "T.let[...] takes one type, as in T.let[T.float32]");
      annotation = subs[0]->expr(0);
    }
    if (annotation) {
      std::optional<std::string> type = dotted_name(annotation);
      std::optional<DataType> declared = type && type->rfind("T.", 0) == 0 ? parse_dtype(type->substr(2)) : std::nullopt;
      if (!declared) fail(loc_of(annotation), "a local variable's type must be a scalar type such as T.float32");
      dtype = *declared;
      value.expr = TirExprBuilder::retype_literal(value, dtype);
      annotated = true;
    }
    auto var = std::make_shared<Var>(Var{name, dtype, loc});
    scope_.push();
    scope_.define(name, {var, nullptr, loc, "local variable"});
    Stmt body = build_body(items, rest, place == Place::FunctionTop ? Place::Nested : place);
    scope_.pop();
    if (!body) body = std::make_shared<Seq>(std::vector<Stmt>{}, loc);
    auto let = std::make_shared<Let>(var, value.expr, body, loc);
    let->annotated = annotated;
    return let;
  }

  Stmt build_item(Item* item, Place place) {
    if (auto* compound = dynamic_cast<P::CompoundStatementContext*>(item)) return build_compound(compound, place);
    SourceLoc loc = loc_of(item);
    if (dynamic_cast<P::PassStatementContext*>(item)) return nullptr;
    if (dynamic_cast<P::ReturnStatementContext*>(item)) fail(loc, "'return' is not supported in a prim_func");
    if (dynamic_cast<P::ImportStatementContext*>(item) || dynamic_cast<P::FromImportStatementContext*>(item)) {
      fail(loc, "imports are only allowed at the top of the file");
    }
    if (auto* decl = dynamic_cast<P::DeclarationStatementContext*>(item)) {
      fail(loc_of(decl), "a declaration without a value is not supported; write 'name: type = value'");
    }
    if (auto* aug = dynamic_cast<P::AugmentedAssignStatementContext*>(item)) return build_augmented(aug);
    if (auto* assign = dynamic_cast<P::AssignStatementContext*>(item)) return build_assign(assign, place);
    auto* expr_stmt = dynamic_cast<P::ExpressionStatementContext*>(item);
    return build_expression_statement(expr_stmt, place);
  }

  Stmt build_compound(P::CompoundStatementContext* compound, Place place) {
    SourceLoc loc = loc_of(compound);
    if (auto* loop = compound->forStatement()) return build_for(loop);
    if (auto* with = compound->withStatement()) return build_with(with, place);
    if (auto* branch = compound->ifStatement()) return build_if(branch);
    if (compound->whileStatement()) fail(loc, "'while' loops are not supported in TensorIR; use 'for i in T.serial(n)'");
    fail(loc, "a nested function or class definition is not supported inside a prim_func");
  }

  Stmt build_if(P::IfStatementContext* branch) {
    Expr cond = exprs_.build(branch->expr()).expr;
    Stmt then_case = build_nested(branch->block());
    Stmt else_case;
    if (branch->elseClause()) else_case = build_nested(branch->elseClause()->block());
    auto elifs = branch->elifClause();
    for (auto it = elifs.rbegin(); it != elifs.rend(); ++it) {
      Expr elif_cond = exprs_.build((*it)->expr()).expr;
      else_case = std::make_shared<If>(elif_cond, build_nested((*it)->block()), else_case, loc_of(*it));
    }
    return std::make_shared<If>(cond, then_case, else_case, loc_of(branch));
  }

  Stmt build_nested(P::BlockContext* block) {
    scope_.push();
    Block* saved = direct_block_;
    direct_block_ = nullptr;
    Stmt body = build_body(statements_of(block), 0, Place::Nested);
    direct_block_ = saved;
    scope_.pop();
    if (!body) body = std::make_shared<Seq>(std::vector<Stmt>{}, loc_of(block));
    return body;
  }

  Stmt build_for(P::ForStatementContext* loop) {
    SourceLoc loc = loc_of(loop);
    std::optional<CallSyntax> call = as_call(loop->expr());
    if (!call) fail(loc_of(loop->expr()), "a TensorIR loop iterates over T.grid, range, T.serial, T.parallel, T.vectorized, T.unroll or T.thread_binding");
    std::vector<P::ExprContext*> targets = list_elements(loop->targets);
    for (P::ExprContext* target : targets) {
      std::optional<std::string> name = dotted_name(target);
      if (!name || name->find('.') != std::string::npos) fail(loc_of(target), "a loop variable must be a plain name");
    }
    std::vector<LoopLevel> levels = loop_levels(*call, loop, targets.size(), exprs_);
    NestingGuard nesting(*this, levels.size(), loc_of(loop->targets));
    scope_.push();
    std::vector<std::shared_ptr<For>> loops;
    for (size_t i = 0; i < levels.size(); ++i) {
      auto node = std::make_shared<For>(loc_of(targets[i]));
      std::string name = *dotted_name(targets[i]);
      node->loop_var = std::make_shared<Var>(Var{name, levels[i].extent->dtype, loc_of(targets[i])});
      node->min = levels[i].min;
      node->extent = levels[i].extent;
      node->for_kind = levels[i].kind;
      node->thread = levels[i].thread;
      node->annotations = levels[i].annotations;
      scope_.define(name, {node->loop_var, nullptr, loc_of(targets[i])});
      loops_.push_back({node->loop_var, node->min, node->extent});
      loops.push_back(node);
    }
    Block* saved = direct_block_;
    direct_block_ = nullptr;
    Stmt body = build_body(statements_of(loop->block()), 0, Place::Nested);
    direct_block_ = saved;
    scope_.pop();
    loops_.resize(loops_.size() - levels.size());
    if (!body) body = std::make_shared<Seq>(std::vector<Stmt>{}, loc);
    for (auto it = loops.rbegin(); it != loops.rend(); ++it) {
      (*it)->body = body;
      body = *it;
    }
    return body;
  }

  // `with T.attr(node, "key", value):`, or the current spelling's `with T.attr({"key": value}):`.
  // The keys accepted are hints to TVM's lowering (pragmas, pipelining, alignment): on the CPU
  // the body computes the same without them, so only the body is kept. Any other key would
  // change what the body means and is an error naming it.
  Stmt build_attr_scope(const CallSyntax& call, P::WithStatementContext* with) {
    check_attr_hints(call);
    Stmt body = build_nested(with->block());
    return body ? body : std::make_shared<Seq>(std::vector<Stmt>{}, loc_of(with));
  }

  Stmt build_with(P::WithStatementContext* with, Place place) {
    std::optional<CallSyntax> call = as_call(with->expr());
    std::string callee = call ? call->callee_name : dotted_name(with->expr()).value_or("");
    if (with->target) fail(loc_of(with->target), "'with ... as' is not supported in TensorIR");
    if (callee == "T.init") {
      expect_arguments(*call, 0, 0, {});
      if (direct_block_ == nullptr) fail(loc_of(with), "T.init() is only allowed directly inside a T.block");
      if (direct_block_->init) fail(loc_of(with), "block '" + direct_block_->name + "' has more than one T.init()");
      Stmt init = build_nested(with->block());
      direct_block_->init = init;
      return nullptr;
    }
    if (callee == "T.attr") return build_attr_scope(*call, with);
    if (callee != "T.block") {
      fail(loc_of(with->expr()), "unsupported 'with' statement in TensorIR; expected T.block(\"name\"), T.init() or T.attr(...)");
    }
    expect_arguments(*call, 0, 1, {"no_realize"});
    std::string name = "root";
    if (!call->positional.empty()) {
      std::optional<std::string> text = string_literal(call->positional[0]);
      if (!text) fail(loc_of(call->positional[0]), "a block's name must be a string");
      name = *text;
    }
    if (name == "root" && place == Place::FunctionTop && loops_.empty()) {
      // The explicit form of the root block that the printer writes as a comment.
      func_->has_root_block = true;
      in_root_block_ = true;
      Stmt body = build_body(statements_of(with->block()), 0, Place::FunctionTop);
      in_root_block_ = false;
      return body;
    }
    auto block = std::make_shared<Block>(loc_of(with));
    block->name = name;
    scope_.push();
    Block* saved = direct_block_;
    direct_block_ = block.get();
    Stmt body = build_body(statements_of(with->block()), 0, Place::Block);
    direct_block_ = saved;
    scope_.pop();
    if (!body) body = std::make_shared<Seq>(std::vector<Stmt>{}, loc_of(with));
    block->body = body;
    return block;
  }

  Stmt build_augmented(P::AugmentedAssignStatementContext* aug) {
    auto* target = dynamic_cast<P::SubscriptExprContext*>(aug->target->expr(0));
    if (target == nullptr || aug->target->expr().size() != 1) {
      fail(loc_of(aug), "augmented assignment is only supported on a buffer element, as in A[i] += x");
    }
    std::string op = aug->AUGASSIGN()->getText();
    static const std::pair<const char*, BinaryOp> kOps[] = {{"+=", BinaryOp::Add}, {"-=", BinaryOp::Sub},
                                                            {"*=", BinaryOp::Mul}, {"/=", BinaryOp::Div}};
    for (const auto& [spelling, binary] : kOps) {
      if (op != spelling) continue;
      BufferPtr buffer = exprs_.lookup_buffer(target->expr(), "stored to");
      TypedExpr current = exprs_.build(target);
      TypedExpr rhs = exprs_.build(aug->value->expr(0));
      Expr value = make_binary(binary, current, rhs, loc_of(aug));
      return std::make_shared<Store>(buffer, current.expr->as<Load>()->indices, value, loc_of(aug));
    }
    fail(loc_of(aug), "augmented assignment '" + op + "' is not supported; write 'A[i] = A[i] op x'");
  }

  Stmt build_assign(P::AssignStatementContext* assign, Place place);
  Stmt build_expression_statement(P::ExpressionStatementContext* stmt, Place place);
  void build_axes(const std::vector<P::ExprContext*>& targets, const CallSyntax& call, SourceLoc loc);
  std::vector<BufferRegion> build_regions(const CallSyntax& call);

  struct LoopInfo {
    VarPtr var;
    Expr min, extent;
  };

  // Loops and local bindings each nest the rest of the function one statement deeper (the
  // statements after `v = e` are the body of its Let), and every pass walks that nesting
  // recursively; the limit keeps it well inside the stack.
  struct NestingGuard {
    NestingGuard(PrimFuncBuilder& builder, size_t levels, SourceLoc loc) : builder_(builder), levels_(levels) {
      if (builder_.nesting_ + levels_ > kMaxStatementNesting) {
        fail(loc, "statements nested more than " + std::to_string(kMaxStatementNesting) +
                      " deep (loops and local variables, each of which holds the statements after it)");
      }
      builder_.nesting_ += levels_;
    }
    ~NestingGuard() { builder_.nesting_ -= levels_; }
    PrimFuncBuilder& builder_;
    size_t levels_;
  };
  static constexpr size_t kMaxStatementNesting = 1000;
  size_t nesting_ = 0;

  Scope scope_;
  TirExprBuilder exprs_;
  PrimFunc* func_ = nullptr;
  Block* direct_block_ = nullptr;  // the block whose own statements are being read
  bool in_root_block_ = false;
  std::vector<LoopInfo> loops_;
};


Stmt PrimFuncBuilder::build_assign(P::AssignStatementContext* assign, Place place) {
  std::vector<P::ExprContext*> targets = list_elements(assign->targets);
  std::vector<P::ExprContext*> values = list_elements(assign->value);
  SourceLoc loc = loc_of(assign);
  if (targets.size() == 1) {
    if (auto* target = dynamic_cast<P::SubscriptExprContext*>(targets[0])) {
      if (values.size() != 1) fail(loc_of(assign->value), "a buffer element takes one value, not a tuple");
      BufferPtr buffer = exprs_.lookup_buffer(target->expr(), "stored to");
      std::vector<Expr> indices;
      for (P::SubscriptContext* sub : buffer_subscripts(target->subscripts())) {
        if (!sub->COLON().empty()) fail(loc_of(sub), "storing to a slice is not supported; store one element at a time");
        indices.push_back(exprs_.build_index(sub->expr(0)));
      }
      Expr value = exprs_.build_as(values[0], buffer->dtype);
      return std::make_shared<Store>(buffer, std::move(indices), value, loc);
    }
  }
  for (P::ExprContext* target : targets) {
    std::optional<std::string> name = dotted_name(target);
    if (!name || name->find('.') != std::string::npos) fail(loc_of(target), "cannot assign to this expression");
  }
  std::optional<CallSyntax> first = values.empty() ? std::nullopt : as_call(values[0]);
  std::string callee = first ? first->callee_name : "";
  if (callee.rfind("T.axis.", 0) == 0) {
    if (direct_block_ == nullptr) fail(loc, callee + " is only allowed directly inside a T.block");
    if (values.size() != 1) fail(loc_of(assign->value), "one T.axis call per assignment");
    build_axes(targets, *first, loc);
    return nullptr;
  }
  if (may_declare_size_var(callee)) {
    // `m, n, k = T.int64(), T.int64(), T.int64()`
    if (place != Place::FunctionTop) fail(loc, "symbolic variables are declared at the top of the function body");
    if (targets.size() != values.size()) {
      fail(loc, std::to_string(targets.size()) + " names but " + std::to_string(values.size()) + " values");
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      std::optional<CallSyntax> call = as_call(values[i]);
      std::optional<DataType> dtype = call ? declared_size_var(*call, targets[i]) : std::nullopt;
      if (!dtype) fail(loc_of(values[i]), "expected a symbolic variable declaration such as T.int64()");
      std::string name = *dotted_name(targets[i]);
      auto var = std::make_shared<Var>(Var{name, *dtype, loc_of(targets[i])});
      func_->size_vars.push_back(var);
      scope_.define(name, {var, nullptr, loc_of(targets[i]), "symbolic variable"});
    }
    return nullptr;
  }
  if (targets.size() != 1 || values.size() != 1) fail(loc, "tuple assignment is only supported for T.axis.remap and symbolic variables");
  std::string name = *dotted_name(targets[0]);
  if (callee == "T.match_buffer") {
    if (place != Place::FunctionTop) fail(loc, "T.match_buffer is only allowed at the top of the function body");
    expect_arguments(*first, 2, 3, kBufferKeywords);
    std::optional<std::string> handle_name = dotted_name(first->positional[0]);
    const Symbol* handle = handle_name ? scope_.lookup(*handle_name) : nullptr;
    Param* param = nullptr;
    for (Param& p : func_->params) {
      if (handle && handle->var && p.var == handle->var) param = &p;
    }
    if (param == nullptr || param->var->dtype != DataType::Handle) {
      fail(loc_of(first->positional[0]), "T.match_buffer's first argument must be a T.handle parameter of this function");
    }
    if (param->buffer) {
      fail(loc_of(first->positional[0]), "handle '" + param->var->name + "' is already matched to buffer '" + param->buffer->name + "'");
    }
    param->buffer = make_buffer(name, *first, loc_of(targets[0]), /*has_source=*/true);
    scope_.define(name, {nullptr, param->buffer, loc_of(targets[0])});
    return nullptr;
  }
  if (callee == "T.alloc_buffer") {
    BufferPtr buffer = make_buffer(name, *first, loc_of(targets[0]), /*has_source=*/false);
    if (place == Place::FunctionTop) {
      func_->root_alloc_buffers.push_back(buffer);
    } else if (place == Place::Block && direct_block_ != nullptr) {
      direct_block_->alloc_buffers.push_back(buffer);
    } else {
      fail(loc, "T.alloc_buffer is only allowed at the top of the function or directly inside a T.block");
    }
    scope_.define(name, {nullptr, buffer, loc_of(targets[0]), "buffer"});
    return nullptr;
  }
  fail(loc, "internal error: unexpected assignment form");
}

void PrimFuncBuilder::build_axes(const std::vector<P::ExprContext*>& targets, const CallSyntax& call, SourceLoc loc) {
  const std::string& callee = call.callee_name;
  std::vector<IterVar> axes;
  if (callee == "T.axis.remap") {
    expect_arguments(call, 2, 2, {});
    std::optional<std::string> kinds = string_literal(call.positional[0]);
    if (!kinds) fail(loc_of(call.positional[0]), "T.axis.remap's first argument is a string of 'S' and 'R', such as \"SSR\"");
    std::optional<std::vector<P::ExprContext*>> loop_names = sequence_elements(call.positional[1]);
    if (!loop_names) fail(loc_of(call.positional[1]), "T.axis.remap's second argument is a list of loop variables, such as [i, j]");
    if (kinds->size() != targets.size() || loop_names->size() != targets.size()) {
      fail(loc, "T.axis.remap binds " + std::to_string(targets.size()) + " variables but has " +
                    std::to_string(kinds->size()) + " kinds (\"" + *kinds + "\") and " +
                    std::to_string(loop_names->size()) + " loop variables");
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      char kind = (*kinds)[i];
      if (kind != 'S' && kind != 'R') {
        fail(loc_of(call.positional[0]), std::string("unknown axis kind '") + kind + "' in \"" + *kinds + "\"; use S (spatial) or R (reduction)");
      }
      P::ExprContext* loop_name = (*loop_names)[i];
      Expr value = exprs_.build_index(loop_name);
      const auto* ref = value->as<VarRef>();
      const LoopInfo* loop = nullptr;
      for (const LoopInfo& info : loops_) {
        if (ref && info.var == ref->var) loop = &info;
      }
      if (loop == nullptr) {
        fail(loc_of(loop_name), "T.axis.remap can only bind an enclosing loop variable; use T.axis.spatial(extent, value) for other values");
      }
      axes.push_back({nullptr, loop->min, loop->extent, kind == 'S' ? IterKind::Spatial : IterKind::Reduce, value});
    }
  } else {
    IterKind kind;
    if (callee == "T.axis.spatial" || callee == "T.axis.S") kind = IterKind::Spatial;
    else if (callee == "T.axis.reduce" || callee == "T.axis.R") kind = IterKind::Reduce;
    else fail(call.loc, "unsupported axis kind '" + callee + "'; expected T.axis.spatial, T.axis.reduce or T.axis.remap");
    if (targets.size() != 1) fail(loc, callee + " binds one variable");
    expect_arguments(call, 2, 2, {});
    IterVar axis;
    axis.kind = kind;
    if (std::optional<std::vector<P::ExprContext*>> domain = sequence_elements(call.positional[0])) {
      if (domain->size() != 2) fail(loc_of(call.positional[0]), "an axis domain is an extent or a (min, max) pair");
      axis.min = exprs_.build_index((*domain)[0]);
      axis.extent = extent_between(axis.min, exprs_.build_index((*domain)[1]), loc_of(call.positional[0]));
    } else {
      axis.extent = exprs_.build_index(call.positional[0]);
      axis.min = tir::build::imm(0, axis.extent->dtype, loc_of(call.positional[0]));
    }
    axis.binding = exprs_.build_index(call.positional[1]);
    axes.push_back(axis);
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    std::string name = *dotted_name(targets[i]);
    axes[i].var = std::make_shared<Var>(Var{name, axes[i].binding->dtype, loc_of(targets[i])});
    scope_.define(name, {axes[i].var, nullptr, loc_of(targets[i])});
    direct_block_->iter_vars.push_back(axes[i]);
  }
}

std::vector<BufferRegion> PrimFuncBuilder::build_regions(const CallSyntax& call) {
  std::vector<P::ExprContext*> items = call.positional;
  if (items.size() == 1) {
    if (std::optional<std::vector<P::ExprContext*>> listed = sequence_elements(items[0])) items = *listed;
  }
  std::vector<BufferRegion> regions;
  for (P::ExprContext* item : items) {
    BufferRegion region;
    region.loc = loc_of(item);
    if (auto* sub = dynamic_cast<P::SubscriptExprContext*>(item)) {
      region.buffer = exprs_.lookup_buffer(sub->expr(), "named in " + call.callee_name);
      for (P::SubscriptContext* index : buffer_subscripts(sub->subscripts())) {
        if (index->COLON().empty()) {
          Expr at = exprs_.build_index(index->expr(0));
          region.region.push_back({at, tir::build::imm(1, at->dtype, at->loc)});
          continue;
        }
        if (!index->lower || !index->upper || index->COLON().size() > 1) {
          fail(loc_of(index), "a region slice needs both bounds, as in A[0:128]");
        }
        Expr lo = exprs_.build_index(index->lower);
        region.region.push_back({lo, extent_between(lo, exprs_.build_index(index->upper), loc_of(index))});
      }
    } else {
      region.buffer = exprs_.lookup_buffer(item, "named in " + call.callee_name);
      for (const Expr& dim : region.buffer->shape) region.region.push_back({tir::build::imm(0, dim->dtype, region.loc), dim});
    }
    regions.push_back(region);
  }
  return regions;
}

Stmt PrimFuncBuilder::build_expression_statement(P::ExpressionStatementContext* stmt, Place place) {
  std::vector<P::ExprContext*> exprs = list_elements(stmt->exprList());
  SourceLoc loc = loc_of(stmt);
  std::optional<CallSyntax> call = exprs.size() == 1 ? as_call(exprs[0]) : std::nullopt;
  if (!call) fail(loc, "this expression has no effect; a TensorIR statement is a store, a loop, a block or a T. call");
  const std::string& callee = call->callee_name;
  auto require_block = [&]() {
    if (direct_block_ == nullptr) fail(loc, callee + " is only allowed directly inside a T.block");
  };
  if (callee == "T.reads" || callee == "T.writes") {
    // The root block's regions (TVM writes them for a root with match_buffers) are the whole
    // buffers the function touches; they are checked and then inferred again, not kept.
    if (direct_block_ == nullptr && in_root_block_ && place == Place::FunctionTop) {
      build_regions(*call);
      return nullptr;
    }
    require_block();
    std::vector<BufferRegion>& target = callee == "T.reads" ? direct_block_->reads : direct_block_->writes;
    target = build_regions(*call);
    direct_block_->regions_given = true;
    return nullptr;
  }
  if (callee == "T.where") {
    require_block();
    expect_arguments(*call, 1, 1, {});
    direct_block_->predicate = exprs_.build(call->positional[0]).expr;
    return nullptr;
  }
  if (callee == "T.attr") {
    // `T.attr(0, "pragma_scope", "seq")` as a statement scopes the rest of its body, as
    // `with T.attr(...)` does; the hints accepted do not change what the body computes.
    check_attr_hints(*call);
    return nullptr;
  }
  if (callee == "T.block_attr") {
    require_block();
    expect_arguments(*call, 1, 1, {});
    for (auto& entry : block_annotations(call->positional[0])) direct_block_->annotations.push_back(entry);
    return nullptr;
  }
  if (callee == "T.func_attr") {
    if (place != Place::FunctionTop) fail(loc, "T.func_attr is only allowed at the top of the function body");
    expect_arguments(*call, 1, 1, {});
    for (auto& entry : build_attr_dict(call->positional[0], "T.func_attr's argument")) {
      // TVM's current spelling of the attribute keys: "tirx.noalias" is "tir.noalias".
      entry.first = chapter_attr_key(entry.first);
      func_->attrs.push_back(entry);
    }
    return nullptr;
  }
  if (callee == "T.evaluate") {
    expect_arguments(*call, 1, 1, {});
    std::optional<CallSyntax> packed = as_call(call->positional[0]);
    if (packed && packed->callee_name == "T.call_packed") return std::make_shared<Evaluate>(exprs_.build_packed_call(*packed), loc);
    return std::make_shared<Evaluate>(exprs_.build(call->positional[0]).expr, loc);
  }
  // TVM's printer writes a call kept for its effect without T.evaluate.
  if (callee == "T.call_packed") return std::make_shared<Evaluate>(exprs_.build_packed_call(*call), loc);
  if (is_tir_statement_name(callee)) fail(loc, callee + "(...) cannot stand alone here");
  if (callee.rfind("T.", 0) == 0) {
    // Build it to report unknown names the usual way; a known value call has no effect.
    exprs_.build(exprs[0]);
    fail(loc, "the value of " + callee + "(...) is unused; wrap it in T.evaluate(...) or store it");
  }
  fail(loc, "'" + (callee.empty() ? std::string("this") : callee) + "' cannot be called in TensorIR; only T. functions can");
}

}  // namespace

PrimFuncPtr build_prim_func(P::FunctionDefContext* def, const PrimFuncOptions& options, Diagnostics& diags) {
  return PrimFuncBuilder(diags).build(def, options);
}

std::set<std::string> type_variables(P::FunctionDefContext* def, const std::set<std::string>& extra) {
  std::set<std::string> names = extra;
  if (P::TypeParametersContext* params = def->typeParameters()) {
    for (P::TypeParameterContext* param : params->typeParameter()) names.insert(param->NAME()->getText());
  }
  return names;
}

}  // namespace relaxc::frontend

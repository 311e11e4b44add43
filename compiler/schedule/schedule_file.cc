#include "compiler/schedule/schedule_file.h"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "compiler/frontend/attr_builder.h"
#include "compiler/ir/tir_build.h"
#include "compiler/frontend/parse.h"
#include "compiler/frontend/syntax.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::frontend;

namespace {

struct Value;
using List = std::vector<Value>;
struct ScheduleObject {};
struct Lambda {
  P::LambdaExprContext* syntax = nullptr;
};
struct Value {
  std::variant<std::monostate, ScheduleObject, BlockRV, LoopRV, int64_t, std::string, List, Lambda> v;
};

// The parameters of each primitive, in order, as TVM's Python API names them.
const std::map<std::string, std::vector<std::string>>& signatures() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"work_on", {"func_name"}},
      {"get_block", {"name", "func_name"}},
      {"get_sblock", {"name", "func_name"}},
      {"get_loops", {"block"}},
      {"get_child_blocks", {"block_or_loop"}},
      {"get_producers", {"block"}},
      {"get_consumers", {"block"}},
      {"split", {"loop", "factors", "preserve_unit_iters", "disable_predication"}},
      {"fuse", {"*loops", "preserve_unit_iters"}},
      {"reorder", {"*ordered_loops"}},
      {"parallel", {"loop"}},
      {"vectorize", {"loop"}},
      {"unroll", {"loop"}},
      {"bind", {"loop", "thread_axis"}},
      {"annotate", {"block_or_loop", "ann_key", "ann_val"}},
      {"compute_at", {"block", "loop", "preserve_unit_loops", "index"}},
      {"reverse_compute_at", {"block", "loop", "preserve_unit_loops", "index"}},
      {"compute_inline", {"block"}},
      {"reverse_compute_inline", {"block"}},
      {"decompose_reduction", {"block", "loop"}},
      {"rfactor", {"loop", "factor_axis"}},
      {"blockize", {"target", "preserve_unit_iters"}},
      {"transform_layout", {"block", "buffer", "index_map", "pad_value", "assume_injective_transform"}},
      {"cache_read", {"block", "read_buffer_index", "storage_scope", "consumer_blocks"}},
      {"cache_write", {"block", "write_buffer_index", "storage_scope", "consumer_blocks"}},
      {"set_scope", {"block", "buffer_index", "storage_scope"}},
      {"storage_align", {"block", "buffer_index", "axis", "factor", "offset"}},
      {"sample_perfect_tile", {"loop", "n", "max_innermost_factor", "decision"}},
      {"enter_postproc", {}},
  };
  return table;
}

class Interpreter {
 public:
  Interpreter(Schedule& sch, const std::string& module_name) : sch_(sch) {
    frames_.emplace_back();
    global("sch") = {ScheduleObject{}};
    global(module_name) = {ScheduleObject{}};  // tvm.tir.Schedule(MyModule), transform(MyModule, ...)
  }

  void run_block(const std::vector<P::StatementContext*>& statements) {
    for (P::StatementContext* statement : statements) {
      if (returned_) break;
      run(statement);
    }
  }

  // The form trace.show() prints defines `apply_trace(sch)` without calling it: run it.
  void run_uncalled_trace() {
    auto it = functions_.find("apply_trace");
    if (it != functions_.end() && !called_.count("apply_trace")) call_function(it->second, {}, {}, loc_of(it->second));
  }

  void run(P::StatementContext* statement) {
    if (auto* simple = statement->simpleStatements()) {
      for (P::SimpleStatementContext* s : simple->simpleStatement()) run_simple(s);
      return;
    }
    P::CompoundStatementContext* compound = statement->compoundStatement();
    P::FunctionDefContext* def = compound->functionDef();
    if (!def && compound->decorated()) def = compound->decorated()->functionDef();
    if (!def) fail(loc_of(compound), "a schedule file holds schedule statements (sch.split(...), ...) and functions of them, not this");
    functions_[def->NAME()->getText()] = def;
  }

 private:
  void run_simple(P::SimpleStatementContext* s) {
    if (dynamic_cast<P::ImportStatementContext*>(s) || dynamic_cast<P::FromImportStatementContext*>(s) || dynamic_cast<P::PassStatementContext*>(s)) return;
    if (auto* ret = dynamic_cast<P::ReturnStatementContext*>(s)) {
      std::vector<P::ExprContext*> values = ret->exprList() ? list_elements(ret->exprList()) : std::vector<P::ExprContext*>{};
      if (values.size() > 1) fail(loc_of(ret), "return one value");
      result_ = values.empty() ? Value{} : eval(values[0]);
      returned_ = true;
      return;
    }
    if (auto* assign = dynamic_cast<P::AssignStatementContext*>(s)) {
      std::vector<P::ExprContext*> targets = list_elements(assign->targets);
      std::vector<P::ExprContext*> values = list_elements(assign->value);
      if (values.size() != 1) fail(loc_of(assign->value), "assign one value, the result of one schedule call");
      Value value = eval(values[0]);
      // `i = ...` binds the value; `i, = ...` and `i, j = ...` unpack a list.
      if (targets.size() == 1 && assign->targets->COMMA().empty()) return bind(targets[0], value);
      const List* items = std::get_if<List>(&value.v);
      if (!items || items->size() != targets.size()) {
        fail(loc_of(assign), "this unpacks " + std::to_string(targets.size()) + " names but the call returns " +
                                 (items ? std::to_string(items->size()) + " values" : std::string("one value")));
      }
      for (size_t i = 0; i < targets.size(); ++i) bind(targets[i], (*items)[i]);
      return;
    }
    if (auto* expression = dynamic_cast<P::ExpressionStatementContext*>(s)) {
      for (P::ExprContext* e : list_elements(expression->exprList())) {
        if (!is_display(e)) eval(e);
      }
      return;
    }
    fail(loc_of(s), "a schedule file holds schedule statements such as `j0, j1 = sch.split(j, factors=[None, 4])`");
  }

  // `sch.mod.show()`, `print(...)`, `IPython.display.Code(...)`, `sch.trace.show()`: output only.
  static bool is_display(P::ExprContext* e) {
    std::optional<CallSyntax> call = as_call(e);
    if (!call) return false;
    const std::string& name = call->callee_name;
    auto ends_with = [&](const std::string& suffix) { return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0; };
    return name == "print" || name == "display" || name.rfind("IPython.", 0) == 0 || ends_with(".show") || ends_with(".script");
  }

  void bind(P::ExprContext* target, const Value& value) {
    std::optional<std::string> name = dotted_name(target);
    if (!name || name->find('.') != std::string::npos) fail(loc_of(target), "assign to a plain name");
    frames_.back()[*name] = value;
  }

  Value eval(P::ExprContext* e) {
    SourceLoc loc = loc_of(e);
    if (std::optional<int64_t> i = integer_literal(e)) return {*i};
    if (std::optional<std::string> s = string_literal(e)) return {*s};
    if (std::optional<bool> b = bool_literal(e)) return {int64_t{*b ? 1 : 0}};
    if (auto* atom = dynamic_cast<P::AtomExprContext*>(strip_parens(e)); atom && dynamic_cast<P::NoneAtomContext*>(atom->atom())) return {};
    if (std::optional<std::vector<P::ExprContext*>> items = sequence_elements(e)) {
      List list;
      for (P::ExprContext* item : *items) list.push_back(eval(item));
      return {list};
    }
    if (std::optional<CallSyntax> call = as_call(e)) return eval_call(*call, loc);
    if (auto* lambda = dynamic_cast<P::LambdaExprContext*>(strip_parens(e))) return {Lambda{lambda}};
    if (auto* sub = dynamic_cast<P::SubscriptExprContext*>(strip_parens(e))) return eval_subscript(sub);
    if (auto* binary = dynamic_cast<P::BinaryExprContext*>(strip_parens(e))) return eval_arithmetic(binary);
    if (std::optional<std::string> name = dotted_name(e)) {
      if (const Value* found = lookup(*name)) return *found;
      // sch.mod, sch.trace: the schedule's own module, which is what relaxc compiles.
      size_t dot = name->find('.');
      const Value* base = dot == std::string::npos ? nullptr : lookup(name->substr(0, dot));
      if (base && std::holds_alternative<ScheduleObject>(base->v)) return *base;
      fail(loc, "name '" + *name + "' is not defined");
    }
    fail(loc, "this expression is not a schedule value (a block, loop, number, string, None or list of them)");
  }

  // Integer arithmetic on tile sizes: nthread = tile_y * tile_x.
  Value eval_arithmetic(P::BinaryExprContext* binary) {
    Value a = eval(binary->expr(0)), b = eval(binary->expr(1));
    const int64_t *x = std::get_if<int64_t>(&a.v), *y = std::get_if<int64_t>(&b.v);
    if (!x || !y) fail(loc_of(binary), "arithmetic here is on integers only");
    int64_t r = 0;
    bool ok = true;
    switch (binary->op->getType()) {
      case P::PLUS: ok = !__builtin_add_overflow(*x, *y, &r); break;
      case P::MINUS: ok = !__builtin_sub_overflow(*x, *y, &r); break;
      case P::STAR: ok = !__builtin_mul_overflow(*x, *y, &r); break;
      case P::DOUBLESLASH:
      case P::PERCENT: {
        if (*y == 0) fail(loc_of(binary), "division by zero");
        int64_t q = *x / *y, m = *x % *y;
        if (m != 0 && ((m < 0) != (*y < 0))) q -= 1, m += *y;  // Python's floor division
        ok = !(*x == INT64_MIN && *y == -1);
        r = binary->op->getType() == P::PERCENT ? m : q;
        break;
      }
      default: fail(loc_of(binary), "only +, -, *, // and % are supported on integers here");
    }
    if (!ok) fail(loc_of(binary), "integer overflow");
    return {r};
  }

  // loops[-1], loops[3:], loops[:2]: Python's indexing of a list of blocks or loops.
  Value eval_subscript(P::SubscriptExprContext* sub) {
    Value base = eval(sub->expr());
    const List* list = std::get_if<List>(&base.v);
    if (!list) fail(loc_of(sub->expr()), "only a list of blocks or loops can be indexed");
    std::vector<P::SubscriptContext*> items = sub->subscripts()->subscript();
    if (items.size() != 1 || items[0]->step) fail(loc_of(sub), "index a list with one integer or one slice, as in loops[-1] or loops[1:]");
    auto index = [&](P::ExprContext* e, int64_t otherwise) -> int64_t {
      if (!e) return otherwise;
      std::optional<int64_t> i = integer_literal(e);
      if (!i) fail(loc_of(e), "an index is an integer");
      int64_t size = static_cast<int64_t>(list->size());
      return *i < 0 ? *i + size : *i;
    };
    int64_t size = static_cast<int64_t>(list->size());
    P::SubscriptContext* item = items[0];
    if (item->COLON().empty()) {
      int64_t i = index(item->expr(0), 0);
      if (i < 0 || i >= size) fail(loc_of(item), "index " + item->getText() + " is out of range for a list of " + std::to_string(size));
      return (*list)[static_cast<size_t>(i)];
    }
    int64_t lo = std::clamp<int64_t>(index(item->lower, 0), 0, size), hi = std::clamp<int64_t>(index(item->upper, size), 0, size);
    return {List(list->begin() + lo, list->begin() + std::max(lo, hi))};
  }

  Value eval_call(const CallSyntax& call, SourceLoc loc) {
    const std::string& name = call.callee_name;
    // `sch = tvm.tir.Schedule(MyModule)`: the schedule of the module relaxc compiles.
    if (name.size() >= 9 && name.compare(name.size() - 9, 9, ".Schedule") == 0) return {ScheduleObject{}};
    if (auto fn = functions_.find(name); fn != functions_.end()) return call_function(fn->second, call.positional, call.keywords, loc);
    size_t dot = name.rfind('.');
    const Value* receiver = dot == std::string::npos ? nullptr : lookup(name.substr(0, dot));
    if (!receiver || !std::holds_alternative<ScheduleObject>(receiver->v)) {
      fail(loc, "'" + (name.empty() ? std::string("this") : name) + "' is not a schedule primitive; call them on the schedule, as in sch.split(...)");
    }
    std::string method = name.substr(dot + 1);
    auto sig = signatures().find(method);
    if (sig == signatures().end()) fail(loc_of(call.callee), "sch." + method + " is not a schedule primitive relaxc has");
    Arguments args = bind_arguments(call, method, sig->second);
    try {
      return apply(method, args, loc);
    } catch (const UnknownFunctionError& e) {
      throw UnknownFunctionInFile(loc, e.what());
    } catch (const ScheduleError& e) {
      throw CompileError(loc, e.what());
    }
  }

  struct Arguments {
    std::map<std::string, std::pair<Value, SourceLoc>> named;
    std::map<std::string, P::ExprContext*> syntax;  // as written, for annotate's value
    List rest;  // *loops
    std::string method;
    bool has(const std::string& n) const { return named.count(n) != 0; }
  };

  Arguments bind_arguments(const CallSyntax& call, const std::string& method, const std::vector<std::string>& params) {
    Arguments args;
    args.method = method;
    size_t next = 0;
    for (P::ExprContext* arg : call.positional) {
      if (next < params.size() && params[next][0] == '*') {
        Value v = eval(arg);
        // sch.reorder(*loops) or sch.reorder(l1, l2)
        if (const List* list = std::get_if<List>(&v.v)) args.rest.insert(args.rest.end(), list->begin(), list->end());
        else args.rest.push_back(v);
        continue;
      }
      if (next >= params.size()) fail(loc_of(arg), "sch." + method + " takes at most " + std::to_string(params.size()) + " arguments");
      args.syntax[params[next]] = arg;
      args.named[params[next++]] = {eval(arg), loc_of(arg)};
    }
    for (size_t i = 0; i < call.keywords.size(); ++i) {
      const auto& [key, value] = call.keywords[i];
      bool known = std::find(params.begin(), params.end(), key) != params.end();
      if (!known) fail(call.keyword_locs[i], "sch." + method + "() got an unexpected keyword argument '" + key + "'");
      args.syntax[key] = value;
      args.named[key] = {eval(value), call.keyword_locs[i]};
    }
    return args;
  }

  Value apply(const std::string& method, const Arguments& args, SourceLoc loc);

  // sch.transform_layout(block, ("write", 0), lambda i, j: (i // 4, j, i % 4)).
  void transform_layout(const Arguments& args, SourceLoc loc) {
    BlockRV block = need<BlockRV>(args, "block", "a block", loc);
    const List which = need<List>(args, "buffer", "(\"read\", index) or (\"write\", index)", loc);
    SourceLoc at = args.named.at("buffer").second;
    const std::string* kind = which.size() == 2 ? std::get_if<std::string>(&which[0].v) : nullptr;
    const int64_t* index = which.size() == 2 ? std::get_if<int64_t>(&which[1].v) : nullptr;
    if (!kind || !index || (*kind != "read" && *kind != "write")) fail(at, "give the buffer as (\"read\", index) or (\"write\", index)");
    if (args.has("pad_value") && !std::holds_alternative<std::monostate>(args.named.at("pad_value").first.v)) {
      fail(args.named.at("pad_value").second, "sch.transform_layout(pad_value=...) is not supported: the index map must be one to one");
    }
    P::LambdaExprContext* lambda = need<Lambda>(args, "index_map", "a lambda, as in lambda i, j: (i // 4, j, i % 4)", loc).syntax;
    std::vector<std::string> params;
    for (antlr4::tree::TerminalNode* name : lambda->NAME()) params.push_back(name->getText());
    P::ExprContext* body = lambda->expr();
    std::vector<P::ExprContext*> outputs = sequence_elements(body).value_or(std::vector<P::ExprContext*>{body});
    IndexMap map;
    map.inputs = params.size();
    map.apply = [this, params, outputs](const std::vector<tir::Expr>& indices) {
      std::map<std::string, tir::Expr> names;
      for (size_t i = 0; i < params.size() && i < indices.size(); ++i) names[params[i]] = indices[i];
      DataType dtype = indices.empty() ? DataType::Int64 : indices[0]->dtype;
      std::vector<tir::Expr> out;
      for (P::ExprContext* e : outputs) out.push_back(index_expr(e, names, dtype));
      return out;
    };
    std::vector<tir::Expr> probe;
    for (size_t i = 0; i < params.size(); ++i) probe.push_back(tir::build::var_ref(tir::build::fresh(params[i], DataType::Int64, loc)));
    map.apply(probe);  // any unsupported syntax fails here, at its place
    sch_.transform_layout(block, *index, *kind == "write", map);
  }

  tir::Expr index_expr(P::ExprContext* e, const std::map<std::string, tir::Expr>& names, DataType dtype) {
    if (std::optional<int64_t> i = integer_literal(e)) return tir::build::imm(*i, dtype, loc_of(e));
    if (std::optional<std::string> name = dotted_name(e)) {
      auto it = names.find(*name);
      if (it == names.end()) fail(loc_of(e), "'" + *name + "' is not an argument of the index map");
      return it->second;
    }
    auto* binary = dynamic_cast<P::BinaryExprContext*>(strip_parens(e));
    if (!binary) fail(loc_of(e), "an index map is integer arithmetic (+, -, *, //, %) of its arguments");
    static const std::map<size_t, tir::BinaryOp> ops = {{P::PLUS, tir::BinaryOp::Add}, {P::MINUS, tir::BinaryOp::Sub}, {P::STAR, tir::BinaryOp::Mul},
                                                        {P::DOUBLESLASH, tir::BinaryOp::FloorDiv}, {P::PERCENT, tir::BinaryOp::FloorMod}};
    auto op = ops.find(binary->op->getType());
    if (op == ops.end()) fail(loc_of(binary), "an index map is integer arithmetic (+, -, *, //, %) of its arguments");
    return tir::build::arith(op->second, index_expr(binary->expr(0), names, dtype), index_expr(binary->expr(1), names, dtype));
  }

  static std::string kind_of(const Value& v) {
    static const char* names[] = {"None", "the schedule", "a block", "a loop", "an integer", "a string", "a list", "a lambda"};
    return names[v.v.index()];
  }

  template <typename T>
  T need(const Arguments& args, const std::string& key, const char* kind, SourceLoc loc) {
    auto it = args.named.find(key);
    if (it == args.named.end()) fail(loc, "sch." + args.method + " is missing its argument '" + key + "'");
    const T* value = std::get_if<T>(&it->second.first.v);
    if (!value) fail(it->second.second, "sch." + args.method + "'s argument '" + key + "' must be " + kind + ", not " + kind_of(it->second.first));
    return *value;
  }

  bool flag(const Arguments& args, const std::string& key, bool otherwise, SourceLoc loc) {
    return args.has(key) ? need<int64_t>(args, key, "True or False", loc) != 0 : otherwise;
  }

  void annotate(const Arguments& args, SourceLoc loc) {
    std::string key = need<std::string>(args, "ann_key", "a string key", loc);
    auto it = args.syntax.find("ann_val");
    if (it == args.syntax.end()) fail(loc, "missing argument 'ann_val'");
    AttrValuePtr value = build_attr_value(it->second);
    auto target = args.named.find("block_or_loop");
    if (target == args.named.end()) fail(loc, "missing argument 'block_or_loop'");
    if (const LoopRV* l = std::get_if<LoopRV>(&target->second.first.v)) return sch_.annotate(*l, key, value);
    sch_.annotate(need<BlockRV>(args, "block_or_loop", "a block or a loop", loc), key, value);
  }

  std::vector<LoopRV> loops_of(const List& list, SourceLoc loc) {
    std::vector<LoopRV> out;
    for (const Value& v : list) {
      const LoopRV* loop = std::get_if<LoopRV>(&v.v);
      if (!loop) fail(loc, "expected loops here");
      out.push_back(*loop);
    }
    return out;
  }

  static Value of_blocks(const std::vector<BlockRV>& blocks) {
    List list;
    for (const BlockRV& b : blocks) list.push_back({b});
    return {list};
  }
  static Value of_loops(const std::vector<LoopRV>& loops) {
    List list;
    for (const LoopRV& l : loops) list.push_back({l});
    return {list};
  }

  // A function of the file called with these arguments: parameters bound in a new frame,
  // defaults where not given; the value of its `return`.
  Value call_function(P::FunctionDefContext* def, const std::vector<P::ExprContext*>& positional,
                      const std::vector<std::pair<std::string, P::ExprContext*>>& keywords, SourceLoc loc) {
    if (frames_.size() > 64) fail(loc, "functions call each other more than 64 deep");
    std::string name = def->NAME()->getText();
    called_.insert(name);
    std::vector<P::ParameterContext*> params = def->parameters() ? def->parameters()->parameter() : std::vector<P::ParameterContext*>{};
    if (positional.size() > params.size()) fail(loc, name + "() takes " + std::to_string(params.size()) + " arguments but " + std::to_string(positional.size()) + " were given");
    std::map<std::string, Value> frame;
    for (size_t i = 0; i < positional.size(); ++i) frame[params[i]->NAME()->getText()] = eval(positional[i]);
    for (const auto& [key, value] : keywords) {
      const std::string& keyword = key;  // a lambda may capture a structured binding only from C++20
      bool known = std::any_of(params.begin(), params.end(), [&](P::ParameterContext* p) { return p->NAME()->getText() == keyword; });
      if (!known) fail(loc_of(value), name + "() got an unexpected keyword argument '" + key + "'");
      frame[key] = eval(value);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      std::string param = params[i]->NAME()->getText();
      if (frame.count(param)) continue;
      // apply_trace(sch) run by itself: its one parameter is the schedule.
      if (params[i]->value) frame[param] = eval(params[i]->value);
      else if (name == "apply_trace" && i == 0) frame[param] = {ScheduleObject{}};
      else fail(loc, name + "() is missing its argument '" + param + "'");
    }
    frames_.push_back(std::move(frame));
    P::BlockContext* body = def->block();
    if (body->simpleStatements()) {
      for (P::SimpleStatementContext* s : body->simpleStatements()->simpleStatement()) {
        if (!returned_) run_simple(s);
      }
    } else {
      run_block(body->statement());
    }
    frames_.pop_back();
    Value result = returned_ ? result_ : Value{};
    returned_ = false;
    result_ = Value{};
    return result;
  }

  Value& global(const std::string& name) { return frames_.front()[name]; }
  const Value* lookup(const std::string& name) const {
    for (const auto* frame : {&frames_.back(), &frames_.front()}) {
      auto it = frame->find(name);
      if (it != frame->end()) return &it->second;
    }
    return nullptr;
  }

  Schedule& sch_;
  std::vector<std::map<std::string, Value>> frames_;  // globals, then the calls under way
  std::map<std::string, P::FunctionDefContext*> functions_;
  std::set<std::string> called_;
  bool returned_ = false;
  Value result_;
};

Value Interpreter::apply(const std::string& method, const Arguments& args, SourceLoc loc) {
  auto block = [&](const std::string& key) { return need<BlockRV>(args, key, "a block", loc); };
  auto loop = [&](const std::string& key) { return need<LoopRV>(args, key, "a loop", loc); };
  if (method == "work_on") return sch_.work_on(need<std::string>(args, "func_name", "a function name", loc)), Value{};
  if (method == "get_block" || method == "get_sblock") {
    std::optional<std::string> func;
    if (args.has("func_name")) func = need<std::string>(args, "func_name", "a function name", loc);
    return {sch_.get_block(need<std::string>(args, "name", "a block name", loc), func)};
  }
  if (method == "get_loops") return of_loops(sch_.get_loops(block("block")));
  if (method == "get_child_blocks") {
    const Value& target = args.named.count("block_or_loop") ? args.named.at("block_or_loop").first : Value{};
    if (const LoopRV* l = std::get_if<LoopRV>(&target.v)) return of_blocks(sch_.get_child_blocks(*l));
    return of_blocks(sch_.get_child_blocks(block("block_or_loop")));
  }
  if (method == "get_producers") return of_blocks(sch_.get_producers(block("block")));
  if (method == "get_consumers") return of_blocks(sch_.get_consumers(block("block")));
  if (method == "split") {
    const List factors = need<List>(args, "factors", "a list of factors, one of them may be None", loc);
    std::vector<std::optional<int64_t>> values;
    for (const Value& f : factors) {
      if (std::holds_alternative<std::monostate>(f.v)) values.push_back(std::nullopt);
      else if (const int64_t* i = std::get_if<int64_t>(&f.v)) values.push_back(*i);
      else fail(args.named.at("factors").second, "a factor is an integer or None");
    }
    return of_loops(sch_.split(loop("loop"), values, flag(args, "preserve_unit_iters", true, loc)));
  }
  if (method == "fuse") return {sch_.fuse(loops_of(args.rest, loc), flag(args, "preserve_unit_iters", true, loc))};
  if (method == "reorder") return sch_.reorder(loops_of(args.rest, loc)), Value{};
  if (method == "parallel") return sch_.parallel(loop("loop")), Value{};
  if (method == "vectorize") return sch_.vectorize(loop("loop")), Value{};
  if (method == "unroll") return sch_.unroll(loop("loop")), Value{};
  if (method == "bind") return sch_.bind(loop("loop"), need<std::string>(args, "thread_axis", "a thread axis such as \"threadIdx.x\"", loc)), Value{};
  if (method == "annotate") return annotate(args, loc), Value{};
  bool preserve = flag(args, "preserve_unit_loops", false, loc);
  if (method == "compute_at") return sch_.compute_at(block("block"), loop("loop"), preserve), Value{};
  if (method == "reverse_compute_at") return sch_.reverse_compute_at(block("block"), loop("loop"), preserve), Value{};
  if (method == "compute_inline") return sch_.compute_inline(block("block")), Value{};
  if (method == "reverse_compute_inline") return sch_.reverse_compute_inline(block("block")), Value{};
  if (method == "decompose_reduction") return {sch_.decompose_reduction(block("block"), loop("loop"))};
  auto integer = [&](const std::string& key) { return need<int64_t>(args, key, "an integer", loc); };
  if (method == "rfactor") return {sch_.rfactor(loop("loop"), integer("factor_axis"))};
  if (method == "transform_layout") return transform_layout(args, loc), Value{};
  if (method == "blockize") {
    if (!flag(args, "preserve_unit_iters", true, loc)) fail(args.named.at("preserve_unit_iters").second, "sch.blockize(preserve_unit_iters=False) is not supported");
    return {sch_.blockize(need<LoopRV>(args, "target", "a loop (blockize of a list of blocks is not supported)", loc))};
  }
  auto scope = [&]() { return need<std::string>(args, "storage_scope", "a storage scope such as \"shared\"", loc); };
  if ((method == "cache_read" || method == "cache_write") && args.has("consumer_blocks")) {
    fail(args.named.at("consumer_blocks").second, "sch." + method + "(consumer_blocks=...) is not supported: every consumer reads the cache");
  }
  if (method == "cache_read") return {sch_.cache_read(block("block"), integer("read_buffer_index"), scope())};
  if (method == "cache_write") return {sch_.cache_write(block("block"), integer("write_buffer_index"), scope())};
  if (method == "set_scope") return sch_.set_scope(block("block"), integer("buffer_index"), scope()), Value{};
  if (method == "storage_align") {
    return sch_.storage_align(block("block"), integer("buffer_index"), integer("axis"), integer("factor"), integer("offset")), Value{};
  }
  if (method == "sample_perfect_tile") {
    // A trace replays the sampled decision: the factors it chose.
    if (!args.has("decision")) fail(loc, "sch.sample_perfect_tile needs decision=[...] (the factors a trace recorded); relaxc does not sample");
    return {need<List>(args, "decision", "a list of factors", loc)};
  }
  return {};  // enter_postproc: a marker in traces
}

}  // namespace

Module apply_schedule_file(const Module& module, const SourceFile& file, std::set<std::string>* scheduled) {
  ParsedFile parsed = ParsedFile::parse(file);
  auto* root = dynamic_cast<P::FileContext*>(parsed.tree());
  Schedule sch(module);
  Interpreter interpreter(sch, module.name);
  interpreter.run_block(root->statement());
  interpreter.run_uncalled_trace();
  if (scheduled) *scheduled = sch.scheduled_functions();
  return sch.module();
}

}  // namespace relaxc::schedule

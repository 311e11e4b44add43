#include "compiler/frontend/build_module.h"

#include "compiler/frontend/attr_builder.h"
#include "compiler/support/base64.h"

#include <map>
#include <set>

#include "compiler/frontend/build_prim_func.h"
#include "compiler/frontend/build_relax_function.h"
#include "compiler/frontend/statement_reader.h"
#include "compiler/frontend/statement_source.h"
#include "compiler/frontend/parse.h"
#include "compiler/frontend/syntax.h"
#include "compiler/ir/tvm_metadata.h"

namespace relaxc {

using namespace frontend;

namespace {

enum class FunctionKind { Prim, Relax };

struct FunctionSyntax {
  P::FunctionDefContext* def;
  FunctionKind kind;
  bool is_pure = true;
  bool is_private = false;
  bool s_tir = false;  // @T.prim_func(s_tir=True): TVM's current spelling of block-based TensorIR
};

bool bool_keyword(P::ExprContext* value) {
  std::optional<bool> boolean = bool_literal(value);
  if (!boolean) fail(loc_of(value), "expected True or False");
  return *boolean;
}

FunctionSyntax function_syntax(P::DecoratedContext* decorated) {
  if (decorated->decorator().size() != 1) {
    fail(loc_of(decorated->decorator(1)), "a function takes exactly one decorator: @T.prim_func or @R.function");
  }
  P::ExprContext* decorator = decorated->decorator(0)->expr();
  std::optional<CallSyntax> call = as_call(decorator);
  std::string name = call ? call->callee_name : dotted_name(decorator).value_or("");
  FunctionSyntax out{decorated->functionDef(), FunctionKind::Prim};
  if (name == "T.prim_func") {
    if (call) {
      // persistent= asks a GPU kernel to stay resident; it does not change what the CPU computes.
      expect_arguments(*call, 0, 0, {"private", "check_well_formed", "s_tir", "persistent"});
      if (P::ExprContext* priv = call->keyword("private")) out.is_private = bool_keyword(priv);
      if (P::ExprContext* s_tir = call->keyword("s_tir")) out.s_tir = bool_keyword(s_tir);
    }
    return out;
  }
  if (name == "R.function") {
    out.kind = FunctionKind::Relax;
    if (call) {
      expect_arguments(*call, 0, 0, {"pure", "private", "check_well_formed"});
      if (P::ExprContext* pure = call->keyword("pure")) out.is_pure = bool_keyword(pure);
      if (P::ExprContext* priv = call->keyword("private")) out.is_private = bool_keyword(priv);
    }
    return out;
  }
  fail(loc_of(decorator), "unsupported decorator '@" + (name.empty() ? decorator->getText() : name) +
                              "'; a function is @T.prim_func or @R.function" +
                              did_you_mean(name, {"T.prim_func", "R.function"}));
}

// `@I.ir_module`, or `@I.ir_module(s_tir=True, check_well_formed=False)`: the arguments only
// choose which of TVM's well-formedness checks runs.
bool is_module_decorator(P::ExprContext* decorator) {
  std::optional<CallSyntax> call = as_call(decorator);
  std::optional<std::string> name = call ? std::optional<std::string>(call->callee_name) : dotted_name(decorator);
  if (!name || (*name != "I.ir_module" && *name != "tvm.script.ir_module")) return false;
  if (call) {
    expect_arguments(*call, 0, 0, {"s_tir", "check_well_formed"});
    for (const auto& [key, value] : call->keywords) bool_keyword(value);
  }
  return true;
}

void check_import(antlr4::ParserRuleContext* stmt) {
  std::string module;
  if (auto* plain = dynamic_cast<P::ImportStatementContext*>(stmt)) module = plain->dottedName()->getText();
  if (auto* from = dynamic_cast<P::FromImportStatementContext*>(stmt)) module = from->dottedName()->getText();
  std::string root = module.substr(0, module.find('.'));
  // TVM's current printer may start with `from __future__ import annotations` and
  // `from typing import TypeVar`.
  if (root != "tvm" && root != "numpy" && root != "__future__" && root != "typing") {
    fail(loc_of(stmt), "import of '" + module + "' is not supported; only tvm, numpy, typing and __future__ imports are accepted (and ignored)");
  }
}

// Builds the module as the statement reader hands it over, a statement at a time. A prim_func
// is built as soon as it is read and its parse tree dropped; a Relax function needs the names
// of every function of the module (which of `cls.f` are prim_funcs), so it is built at the end,
// read again a statement at a time, or from its tree when it came inside a larger statement.
class ModuleBuilder {
 public:
  ModuleBuilder(std::string_view text, Diagnostics& diags) : text_(text), diags_(diags) {}

  // A statement at the top of the file, or (`in_class`) of the opened module class's body.
  void add(ReadStatement read, bool in_class) {
    keep_current_tree_ = false;
    auto* file = dynamic_cast<P::FileContext*>(read.parsed.tree());
    if (file == nullptr) throw CompileError({}, "internal error: a statement read is not a file");
    const ParsedFile::Piece* piece = file->statement().size() == 1 && !read.opened ? &read.piece : nullptr;
    for (P::StatementContext* stmt : file->statement()) {
      if (in_class) {
        add_class_member(stmt, piece);
      } else {
        add_top_level(stmt, piece);
      }
    }
    if (keep_current_tree_) kept_trees_.push_back(std::move(read.parsed));
  }

  Module finish() {
    if (function_count_ == 0) {
      fail(saw_class_ ? module_.loc : SourceLoc{1, 1}, saw_class_ ? "module '" + module_.name + "' has no functions"
                                                                : "no module found: expected a class decorated with @I.ir_module, or @T.prim_func / @R.function functions");
    }
    for (const DeferredRelax& deferred : deferred_) build_deferred(deferred);
    return std::move(module_);
  }

 private:
  // A Relax function to build once every function's name is known: from its tree when
  // `syntax.def` is set (kept alive in kept_trees_), else from `piece` read again.
  struct DeferredRelax {
    FunctionSyntax syntax;
    std::optional<ParsedFile::Piece> piece;
  };

  void add_top_level(P::StatementContext* stmt, const ParsedFile::Piece* piece) {
    if (P::SimpleStatementsContext* simple = stmt->simpleStatements()) {
      for (P::SimpleStatementContext* s : simple->simpleStatement()) add_top_level_simple(s);
      return;
    }
    P::CompoundStatementContext* compound = stmt->compoundStatement();
    P::DecoratedContext* decorated = compound->decorated();
    if (decorated == nullptr) {
      if (compound->classDef()) fail(loc_of(compound), "a module class needs the decorator @I.ir_module");
      if (compound->functionDef()) fail(loc_of(compound), "a function needs a decorator: @T.prim_func or @R.function");
      fail(loc_of(compound), "only imports and one module may stand at the top level");
    }
    if (P::ClassDefContext* cls = decorated->classDef()) {
      start_class(decorated->decorator(), loc_of(cls), cls->NAME(), cls->arguments());
      collect_class_functions(cls);
      return;
    }
    if (saw_class_) fail(loc_of(decorated), "a file holds either a module class or top-level functions, not both");
    add_function(decorated, piece);
  }

  void add_top_level_simple(P::SimpleStatementContext* s) {
    if (auto* assign = dynamic_cast<P::AssignStatementContext*>(s); assign && assign->targets->expr().size() == 1 && dotted_name(assign->targets->expr(0)) == std::optional<std::string>("metadata")) {
      if (saw_metadata_) fail(loc_of(s), "metadata is defined twice");
      saw_metadata_ = true;
      module_.constants = build_metadata(assign);
      return;
    }
    if (auto* assign = dynamic_cast<P::AssignStatementContext*>(s); assign && is_type_var_declaration(assign)) {
      if (saw_class_ || function_count_ > 0) fail(loc_of(s), "TypeVar declarations must come before the module");
      type_vars_.insert(*dotted_name(assign->targets->expr(0)));
      return;
    }
    if (dynamic_cast<P::ImportStatementContext*>(s) || dynamic_cast<P::FromImportStatementContext*>(s)) {
      if (saw_class_ || function_count_ > 0) fail(loc_of(s), "imports must come before the module");
      check_import(s);
      return;
    }
    fail(loc_of(s), "only imports and one module (a class decorated with @I.ir_module, or decorated functions) may stand at the top level");
  }

  void start_class(const std::vector<P::DecoratorContext*>& decorators, SourceLoc class_loc,
                   antlr4::tree::TerminalNode* name, P::ArgumentsContext* arguments) {
    if (decorators.size() != 1 || !is_module_decorator(decorators[0]->expr())) {
      fail(loc_of(decorators[0]), "a module class takes exactly one decorator, @I.ir_module (or @tvm.script.ir_module)");
    }
    if (saw_class_) fail(class_loc, "a file holds one module; this is a second one");
    if (function_count_ > 0) fail(class_loc, "a file holds either a module class or top-level functions, not both");
    saw_class_ = true;
    module_.name = name->getText();
    module_.loc = loc_of(name->getSymbol());
    relax_options_.module_class = module_.name;
    if (arguments) fail(loc_of(arguments), "a module class has no base classes");
  }

  // A class read whole (one without a decorator, or written on one line): its functions' trees
  // are kept until the end.
  void collect_class_functions(P::ClassDefContext* cls) {
    for (antlr4::ParserRuleContext* item : statements_of(cls->block())) add_class_item(item, nullptr);
  }

  void add_class_member(P::StatementContext* stmt, const ParsedFile::Piece* piece) {
    if (P::SimpleStatementsContext* simple = stmt->simpleStatements()) {
      for (P::SimpleStatementContext* s : simple->simpleStatement()) add_class_item(s, nullptr);
      return;
    }
    add_class_item(stmt->compoundStatement(), piece);
  }

  void add_class_item(antlr4::ParserRuleContext* item, const ParsedFile::Piece* piece) {
    auto* compound = dynamic_cast<P::CompoundStatementContext*>(item);
    if (compound == nullptr) {
      if (dynamic_cast<P::PassStatementContext*>(item)) return;
      fail(loc_of(item), "a module class holds only @T.prim_func and @R.function definitions");
    }
    if (compound->decorated() && compound->decorated()->functionDef()) {
      add_function(compound->decorated(), piece);
      return;
    }
    if (compound->functionDef()) fail(loc_of(compound), "a function needs a decorator: @T.prim_func or @R.function");
    fail(loc_of(compound), "a module class holds only @T.prim_func and @R.function definitions");
  }

  // `piece` is where the function alone can be read again; null when it shares its piece.
  void add_function(P::DecoratedContext* decorated, const ParsedFile::Piece* piece) {
    FunctionSyntax f = function_syntax(decorated);
    std::string name = f.def->NAME()->getText();
    SourceLoc loc = loc_of(f.def->NAME()->getSymbol());
    if (auto seen = seen_.find(name); seen != seen_.end()) {
      fail(loc, "function '" + name + "' is already defined at line " + std::to_string(seen->second.line));
    }
    seen_[name] = loc;
    ++function_count_;
    if (f.kind == FunctionKind::Prim) {
      relax_options_.prim_funcs.insert(name);
      module_.prim_funcs.push_back(build_prim_func(f.def, {f.is_private, f.s_tir, type_vars_}, diags_));
      return;
    }
    relax_options_.relax_functions.insert(name);
    if (piece) {
      f.def = nullptr;
      deferred_.push_back({f, *piece});
    } else {
      keep_current_tree_ = true;
      deferred_.push_back({f, std::nullopt});
    }
  }

  void build_deferred(const DeferredRelax& deferred) {
    FunctionSyntax f = deferred.syntax;
    RelaxFunctionOptions options = relax_options_;
    options.is_pure = f.is_pure;
    options.is_private = f.is_private;
    options.type_vars = type_vars_;
    if (!deferred.piece) {
      module_.functions.push_back(build_relax_function(f.def, options, diags_));
      return;
    }
    // Read again with the function and its `with R.dataflow():` opened: a statement at a time.
    StatementReader reader(text_, *deferred.piece, OpenPolicy{false, true, true});
    std::optional<ReadStatement> head = reader.next();
    auto* file = head ? dynamic_cast<P::FileContext*>(head->parsed.tree()) : nullptr;
    P::CompoundStatementContext* compound = file && file->statement().size() == 1 ? file->statement(0)->compoundStatement() : nullptr;
    if (compound == nullptr || compound->decorated() == nullptr || compound->decorated()->functionDef() == nullptr) {
      throw CompileError({}, "internal error: a function read again is not the function read before");
    }
    f.def = compound->decorated()->functionDef();
    ReadStatements opened(reader);
    TreeStatements whole(f.def->block());
    module_.functions.push_back(build_relax_function(f.def, head->opened ? static_cast<StatementSource&>(opened) : whole, options, diags_));
  }

  // `n = TypeVar("n")`: TVM's current printer declaring a symbolic size for the signatures.
  static bool is_type_var_declaration(P::AssignStatementContext* assign) {
    if (assign->targets->expr().size() != 1 || assign->value->expr().size() != 1) return false;
    std::optional<std::string> name = dotted_name(assign->targets->expr(0));
    std::optional<CallSyntax> call = as_call(assign->value->expr(0));
    if (!name || !call || (call->callee_name != "TypeVar" && call->callee_name != "typing.TypeVar")) return false;
    expect_arguments(*call, 1, 1, {});
    if (string_literal(call->positional[0]) != name) fail(loc_of(call->positional[0]), "TypeVar's name must be the variable's, as in n = TypeVar(\"n\")");
    return true;
  }

  std::set<std::string> type_vars_;

  // `metadata = {"relax.expr.Constant": [{"dtype": ..., "shape": (...), "data": "<base64>"}, ...]}`,
  // as relaxc --show-meta prints it.
  std::vector<ConstantTensor> build_metadata(P::AssignStatementContext* assign) {
    if (std::optional<CallSyntax> call = as_call(assign->value->expr(0)); call && call->callee_name == "tvm.ir.load_json") {
      return build_tvm_metadata(*call);
    }
    AttrValuePtr root = build_attr_value(assign->value->expr(0));
    auto expect = [](bool ok, const AttrValue& at, const std::string& what) {
      if (!ok) fail(at.loc, "metadata: expected " + what);
    };
    auto field = [&](const AttrValue& dict, const std::string& key) -> const AttrValue& {
      for (const auto& [name, value] : dict.entries) {
        if (name == key) return *value;
      }
      fail(dict.loc, "metadata: a constant needs \"" + key + "\"");
    };
    expect(root->kind == AttrValue::Kind::Dict, *root, "a dict such as {\"relax.expr.Constant\": [...]}");
    std::vector<ConstantTensor> constants;
    for (const auto& [kind, list] : root->entries) {
      if (kind != "relax.expr.Constant") fail(list->loc, "metadata: only \"relax.expr.Constant\" entries are supported, not \"" + kind + "\"");
      expect(list->kind == AttrValue::Kind::List, *list, "a list of constants");
      for (const AttrValuePtr& item : list->items) {
        expect(item->kind == AttrValue::Kind::Dict, *item, "{\"dtype\": ..., \"shape\": (...), \"data\": \"<base64>\"}");
        ConstantTensor tensor;
        const AttrValue& dtype = field(*item, "dtype");
        std::optional<DataType> parsed = dtype.kind == AttrValue::Kind::String ? parse_dtype(dtype.string_value) : std::nullopt;
        if (!parsed || *parsed == DataType::Void || *parsed == DataType::Handle) fail(dtype.loc, "metadata: expected a dtype such as \"float32\"");
        tensor.dtype = *parsed;
        const AttrValue& shape = field(*item, "shape");
        expect(shape.kind == AttrValue::Kind::List, shape, "a shape tuple");
        uint64_t count = 1;
        for (const AttrValuePtr& dim : shape.items) {
          expect(dim->kind == AttrValue::Kind::Int && dim->int_value >= 0 && dim->int_value < (int64_t{1} << 40), *dim, "a non-negative dimension");
          tensor.shape.push_back(dim->int_value);
          count *= static_cast<uint64_t>(dim->int_value);
          expect(count < (uint64_t{1} << 40), *dim, "a shape of fewer than 2^40 elements");
        }
        const AttrValue& data = field(*item, "data");
        std::optional<std::string> bytes = data.kind == AttrValue::Kind::String ? base64_decode(data.string_value) : std::nullopt;
        if (!bytes) fail(data.loc, "metadata: expected the tensor's bytes in base64");
        uint64_t want = count * static_cast<uint64_t>(std::max(1, dtype_bits(tensor.dtype) / 8));
        if (bytes->size() != want) {
          fail(data.loc, "metadata: the data holds " + std::to_string(bytes->size()) + " bytes but shape and dtype need " + std::to_string(want));
        }
        tensor.bytes = std::move(*bytes);
        constants.push_back(std::move(tensor));
      }
    }
    return constants;
  }

  // `metadata = tvm.ir.load_json("""...""")`, as TVM prints it with show_meta=True.
  std::vector<ConstantTensor> build_tvm_metadata(const CallSyntax& call) {
    expect_arguments(call, 1, 1, {});
    std::optional<std::string> json = string_literal(call.positional[0]);
    if (!json) fail(loc_of(call.positional[0]), "tvm.ir.load_json takes the JSON text as a string");
    std::string error;
    std::vector<ConstantTensor> constants = read_tvm_metadata(*json, error);
    if (!error.empty()) fail(loc_of(call.positional[0]), "metadata: " + error);
    return constants;
  }

  std::string_view text_;
  Diagnostics& diags_;
  Module module_;
  bool saw_class_ = false, saw_metadata_ = false;
  size_t function_count_ = 0;
  std::map<std::string, SourceLoc> seen_;  // every function's name, where it is defined
  RelaxFunctionOptions relax_options_;     // the module's functions, by kind
  std::vector<DeferredRelax> deferred_;
  std::vector<ParsedFile> kept_trees_;  // pieces holding Relax functions built from their trees
  bool keep_current_tree_ = false;
};

}  // namespace

std::optional<Module> parse_module(const SourceFile& file, Diagnostics& diags, bool keep_after_errors) {
  try {
    check_utf8(file.text());
    // The reader outlives the builder: the trees the builder keeps refer to the reader's text.
    StatementReader reader(file.text(), OpenPolicy{/*module_classes=*/true});
    ModuleBuilder builder(file.text(), diags);
    size_t errors_before = diags.error_count();
    bool in_class = false;
    for (;;) {
      std::optional<ReadStatement> read = reader.next();
      if (!read) {
        if (reader.at_end()) break;
        in_class = false;  // the end of the module class's body
        continue;
      }
      bool opened = read->opened;  // only a module class is opened
      builder.add(std::move(*read), in_class);
      in_class = in_class || opened;
    }
    Module module = builder.finish();
    // Errors the builder reported and went on after (unknown operators, bad attributes).
    if (diags.error_count() > errors_before && !keep_after_errors) return std::nullopt;
    return module;
  } catch (const CompileError& error) {
    diags.error(error.loc(), error.message());
    return std::nullopt;
  }
}

}  // namespace relaxc

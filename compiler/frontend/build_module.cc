#include "compiler/frontend/build_module.h"

#include "compiler/frontend/attr_builder.h"
#include "compiler/support/base64.h"

#include <set>

#include "compiler/frontend/build_prim_func.h"
#include "compiler/frontend/build_relax_function.h"
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

class ModuleBuilder {
 public:
  explicit ModuleBuilder(Diagnostics& diags) : diags_(diags) {}

  Module build(P::FileContext* file) {
    Module module;
    std::vector<FunctionSyntax> functions;
    bool saw_class = false, saw_metadata = false;
    for (P::StatementContext* stmt : file->statement()) {
      if (P::SimpleStatementsContext* simple = stmt->simpleStatements()) {
        for (P::SimpleStatementContext* s : simple->simpleStatement()) {
          if (auto* assign = dynamic_cast<P::AssignStatementContext*>(s); assign && assign->targets->expr().size() == 1 && dotted_name(assign->targets->expr(0)) == std::optional<std::string>("metadata")) {
            if (saw_metadata) fail(loc_of(s), "metadata is defined twice");
            saw_metadata = true;
            module.constants = build_metadata(assign);
            continue;
          }
          if (auto* assign = dynamic_cast<P::AssignStatementContext*>(s); assign && is_type_var_declaration(assign)) {
            if (saw_class || !functions.empty()) fail(loc_of(s), "TypeVar declarations must come before the module");
            type_vars_.insert(*dotted_name(assign->targets->expr(0)));
            continue;
          }
          if (dynamic_cast<P::ImportStatementContext*>(s) || dynamic_cast<P::FromImportStatementContext*>(s)) {
            if (saw_class || !functions.empty()) fail(loc_of(s), "imports must come before the module");
            check_import(s);
            continue;
          }
          fail(loc_of(s), "only imports and one module (a class decorated with @I.ir_module, or decorated functions) may stand at the top level");
        }
        continue;
      }
      P::CompoundStatementContext* compound = stmt->compoundStatement();
      P::DecoratedContext* decorated = compound->decorated();
      if (decorated == nullptr) {
        if (compound->classDef()) fail(loc_of(compound), "a module class needs the decorator @I.ir_module");
        if (compound->functionDef()) fail(loc_of(compound), "a function needs a decorator: @T.prim_func or @R.function");
        fail(loc_of(compound), "only imports and one module may stand at the top level");
      }
      if (P::ClassDefContext* cls = decorated->classDef()) {
        if (decorated->decorator().size() != 1 || !is_module_decorator(decorated->decorator(0)->expr())) {
          fail(loc_of(decorated), "a module class takes exactly one decorator, @I.ir_module (or @tvm.script.ir_module)");
        }
        if (saw_class) fail(loc_of(cls), "a file holds one module; this is a second one");
        if (!functions.empty()) fail(loc_of(cls), "a file holds either a module class or top-level functions, not both");
        saw_class = true;
        module.name = cls->NAME()->getText();
        module.loc = loc_of(cls->NAME()->getSymbol());
        if (cls->arguments()) fail(loc_of(cls->arguments()), "a module class has no base classes");
        collect_class_functions(cls, functions);
        continue;
      }
      if (saw_class) fail(loc_of(decorated), "a file holds either a module class or top-level functions, not both");
      functions.push_back(function_syntax(decorated));
    }
    if (functions.empty()) {
      fail(saw_class ? module.loc : SourceLoc{1, 1}, saw_class ? "module '" + module.name + "' has no functions"
                                                              : "no module found: expected a class decorated with @I.ir_module, or @T.prim_func / @R.function functions");
    }
    build_functions(functions, module);
    return module;
  }

 private:
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

  void collect_class_functions(P::ClassDefContext* cls, std::vector<FunctionSyntax>& functions) {
    for (antlr4::ParserRuleContext* item : statements_of(cls->block())) {
      auto* compound = dynamic_cast<P::CompoundStatementContext*>(item);
      if (compound == nullptr) {
        if (dynamic_cast<P::PassStatementContext*>(item)) continue;
        fail(loc_of(item), "a module class holds only @T.prim_func and @R.function definitions");
      }
      if (compound->decorated() && compound->decorated()->functionDef()) {
        functions.push_back(function_syntax(compound->decorated()));
        continue;
      }
      if (compound->functionDef()) fail(loc_of(compound), "a function needs a decorator: @T.prim_func or @R.function");
      fail(loc_of(compound), "a module class holds only @T.prim_func and @R.function definitions");
    }
  }

  void build_functions(const std::vector<FunctionSyntax>& functions, Module& module) {
    RelaxFunctionOptions relax_options;
    relax_options.module_class = module.name;
    std::map<std::string, SourceLoc> seen;
    for (const FunctionSyntax& f : functions) {
      std::string name = f.def->NAME()->getText();
      SourceLoc loc = loc_of(f.def->NAME()->getSymbol());
      if (seen.count(name)) {
        fail(loc, "function '" + name + "' is already defined at line " + std::to_string(seen[name].line));
      }
      seen[name] = loc;
      (f.kind == FunctionKind::Prim ? relax_options.prim_funcs : relax_options.relax_functions).insert(name);
    }
    for (const FunctionSyntax& f : functions) {
      if (f.kind == FunctionKind::Prim) {
        module.prim_funcs.push_back(build_prim_func(f.def, {f.is_private, f.s_tir, type_vars_}, diags_));
      } else {
        RelaxFunctionOptions options = relax_options;
        options.is_pure = f.is_pure;
        options.is_private = f.is_private;
        options.type_vars = type_vars_;
        module.functions.push_back(build_relax_function(f.def, options, diags_));
      }
    }
  }

  Diagnostics& diags_;
};

}  // namespace

Module build_module(antlr4::tree::ParseTree* tree, Diagnostics& diags) {
  auto* file = dynamic_cast<P::FileContext*>(tree);
  if (file == nullptr) throw CompileError({}, "internal error: parse tree is not a file");
  return ModuleBuilder(diags).build(file);
}

std::optional<Module> parse_module(const SourceFile& file, Diagnostics& diags, bool keep_after_errors) {
  try {
    ParsedFile parsed = ParsedFile::parse(file);
    size_t errors_before = diags.error_count();
    Module module = build_module(parsed.tree(), diags);
    // Errors the builder reported and went on after (unknown operators, bad attributes).
    if (diags.error_count() > errors_before && !keep_after_errors) return std::nullopt;
    return module;
  } catch (const CompileError& error) {
    diags.error(error.loc(), error.message());
    return std::nullopt;
  }
}

}  // namespace relaxc

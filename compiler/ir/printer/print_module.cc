// The module: the three header comments, `@I.ir_module` / `class Module:`, prim_funcs then
// Relax functions (each group by name, `main` last), and the metadata note when the module
// refers to bound constants.
#include <algorithm>

#include "compiler/ir/printer/printer.h"
#include "compiler/ir/tvm_metadata.h"

#include "compiler/ir/printer/printer_internal.h"

namespace relaxc {

namespace {

bool uses_metadata(const relax::Expr& expr) {
  if (const auto* constant = expr->as<relax::Constant>()) return constant->metadata_index.has_value();
  if (const auto* tuple = expr->as<relax::Tuple>()) {
    return std::any_of(tuple->fields.begin(), tuple->fields.end(), uses_metadata);
  }
  if (const auto* call = expr->as<relax::Call>()) {
    return std::any_of(call->args.begin(), call->args.end(), uses_metadata);
  }
  if (const auto* item = expr->as<relax::TupleGetItem>()) return uses_metadata(item->tuple);
  return false;
}

bool uses_metadata(const relax::Function& func) {
  if (uses_metadata(func.body)) return true;
  for (const relax::BindingBlock& block : func.blocks) {
    for (const relax::Binding& binding : block.bindings) {
      if (uses_metadata(binding.value)) return true;
    }
  }
  return false;
}

template <typename T>
std::vector<const T*> sorted_by_name(const std::vector<std::shared_ptr<const T>>& funcs) {
  // Sorted with the position as the last key rather than stably: clang warns about the buffer
  // libstdc++ 12's stable_sort asks for.
  std::vector<std::pair<const T*, size_t>> order;
  for (const auto& f : funcs) order.emplace_back(f.get(), order.size());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    bool a_main = a.first->name == "main", b_main = b.first->name == "main";
    if (a_main != b_main) return b_main;
    if (a.first->name != b.first->name) return a.first->name < b.first->name;
    return a.second < b.second;
  });
  std::vector<const T*> out;
  for (const auto& entry : order) out.push_back(entry.first);
  return out;
}

}  // namespace

std::string print_module(const Module& module, bool show_meta, Spelling spelling) {
  printing::SpellingScope scope(spelling);
  printing::Lines out;
  out.line("# from tvm.script import ir as I");
  if (spelling == Spelling::Current) {
    out.line("# from tvm.script import tirx as T");
    out.line("# from tvm.tirx.layout import Axis");
  } else {
    out.line("# from tvm.script import tir as T");
  }
  out.line("# from tvm.script import relax as R");
  out.line("");
  out.line("@I.ir_module");
  out.line("class Module:");
  out.indent();
  bool first = true;
  bool metadata = false;
  auto prim_funcs = sorted_by_name(module.prim_funcs);
  auto functions = sorted_by_name(module.functions);
  // A prim_func named main still sorts before every Relax function.
  for (const tir::PrimFunc* func : prim_funcs) {
    if (!first) out.line("");
    first = false;
    printing::print_prim_func(*func, out);
  }
  for (const relax::Function* func : functions) {
    if (!first) out.line("");
    first = false;
    printing::print_relax_function(*func, "Module", out);
    metadata = metadata || uses_metadata(*func);
  }
  out.dedent();
  std::string text = out.str();
  // Lines() writes indentation even on empty lines; the canonical form has none.
  std::string cleaned;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(' ') == std::string::npos) line.clear();
    cleaned += line + "\n";
    start = end + 1;
  }
  if (metadata && show_meta && !module.constants.empty()) {
    // Before everything else, as TVM's printer puts it.
    MetadataLayout layout = spelling == Spelling::Current ? MetadataLayout::Type : MetadataLayout::StructInfo;
    return tvm_metadata_statement(module.constants, layout) + cleaned;
  }
  if (metadata) cleaned += "\n# Metadata omitted. Use show_meta=True in script() method to show it.\n";
  return cleaned;
}

}  // namespace relaxc

#include "compiler/driver/compile.h"

#include <algorithm>

#include "compiler/check/check_module.h"
#include "compiler/ops/registry.h"
#include "compiler/frontend/build_module.h"
#include "compiler/ir/printer/printer.h"
#include "compiler/passes/tir/infer_access_regions.h"

namespace relaxc {

std::vector<std::string> operator_names() {
  std::vector<std::string> names;
  for (const ops::OpDef& op : ops::all_ops()) {
    if (op.has_kernel) names.push_back(op.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<Module> load_and_check(const SourceFile& file, Diagnostics& diags) {
  // The checker runs after the builder's own errors too: one run reports every unknown
  // operator, bad attribute and type error of the module.
  std::optional<Module> module = parse_module(file, diags, /*keep_after_errors=*/true);
  if (!module) return std::nullopt;
  if (!check_module(*module, diags) || diags.has_errors()) return std::nullopt;
  return module;
}

std::string emit_tvms(const Module& module, bool show_meta, Spelling spelling) {
  return print_module(infer_access_regions(module), show_meta, spelling);
}

}  // namespace relaxc

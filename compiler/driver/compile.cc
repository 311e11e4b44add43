#include "compiler/driver/compile.h"

#include "compiler/check/check_module.h"
#include "compiler/frontend/build_module.h"
#include "compiler/ir/printer/printer.h"
#include "compiler/passes/tir/infer_access_regions.h"

namespace relaxc {

std::optional<Module> load_and_check(const SourceFile& file, Diagnostics& diags) {
  std::optional<Module> module = parse_module(file, diags);
  if (!module) return std::nullopt;
  if (!check_module(*module, diags)) return std::nullopt;
  return module;
}

std::string emit_tvms(const Module& module, bool show_meta) { return print_module(infer_access_regions(module), show_meta); }

}  // namespace relaxc

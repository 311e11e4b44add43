#include "compiler/check/check_module.h"

namespace relaxc {

bool check_module(const Module& module, Diagnostics& diags) {
  size_t errors_before = diags.error_count();
  for (const auto& func : module.prim_funcs) check_prim_func(*func, diags);
  // Callees first, so a call sees the struct info its callee returns.
  for (const auto& func : module.functions) {
    if (func->name != "main") check_relax_function(*func, module, diags);
  }
  for (const auto& func : module.functions) {
    if (func->name == "main") check_relax_function(*func, module, diags);
  }
  return diags.error_count() == errors_before;
}

}  // namespace relaxc

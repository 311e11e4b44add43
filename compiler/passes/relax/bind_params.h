// BindParams: takes a checked module and named arrays (an .npz) and turns the parameters of one
// Relax function whose names match into metadata constants, as TVM's relax.transform.BindParams.
// The symbolic variables the arrays determine are replaced by their values everywhere in the
// function (signature, bindings, output struct info), and struct info is inferred again.
// Guarantees: every bound array fits its parameter's declared dtype, rank and shape, and
// agrees with the others on shared symbolic variables; otherwise an error at the parameter.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/support/diagnostics.h"
#include "runtime/npz.h"

namespace relaxc {

struct BindParamsOptions {
  std::string function = "main";
  std::string archive_name;         // for messages: "params.npz"
  bool allow_unused_keys = false;   // keys matching no parameter: warnings instead of errors
};

// nullopt when `diags` holds an error.
std::optional<Module> bind_params(const Module& module, const std::vector<relaxrt::NamedArray>& arrays,
                                  const BindParamsOptions& options, Diagnostics& diags);

}  // namespace relaxc

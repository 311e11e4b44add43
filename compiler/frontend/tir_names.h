// The names the `T.` namespace offers, for "did you mean" hints and for telling a misplaced
// statement from an unknown name.
#pragma once

#include <string>
#include <vector>

namespace relaxc::frontend {

const std::vector<std::string>& all_tir_names();
const std::vector<std::string>& all_dtype_names();
bool is_tir_statement_name(const std::string& name);

}  // namespace relaxc::frontend

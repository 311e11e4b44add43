// The Relax operators the language knows: how many tensor operands each takes and which
// attribute a further positional argument stands for (`R.sum(x, 1)` means `axis=1`).
#pragma once

#include <string>
#include <vector>

namespace relaxc::frontend {

struct RelaxOpSignature {
  std::string name;                  // "add", "nn.relu", ...
  size_t min_tensors, max_tensors;   // leading tensor operands
  std::vector<std::string> attrs;    // further positional arguments, then keywords, in order
};

const RelaxOpSignature* find_relax_op(const std::string& name);  // name without "R."
std::vector<std::string> all_relax_names();                      // with "R.", for hints

}  // namespace relaxc::frontend

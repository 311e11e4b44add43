// Whether this machine can run native code compiled for a given target: the architecture of
// the triple, and the CPU features (LLVM's names) that code may use.
#pragma once

#include <string>
#include <vector>

namespace relaxrt {

// Whether this CPU has the feature named as LLVM names it ("avx2", "avx512f", "pclmul", ...) and
// the OS saves the registers it uses; false for a name the table does not know.
bool host_has_feature(const std::string& llvm_name);

// The problem in one line, or empty when the host can run the code.
std::string check_host_can_run(const std::string& triple, const std::string& cpu, const std::vector<std::string>& features);

}  // namespace relaxrt

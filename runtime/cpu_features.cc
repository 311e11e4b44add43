#include "runtime/cpu_features.h"

#if defined(__x86_64__)
// glibc's header spells the return type of its inline functions _Bool, a C keyword that GCC
// accepts in C++ and Clang does not; in C++ it means bool.
#if defined(__clang__)
#define _Bool bool
#include <sys/platform/x86.h>
#undef _Bool
#else
#include <sys/platform/x86.h>
#endif
#endif

namespace relaxrt {

namespace {

#if defined(__x86_64__)
constexpr const char* kHostArch = "x86_64";

struct Feature {
  const char* llvm_name;
  unsigned glibc_index;  // x86_cpu_* of <sys/platform/x86.h>
};

// The features that change which instructions code may contain; others LLVM lists (tuning
// flags, "64bit", ...) do not. Read from what glibc recorded when the process started
// (CPU_FEATURE_ACTIVE: the CPU has it and the OS saves its registers) rather than through
// __builtin_cpu_supports or CPUID: libgcc's version runs a constructor at every start that
// walks the CPUID leaves again, and each CPUID traps to the hypervisor in a virtual machine
// (about 50 us of every relaxrun process).
constexpr Feature kFeatures[] = {
    {"sse3", x86_cpu_SSE3},
    {"pclmul", x86_cpu_PCLMULQDQ},
    {"ssse3", x86_cpu_SSSE3},
    {"fma", x86_cpu_FMA},
    {"sse4.1", x86_cpu_SSE4_1},
    {"sse4.2", x86_cpu_SSE4_2},
    {"popcnt", x86_cpu_POPCNT},
    {"avx", x86_cpu_AVX},
    {"f16c", x86_cpu_F16C},
    {"bmi", x86_cpu_BMI1},
    {"avx2", x86_cpu_AVX2},
    {"bmi2", x86_cpu_BMI2},
    {"avx512f", x86_cpu_AVX512F},
    {"avx512dq", x86_cpu_AVX512DQ},
    {"avx512ifma", x86_cpu_AVX512_IFMA},
    {"avx512cd", x86_cpu_AVX512CD},
    {"avx512bw", x86_cpu_AVX512BW},
    {"avx512vl", x86_cpu_AVX512VL},
    {"avx512vbmi", x86_cpu_AVX512_VBMI},
    {"vpclmulqdq", x86_cpu_VPCLMULQDQ},
    {"avx512vnni", x86_cpu_AVX512_VNNI},
    {"avx512fp16", x86_cpu_AVX512_FP16},
    {"avx512bf16", x86_cpu_AVX512_BF16},
};

bool active(const Feature& f) { return x86_cpu_active(f.glibc_index); }

const Feature* find_feature(const std::string& name) {
  for (const Feature& f : kFeatures) {
    if (name == f.llvm_name) return &f;
  }
  return nullptr;
}
#else
constexpr const char* kHostArch =
#if defined(__aarch64__)
    "aarch64";
#else
    "unknown";
#endif
// Off x86 no CPU feature is checked, only the architecture of the triple.
struct Feature {};
bool active(const Feature&) { return false; }
const Feature* find_feature(const std::string&) { return nullptr; }
#endif

}  // namespace

bool host_has_feature(const std::string& llvm_name) {
  const Feature* f = find_feature(llvm_name);
  return f && active(*f);
}

std::string check_host_can_run(const std::string& triple, const std::string& cpu, const std::vector<std::string>& features) {
  std::string arch = triple.substr(0, triple.find('-'));
  if (arch != kHostArch) return "the native code is for " + triple + " but this machine is " + kHostArch + "; recompile it here";
  std::string missing;
  for (const std::string& name : features) {
    const Feature* f = find_feature(name);
    if (f && !active(*f)) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) {
    return "the native code was compiled for CPU '" + cpu + "' and uses " + missing +
           ", which this CPU lacks; recompile with relaxc -mcpu=native on this machine (or a -mcpu both machines have)";
  }
  return "";
}

}  // namespace relaxrt

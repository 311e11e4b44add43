#include "runtime/cpu_features.h"

namespace relaxrt {

namespace {

struct Feature {
  const char* llvm_name;
  bool (*present)();
};

#if defined(__x86_64__)
#define RX_FEATURE(name) {name, [] { return __builtin_cpu_supports(name) != 0; }}
// The features that change which instructions code may contain; others LLVM lists (tuning
// flags, "64bit", ...) do not.
const Feature kFeatures[] = {
    RX_FEATURE("sse3"),     RX_FEATURE("ssse3"),    RX_FEATURE("sse4.1"),   RX_FEATURE("sse4.2"),
    RX_FEATURE("popcnt"),   RX_FEATURE("avx"),      RX_FEATURE("avx2"),     RX_FEATURE("fma"),
    RX_FEATURE("bmi"),      RX_FEATURE("bmi2"),     RX_FEATURE("avx512f"),  RX_FEATURE("avx512bw"),
    RX_FEATURE("avx512cd"), RX_FEATURE("avx512dq"), RX_FEATURE("avx512vl"), RX_FEATURE("avx512vnni"),
    RX_FEATURE("avx512ifma"), RX_FEATURE("avx512vbmi"), RX_FEATURE("avx512bf16"), RX_FEATURE("avx512fp16"),
    RX_FEATURE("f16c"),
};
#undef RX_FEATURE
constexpr const char* kHostArch = "x86_64";
#else
const Feature kFeatures[] = {{"", nullptr}};
constexpr const char* kHostArch =
#if defined(__aarch64__)
    "aarch64";
#else
    "unknown";
#endif
#endif

}  // namespace

std::string check_host_can_run(const std::string& triple, const std::string& cpu, const std::vector<std::string>& features) {
  std::string arch = triple.substr(0, triple.find('-'));
  if (arch != kHostArch) return "the native code is for " + triple + " but this machine is " + kHostArch + "; recompile it here";
  std::string missing;
  for (const std::string& name : features) {
    for (const Feature& f : kFeatures) {
      if (f.present && name == f.llvm_name && !f.present()) missing += (missing.empty() ? "" : ", ") + name;
    }
  }
  if (!missing.empty()) {
    return "the native code was compiled for CPU '" + cpu + "' and uses " + missing +
           ", which this CPU lacks; recompile with relaxc -mcpu=native on this machine (or a -mcpu both machines have)";
  }
  return "";
}

}  // namespace relaxrt

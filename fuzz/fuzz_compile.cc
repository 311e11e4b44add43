// relaxc's whole compile of small inputs: a module that checks goes through the pipeline
// (legalize, fuse, schedule) and the back end to the bytes of a .rx, at -O0 or -O2 by the
// input's first byte. A CompileError (IR the back end cannot lower, named at its source) is a
// legitimate outcome; any other exception is a bug.
#include "compiler/codegen/build_executable.h"
#include "compiler/driver/compile.h"
#include "fuzz_util.h"

namespace {
constexpr size_t kMaxInput = 4096;  // larger modules only slow the search down
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  fuzz::on_tool_stack([&] {
    relaxc::SourceFile file("fuzz.tvms", fuzz::text_of(data + 1, size - 1));
    relaxc::Diagnostics diags(file);
    std::optional<relaxc::Module> module = relaxc::load_and_check(file, diags);
    if (!module) return;
    relaxc::codegen::TargetOptions target{"", "native", (data[0] & 1) ? 2 : 0};
    try {
      relaxc::codegen::build_stage(*module, file, target, relaxc::codegen::Stage::Rx, "relaxc fuzz");
    } catch (const relaxc::CompileError&) {
    }
  });
  return 0;
}

// The schedule-file reader (relaxc --schedule FILE): any text applied to the chapter's module,
// whose kernels it names. A CompileError at its place in the file is a legitimate outcome.
#include "compiler/driver/compile.h"
#include "compiler/schedule/schedule_file.h"
#include "fuzz_util.h"
#include "runtime/file_io.h"

#ifndef FUZZ_MODULE
#error "FUZZ_MODULE names the .tvms file the schedules apply to"
#endif

namespace {
const relaxc::Module& chapter_module() {
  static const relaxc::Module module = [] {
    std::string text;
    if (!relaxrt::read_whole_file(FUZZ_MODULE, text).empty()) abort();
    static relaxc::SourceFile file(FUZZ_MODULE, text);
    relaxc::Diagnostics diags(file);
    std::optional<relaxc::Module> m = relaxc::load_and_check(file, diags);
    if (!m) abort();
    return *m;
  }();
  return module;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::on_tool_stack([&] {
    const relaxc::Module& module = chapter_module();
    relaxc::SourceFile file("fuzz_schedule.py", fuzz::text_of(data, size));
    try {
      relaxc::schedule::apply_schedule_file(module, file);
    } catch (const relaxc::CompileError&) {
    }
  });
  return 0;
}

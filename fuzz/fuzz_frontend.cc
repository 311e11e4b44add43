// The .tvms front end: parse and check any text, and render its diagnostics with their source
// lines, as relaxc --emit=check does.
#include <sstream>

#include "compiler/driver/compile.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::on_tool_stack([&] {
    relaxc::SourceFile file("fuzz.tvms", fuzz::text_of(data, size));
    relaxc::Diagnostics diags(file);
    std::optional<relaxc::Module> module = relaxc::load_and_check(file, diags);
    std::ostringstream rendered;
    diags.render(rendered);
    if (module) relaxc::emit_tvms(*module);
  });
  return 0;
}

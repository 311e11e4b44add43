// relaxc: compiles a .tvms module. Exit codes: 0 success, 1 errors in the input, 2 bad usage
// or an unreadable/unwritable file.
#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/spdlog.h>

#include "compiler/driver/compile.h"
#include "compiler/driver/output_file.h"
#include "version.h"

int main(int argc, char** argv) {
  CLI::App app{"relaxc: compile a TVMScript (.tvms) module of Relax and TensorIR functions"};
  std::string input, output, emit = "rx";
  bool verbose = false;
  app.add_option("input", input, "the .tvms file to compile")->required();
  app.add_option("-o,--output", output, "where to write the result (default: stdout for --emit=tvms)");
  app.add_option("--emit", emit, "what to produce: tvms (canonical TVMScript), check (diagnostics only), rx")
      ->check(CLI::IsMember({"tvms", "check", "rx"}));
  app.add_flag("-v,--verbose", verbose, "log each stage to stderr");
  app.set_version_flag("--version", std::string("relaxc ") + RELAXC_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::warn);
  spdlog::set_pattern("relaxc: %v");

  std::string text;
  if (std::string error = relaxc::read_whole_file(input, text); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return 2;
  }
  relaxc::SourceFile file(input, std::move(text));
  relaxc::Diagnostics diags(file);
  spdlog::info("parsing and checking {} ({} bytes)", input, file.text().size());
  std::optional<relaxc::Module> module;
  try {
    module = relaxc::load_and_check(file, diags);
  } catch (const std::exception& e) {
    diags.render(std::cerr);
    std::cerr << input << ": internal error: " << e.what() << '\n';
    return 3;
  }
  diags.render(std::cerr);
  if (!module) return 1;
  if (emit == "check") return 0;
  if (emit == "rx") {
    std::cerr << "relaxc: error: emitting a .rx executable is not available in this version; use --emit=tvms or --emit=check\n";
    return 2;
  }
  std::string printed = relaxc::emit_tvms(*module);
  if (output.empty() || output == "-") {
    std::cout << printed;
    return 0;
  }
  if (std::string error = relaxc::write_file_atomically(output, printed); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return 2;
  }
  return 0;
}

// Helpers for the unit tests: read a testdata file, parse and check source text.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "compiler/driver/compile.h"

inline std::string read_testdata(const std::string& relative) {
  std::ifstream in(std::string(TESTDATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Compiled {
  relaxc::SourceFile file;
  relaxc::Diagnostics diags;
  std::optional<relaxc::Module> module;
  explicit Compiled(std::string text) : file("test.tvms", std::move(text)), diags(file) {
    module = relaxc::load_and_check(file, diags);
  }
  std::string rendered() const {
    std::ostringstream out;
    diags.render(out);
    return out.str();
  }
};

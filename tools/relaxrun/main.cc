// relaxrun: runs a compiled .rx module on .npy/.npz inputs. Exit codes: 0 success, 1 a bad
// input file, 2 bad usage.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "runtime/npy.h"
#include "version.h"

int main(int argc, char** argv) {
  CLI::App app{"relaxrun: run a module compiled by relaxc (.rx) on .npy inputs"};
  std::string module;
  std::vector<std::string> inputs;
  std::string params, output;
  app.add_option("module", module, "the .rx file made by relaxc")->required();
  app.add_option("--input", inputs, "an input tensor (.npy), in parameter order; repeatable");
  app.add_option("--params", params, "weights bound by parameter name (.npz)");
  app.add_option("-o,--output", output, "write the result here (.npy) instead of printing it");
  app.set_version_flag("--version", std::string("relaxrun ") + RELAXC_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const std::string& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "relaxrun: error: " << path << ": cannot open the input\n";
      return 1;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    relaxrt::HostArray array;
    std::string error;
    if (!relaxrt::parse_npy(bytes.str(), array, error)) {
      std::cerr << "relaxrun: error: " << path << ": " << error << '\n';
      return 1;
    }
  }
  std::cerr << "relaxrun: error: " << module << ": executing .rx modules is not available in this version\n";
  return 2;
}

#include "compiler/codegen/link_shared_object.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

LLD_HAS_DRIVER(elf)

namespace relaxc::codegen {

namespace {

// A private scratch directory, removed however the link ends. lld reads and writes files, so
// the object and the library pass through it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "relaxc-link-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory for linking");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string link_shared_object(const std::vector<std::string>& objects) {
  ScratchDirectory scratch;
  std::string library_path = (scratch.path() / "kernels.so").string();
  std::vector<std::string> object_paths;
  for (size_t i = 0; i < objects.size(); ++i) {
    object_paths.push_back((scratch.path() / ("kernels." + std::to_string(i) + ".o")).string());
    std::ofstream object(object_paths.back(), std::ios::binary);
    object.write(objects[i].data(), static_cast<std::streamsize>(objects[i].size()));
    if (!object) throw std::runtime_error("cannot write the object file for linking");
  }
  std::vector<const char*> args = {"ld.lld", "-shared", "--gc-sections", "-z", "noexecstack", "-z", "now",
                                   "-soname", "relax_kernels.so", "-o", library_path.c_str()};
  for (const std::string& path : object_paths) args.push_back(path.c_str());
  std::string out_text, err_text;
  llvm::raw_string_ostream out(out_text), err(err_text);
  lld::Result result = lld::lldMain(args, out, err, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0) throw std::runtime_error("linking the native code failed: " + err.str());
  std::ifstream library(library_path, std::ios::binary);
  std::stringstream bytes;
  bytes << library.rdbuf();
  if (!library) throw std::runtime_error("cannot read the linked library");
  return bytes.str();
}

}  // namespace relaxc::codegen

namespace relaxc::codegen {

std::string link_shared_object(const std::string& object_bytes) { return link_shared_object(std::vector<std::string>{object_bytes}); }

}  // namespace relaxc::codegen

#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/file_io.h"

namespace {

std::string contents_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A fresh directory for one test case, removed at its end.
struct ScratchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("relaxc_file_io_" + std::to_string(::getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  size_t entries() const { return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(path), {})); }
};

}  // namespace

TEST_CASE("write_file_atomically creates, replaces and refuses as rename would, leaving no temporary", "[file_io]") {
  ScratchDir dir;
  std::string out = (dir.path / "out.npy").string();
  REQUIRE(relaxrt::write_file_atomically(out, "first").empty());
  CHECK(contents_of(out) == "first");
  // Over an existing file: the new contents, and only the one name in the directory.
  REQUIRE(relaxrt::write_file_atomically(out, std::vector<std::string_view>{"sec", "ond"}).empty());
  CHECK(contents_of(out) == "second");
  CHECK(dir.entries() == 1);
  // A reader holding the old file open keeps reading the old contents.
  std::ifstream held(out, std::ios::binary);
  REQUIRE(relaxrt::write_file_atomically(out, "third").empty());
  std::string old((std::istreambuf_iterator<char>(held)), std::istreambuf_iterator<char>());
  CHECK(old == "second");
  CHECK(contents_of(out) == "third");
  // Another name of the old file (a hard link) keeps the old contents, as after rename().
  std::string link = (dir.path / "link.npy").string();
  REQUIRE(::link(out.c_str(), link.c_str()) == 0);
  REQUIRE(relaxrt::write_file_atomically(out, "fourth").empty());
  CHECK(contents_of(link) == "third");
  CHECK(contents_of(out) == "fourth");
  CHECK(dir.entries() == 2);
  // A directory in the way is refused by name and left alone, with no temporary left behind.
  std::filesystem::create_directory(dir.path / "sub");
  std::string error = relaxrt::write_file_atomically((dir.path / "sub").string(), "x");
  CHECK(error.find("cannot write '" + (dir.path / "sub").string() + "'") == 0);
  CHECK(std::filesystem::is_directory(dir.path / "sub"));
  CHECK(dir.entries() == 3);
  // A symbolic link at the path is replaced by the file, as rename() replaces it; its target stays.
  std::filesystem::create_symlink(link, dir.path / "sym.npy");
  REQUIRE(relaxrt::write_file_atomically((dir.path / "sym.npy").string(), "fifth").empty());
  CHECK_FALSE(std::filesystem::is_symlink(dir.path / "sym.npy"));
  CHECK(contents_of(dir.path / "sym.npy") == "fifth");
  CHECK(contents_of(link) == "third");
}

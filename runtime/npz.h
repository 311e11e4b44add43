// Reading and writing NumPy .npz archives: zip files (zip_archive.h) of .npy members.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/npy.h"

namespace relaxrt {

struct NamedArray {
  std::string name;  // the member name without ".npy"
  HostArray array;
};

// An array of an archive used in place: stored members' data point into the archive's bytes,
// deflated ones' into their decompressed copy; `owner` keeps whichever alive.
struct ArrayView {
  std::string name;  // the member name without ".npy"
  NpyHeader header;
  const char* data = nullptr;
  std::shared_ptr<const void> owner;
};

// On failure these return false and set `error` to one line (the caller prefixes the file name).
// `archive_owner` keeps `bytes` alive for the views.
bool view_npz(std::string_view bytes, const std::shared_ptr<const void>& archive_owner, std::vector<ArrayView>& out, std::string& error);
bool parse_npz(std::string_view bytes, std::vector<NamedArray>& out, std::string& error);
// An archive of stored members, as numpy.savez writes; throws std::runtime_error on failure.
std::string serialize_npz(const std::vector<NamedArray>& arrays);

}  // namespace relaxrt

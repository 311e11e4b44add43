// Writes a file atomically: to a temporary beside it, then rename, so a reader never sees a
// half-written output and a failed run leaves the old file in place.
#pragma once

#include <string>

namespace relaxrt {

// Returns "" on success, otherwise a message naming the path and the reason.
std::string write_file_atomically(const std::string& path, const std::string& contents);
// Returns "" on success; `contents` receives the whole file.
std::string read_whole_file(const std::string& path, std::string& contents);

}  // namespace relaxrt

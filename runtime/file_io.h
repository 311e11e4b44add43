// Writes a file atomically: to a temporary beside it, then put in place of the old one (by
// exchanging the two names, or by rename where there is no old file), so a reader never sees a
// half-written output and a failed run leaves the old file in place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace relaxrt {

// Returns "" on success, otherwise a message naming the path and the reason.
std::string write_file_atomically(const std::string& path, const std::string& contents);
// The same for the concatenation of `pieces`, written from where they lie.
std::string write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces);
// Opens a regular file for reading, refusing FIFOs, devices and directories without blocking;
// returns "" and sets `fd`, or a message naming the path and what it is.
std::string open_regular_file(const std::string& path, int& fd);
// Returns "" on success; `contents` receives the whole file (a regular file only).
std::string read_whole_file(const std::string& path, std::string& contents);

}  // namespace relaxrt

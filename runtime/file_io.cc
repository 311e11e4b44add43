#include "runtime/file_io.h"

#include <fcntl.h>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace relaxrt {

namespace {

// Puts the finished `temp` in place of the regular file at `path` by exchanging the two names
// and removing the old file, now under the temporary name; false, with nothing changed, where
// that cannot be done (no file there yet, not a regular file, a file system without exchange),
// and rename() then does the job. A reader sees the old file or the new one, as with rename().
// Why not rename() alone: renaming over an existing file makes ext4 (auto_da_alloc) allocate and
// start writing the new file's blocks at once, and the old file's blocks are then freed through
// the journal: 0.3-0.6 ms of every relaxrun run that writes an --output, in this VM, for a
// result of a few hundred bytes. Like rename() without fsync, this promises nothing about what
// a power cut leaves; the written data reaches the disk with the next writeback.
bool replace_by_exchange(const std::string& temp, const std::string& path) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) != 0 || !S_ISREG(existing.st_mode)) return false;
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) return false;
  if (::unlink(temp.c_str()) == 0) return true;
  // The path became something unlink refuses (a directory) after the lstat: swap back.
  return ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0;
}

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& contents) {
  return write_file_atomically(path, std::vector<std::string_view>{contents});
}

std::string write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write '" + path + "': " + std::strerror(errno);
    for (std::string_view piece : pieces) out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return "cannot write '" + path + "': " + std::strerror(errno);
    }
  }
  if (replace_by_exchange(temp, path)) return "";
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::remove(temp.c_str());
    return "cannot write '" + path + "': " + reason;
  }
  return "";
}

std::string open_regular_file(const std::string& path, int& fd) {
  fd = -1;
  // stat before open: opening a FIFO blocks until a writer comes, and a device such as
  // /dev/zero never ends, so anything but a regular file is refused by name first.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "cannot read '" + path + "': " + std::strerror(errno);
  if (!S_ISREG(info.st_mode)) {
    const char* kind = S_ISDIR(info.st_mode)    ? "a directory"
                       : S_ISFIFO(info.st_mode) ? "a FIFO"
                       : S_ISCHR(info.st_mode)  ? "a character device"
                       : S_ISBLK(info.st_mode)  ? "a block device"
                       : S_ISSOCK(info.st_mode) ? "a socket"
                                                : "not a regular file";
    return "cannot read '" + path + "': it is " + kind + ", not a regular file";
  }
  // O_NONBLOCK in case the path was replaced by a FIFO since the stat; fstat checks again.
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "cannot read '" + path + "': " + std::strerror(errno);
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    fd = -1;
    return "cannot read '" + path + "': not a regular file";
  }
  return "";
}

std::string read_whole_file(const std::string& path, std::string& contents) {
  int fd = -1;
  if (std::string error = open_regular_file(path, fd); !error.empty()) return error;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return "cannot read '" + path + "': " + why;
  }
  // One read into a buffer of the file's size; a file still growing reads on to its end.
  contents.assign(static_cast<size_t>(std::max<off_t>(info.st_size, 0)), '\0');
  size_t used = 0;
  while (true) {
    if (used == contents.size()) contents.resize(std::max<size_t>(4096, contents.size() * 2));
    ssize_t got = ::read(fd, contents.data() + used, contents.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return "cannot read '" + path + "': " + why;
    }
    if (got == 0) break;
    used += static_cast<size_t>(got);
  }
  contents.resize(used);
  ::close(fd);
  return "";
}

}  // namespace relaxrt

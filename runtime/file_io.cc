#include "runtime/file_io.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace relaxrt {

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

#include "runtime/mapped_file.h"

#include "runtime/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace relaxrt {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path) {
  int fd = -1;
  if (std::string error = open_regular_file(path, fd); !error.empty()) throw std::runtime_error(error);
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error(path + ": cannot read: " + std::strerror(error));
  }
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->size_ = static_cast<size_t>(info.st_size);
  if (file->size_ > 0) {
    void* data = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      throw std::runtime_error(path + ": cannot map: " + std::strerror(error));
    }
    file->data_ = data;
  }
  ::close(fd);
  return file;
}

MappedFile::~MappedFile() {
  if (data_) munmap(data_, size_);
}

}  // namespace relaxrt

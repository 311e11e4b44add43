// A file mapped read-only into memory; the .rx is used in place (constants and code are views
// into the mapping, never copies).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace relaxrt {

class MappedFile {
 public:
  // Throws std::runtime_error naming the file and the system's reason.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace relaxrt

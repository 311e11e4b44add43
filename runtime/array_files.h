// Arrays read from .npy and .npz files as tensors that view the mapped file where they lie (numpy
// aligns array data to 64 bytes), so a large input is never copied; deflated archive members are
// decompressed once. Mapped read-only, the tensors are frozen: weight transforms of them are
// computed once. Used by relaxrun and by the C API's relaxrt_arrays_load.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/bind_arguments.h"
#include "runtime/value.h"

namespace relaxrt {

class ArrayFileError : public std::runtime_error {
 public:
  enum class Kind { Unreadable, Malformed };
  ArrayFileError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Throw ArrayFileError naming the file (and the archive member) and what is wrong.
Value map_npy_file(const std::string& path);
std::vector<NamedValue> map_npz_file(const std::string& path);

// Writes `arrays` as a .npy (exactly one, unnamed) or an .npz archive (stored members named
// NAME.npy), atomically, from the tensors' memory: nothing is copied, so writing a result costs
// no memory beyond it. "" on success, else a message naming the path.
std::string write_npy_file(const std::string& path, const Tensor& tensor);
std::string write_npz_file(const std::string& path, const std::vector<std::pair<std::string, const Tensor*>>& arrays);

}  // namespace relaxrt

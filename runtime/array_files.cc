#include "runtime/array_files.h"

#include <deque>

#include "runtime/file_io.h"
#include "runtime/mapped_file.h"
#include "runtime/npy.h"
#include "runtime/npz.h"
#include "runtime/zip_archive.h"

namespace relaxrt {

namespace {

std::shared_ptr<const MappedFile> open_mapped(const std::string& path) {
  try {
    return MappedFile::open(path);
  } catch (const std::runtime_error& e) {
    throw ArrayFileError(ArrayFileError::Kind::Unreadable, e.what());
  }
}

// A tensor viewing `data` (described by `header`) where it lies; `label` names it in errors.
Value tensor_in_place(const std::string& label, const NpyHeader& header, const char* data, std::shared_ptr<const void> owner) {
  std::optional<ElementType> type = parse_element_type(header.dtype);
  if (!type) throw ArrayFileError(ArrayFileError::Kind::Malformed, label + ": unsupported dtype " + header.dtype);
  // Kernels only read their inputs, so the read-only mapping is never written.
  Value value = Value::of(Tensor::view(*type, header.shape, const_cast<char*>(data), std::move(owner)));
  value.tensor->frozen = true;
  return value;
}

}  // namespace

Value map_npy_file(const std::string& path) {
  std::shared_ptr<const MappedFile> file = open_mapped(path);
  NpyHeader header;
  std::string error;
  if (!parse_npy_header(file->bytes(), header, error)) throw ArrayFileError(ArrayFileError::Kind::Malformed, path + ": " + error);
  return tensor_in_place(path, header, file->bytes().data() + header.data_offset, file);
}

std::vector<NamedValue> map_npz_file(const std::string& path) {
  std::shared_ptr<const MappedFile> file = open_mapped(path);
  std::vector<ArrayView> views;
  std::string error;
  if (!view_npz(file->bytes(), file, views, error)) throw ArrayFileError(ArrayFileError::Kind::Malformed, path + ": " + error);
  std::vector<NamedValue> values;
  for (const ArrayView& view : views) {
    values.push_back({view.name, tensor_in_place(path + "['" + view.name + "']", view.header, view.data, view.owner)});
  }
  return values;
}

namespace {
std::string_view bytes_of(const Tensor& t) { return {static_cast<const char*>(t.data), t.byte_size()}; }
}  // namespace

std::string write_npy_file(const std::string& path, const Tensor& tensor) {
  std::string header = npy_header(tensor.type.name, tensor.shape);
  return write_file_atomically(path, {header, bytes_of(tensor)});
}

std::string write_npz_file(const std::string& path, const std::vector<std::pair<std::string, const Tensor*>>& arrays) {
  std::deque<std::string> headers;
  std::vector<ZipOutputMember> members;
  for (const auto& [name, tensor] : arrays) {
    headers.push_back(npy_header(tensor->type.name, tensor->shape));
    members.push_back({name + ".npy", {headers.back(), bytes_of(*tensor)}});
  }
  try {
    return write_file_atomically(path, zip_pieces(members).pieces);
  } catch (const std::runtime_error& e) {
    return "cannot write '" + path + "': " + e.what();
  }
}

}  // namespace relaxrt

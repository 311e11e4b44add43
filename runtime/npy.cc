// Reading and writing .npy files: the header's descr, fortran_order and shape, then raw data.
#include "runtime/npy.h"

#include <cstring>

#include "runtime/dtype.h"

namespace relaxrt {

namespace {

struct DescrName {
  const char* descr;
  const char* dtype;
  size_t bytes;
};
// numpy has no bfloat16. ml_dtypes' bfloat16 arrays are saved by np.save as '<V2' (two opaque
// bytes), and become '|V2' when plain numpy loads and saves them again; 'bfloat16' is the
// dtype's name, which np.load reads back once ml_dtypes is imported. All three are read as
// little-endian bfloat16; the first, what ml_dtypes writes, is what relaxrun writes.
constexpr DescrName kDescrs[] = {
    {"<f4", "float32", 4}, {"<f8", "float64", 8}, {"<f2", "float16", 2},  {"<i4", "int32", 4},
    {"<i8", "int64", 8},   {"<i2", "int16", 2},   {"|i1", "int8", 1},     {"|u1", "uint8", 1},
    {"|b1", "bool", 1},    {"<V2", "bfloat16", 2}, {"|V2", "bfloat16", 2}, {"bfloat16", "bfloat16", 2},
};

// The text of `key`'s value in the header dict: "'<f4'", "False", "(1, 784)".
bool header_value(const std::string& header, const std::string& key, std::string& value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return false;
  size_t colon = header.find(':', at);
  if (colon == std::string::npos) return false;
  size_t begin = header.find_first_not_of(' ', colon + 1);
  if (begin == std::string::npos) return false;
  size_t end = header[begin] == '(' ? header.find(')', begin) + 1 : header.find_first_of(",}", begin);
  if (end == std::string::npos || end <= begin) return false;
  value = header.substr(begin, end - begin);
  return true;
}

}  // namespace

int64_t HostArray::element_count() const { return relaxrt::element_count(shape).value_or(0); }

bool parse_npy(const std::string& bytes, HostArray& out, std::string& error) {
  NpyHeader header;
  if (!parse_npy_header(bytes, header, error)) return false;
  out.dtype = header.dtype;
  out.shape = header.shape;
  out.data.resize(bytes.size() - header.data_offset);
  if (!out.data.empty()) std::memcpy(out.data.data(), bytes.data() + header.data_offset, out.data.size());
  return true;
}

bool parse_npy_header(std::string_view bytes, NpyHeader& out, std::string& error) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    error = "expected a .npy file (magic \\x93NUMPY), found " +
            (bytes.empty() ? std::string("an empty file") : "other data");
    return false;
  }
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      error = "expected a .npy header, found a truncated file";
      return false;
    }
    header_len = 0;
    for (int i = 3; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + static_cast<size_t>(i)]);
    header_start = 12;
  } else {
    error = "expected .npy format version 1, 2 or 3, found version " + std::to_string(major);
    return false;
  }
  if (header_start + header_len > bytes.size()) {
    error = "expected a " + std::to_string(header_len) + "-byte .npy header, found a truncated file";
    return false;
  }
  std::string header(bytes.substr(header_start, header_len));
  std::string descr, fortran, shape;
  if (!header_value(header, "descr", descr) || !header_value(header, "fortran_order", fortran) ||
      !header_value(header, "shape", shape)) {
    error = "expected a .npy header with descr, fortran_order and shape, found: " + header;
    return false;
  }
  if (fortran != "False") {
    error = "expected a C-ordered array, found fortran_order=" + fortran;
    return false;
  }
  size_t element_bytes = 0;
  for (const DescrName& d : kDescrs) {
    if (descr == std::string("'") + d.descr + "'") {
      out.dtype = d.dtype;
      element_bytes = d.bytes;
    }
  }
  if (element_bytes == 0) {
    bool bfloat16_like = descr.find('V') != std::string::npos || descr.find("bfloat") != std::string::npos;
    error = bfloat16_like ? "expected '<V2' or 'bfloat16' (a little-endian bfloat16 array) or a numeric dtype such as '<f4', found " + descr
                          : "expected a little-endian numeric dtype such as '<f4', found " + descr;
    return false;
  }
  out.shape.clear();
  size_t pos = 1;
  while (pos < shape.size()) {
    size_t next = shape.find_first_of(",)", pos);
    std::string piece = shape.substr(pos, next - pos);
    piece.erase(0, piece.find_first_not_of(' '));
    if (!piece.empty()) {
      char* end = nullptr;
      long long dim = std::strtoll(piece.c_str(), &end, 10);
      if (dim < 0 || *end != '\0') {
        error = "expected non-negative integer dimensions, found shape " + shape;
        return false;
      }
      out.shape.push_back(dim);
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  size_t data_start = header_start + header_len;
  std::optional<int64_t> count = relaxrt::element_count(out.shape);
  if (!count || static_cast<uint64_t>(*count) > bytes.size()) {
    error = "expected a shape whose data fits in the file, found shape " + shape;
    return false;
  }
  uint64_t expected = static_cast<uint64_t>(*count) * element_bytes;
  if (bytes.size() - data_start != expected) {
    error = "expected " + std::to_string(expected) + " bytes of data for shape " + shape + ", found " +
            std::to_string(bytes.size() - data_start);
    return false;
  }
  out.data_offset = data_start;
  out.data_size = expected;
  return true;
}

std::string npy_header(const std::string& dtype, const std::vector<int64_t>& dims) {
  std::string descr = "<f4";
  for (const DescrName& d : kDescrs) {
    if (dtype == d.dtype) {
      descr = d.descr;
      break;
    }
  }
  std::string shape = "(";
  for (size_t i = 0; i < dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
  shape += dims.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>((header.size() >> 8) & 0xff));
  return out + header;
}

std::string serialize_npy(const HostArray& array) {
  std::string out = npy_header(array.dtype, array.shape);
  out.append(array.data.begin(), array.data.end());
  return out;
}

}  // namespace relaxrt

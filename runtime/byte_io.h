// Little-endian binary encoding for the .rx format. The reader checks every length against the
// bytes that remain, so a truncated or corrupted file is a FormatError, never a wild read.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace relaxrt {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s.data(), s.size());
  }
  void i64s(const std::vector<int64_t>& values) {
    u64(values.size());
    for (int64_t v : values) i64(v);
  }
  void bytes(std::string_view s) { out_.append(s.data(), s.size()); }
  void align(size_t alignment) { out_.resize((out_.size() + alignment - 1) / alignment * alignment, '\0'); }
  size_t size() const { return out_.size(); }
  std::string& buffer() { return out_; }

 private:
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class ByteReader {
 public:
  ByteReader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint32_t u32() { return load<uint32_t>(); }
  uint64_t u64() { return load<uint64_t>(); }
  int64_t i64() { return load<int64_t>(); }
  double f64() { return load<double>(); }
  // A count of items that each take at least `min_item_bytes`: bounded by what remains.
  uint64_t count(size_t min_item_bytes) {
    uint64_t n = u64();
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes) fail("a count of " + std::to_string(n) + " items");
    return n;
  }
  std::string str() { return std::string(take(count(1))); }
  std::vector<int64_t> i64s() {
    uint64_t n = count(8);
    std::vector<int64_t> values(n);
    for (auto& v : values) v = i64();
    return values;
  }
  std::string_view take(uint64_t n) {
    if (n > remaining()) fail(std::to_string(n) + " bytes");
    std::string_view part = data_.substr(pos_, n);
    pos_ += n;
    return part;
  }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  [[noreturn]] void fail(const std::string& wanted) const {
    throw FormatError(what_ + " is truncated or corrupted: it needs " + wanted + " at byte " + std::to_string(pos_) + " but " +
                      std::to_string(remaining()) + " remain");
  }

 private:
  template <typename T>
  T load() {
    T v;
    std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));
    return v;
  }
  std::string_view data_;
  std::string what_;
  size_t pos_ = 0;
};

}  // namespace relaxrt

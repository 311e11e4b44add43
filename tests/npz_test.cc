#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "runtime/npz.h"
#include "test_util.h"

TEST_CASE("numpy's savez archive of the MLP weights reads by key", "[npz]") {
  std::vector<relaxrt::NamedArray> arrays;
  std::string error;
  REQUIRE(relaxrt::parse_npz(read_testdata("../examples/mlp_params.npz"), arrays, error));
  REQUIRE(arrays.size() == 4);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& a : arrays) shapes[a.name] = a.array.shape;
  CHECK(shapes["w0"] == std::vector<int64_t>{128, 784});
  CHECK(shapes["b0"] == std::vector<int64_t>{128});
  CHECK(shapes["w1"] == std::vector<int64_t>{10, 128});
  CHECK(shapes["b1"] == std::vector<int64_t>{10});
}

TEST_CASE("a deflated archive written by numpy reads back", "[npz]") {
  std::vector<relaxrt::NamedArray> arrays;
  std::string error;
  REQUIRE(relaxrt::parse_npz(read_testdata("Inputs/fashion_mnist/test_images_u8.npz"), arrays, error));
  REQUIRE(arrays.size() == 1);
  CHECK(arrays[0].name == "images");
  CHECK(arrays[0].array.shape == std::vector<int64_t>{4443, 28, 28});
}

TEST_CASE("archives round-trip through the writer", "[npz]") {
  relaxrt::NamedArray a{"logits", {}};
  a.array.dtype = "float32";
  a.array.shape = {1, 3};
  float v[3] = {1.5f, -2, 3};
  a.array.data.resize(sizeof v);
  std::memcpy(a.array.data.data(), v, sizeof v);
  std::vector<relaxrt::NamedArray> back;
  std::string error;
  REQUIRE(relaxrt::parse_npz(relaxrt::serialize_npz({a}), back, error));
  REQUIRE(back.size() == 1);
  CHECK(back[0].name == "logits");
  CHECK(back[0].array.data == a.array.data);
}

// Every truncation and every single-byte corruption either parses or fails with a message:
// never a crash (the sanitizer build checks there is no bad memory access either).
TEST_CASE("damaged .npy and .npz files fail cleanly", "[npz][fuzz]") {
  std::string npz = relaxrt::serialize_npz({{"w", [] {
                                               relaxrt::HostArray h;
                                               h.dtype = "int32";
                                               h.shape = {2, 2};
                                               h.data.assign(16, 7);
                                               return h;
                                             }()}});
  std::string npy = read_testdata("Inputs/img2437.npy").substr(0, 400);
  for (const std::string* original : {&npz, &npy}) {
    for (size_t cut = 0; cut < original->size(); ++cut) {
      std::vector<relaxrt::NamedArray> arrays;
      relaxrt::HostArray array;
      std::string error;
      if (original == &npz) {
        CHECK_FALSE(relaxrt::parse_npz(original->substr(0, cut), arrays, error));
      } else {
        CHECK_FALSE(relaxrt::parse_npy(original->substr(0, cut), array, error));
      }
      CHECK_FALSE(error.empty());
    }
    for (size_t at = 0; at < original->size(); ++at) {
      std::string damaged = *original;
      damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
      std::vector<relaxrt::NamedArray> arrays;
      relaxrt::HostArray array;
      std::string error;
      bool ok = original == &npz ? relaxrt::parse_npz(damaged, arrays, error) : relaxrt::parse_npy(damaged, array, error);
      if (!ok) CHECK_FALSE(error.empty());
    }
  }
}

namespace {

void put(std::string& out, uint64_t v, int size) {
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A one-member stored archive whose sizes, offset and end of directory are all given in ZIP64
// form, as numpy writes for arrays of 4 GiB or more.
std::string zip64_archive(const std::string& name, const std::string& content, uint32_t crc) {
  std::string out;
  put(out, 0x04034b50, 4);
  for (uint64_t field : {45, 0, 0, 0, 0}) put(out, field, 2);
  put(out, crc, 4);
  put(out, 0xffffffff, 4);
  put(out, 0xffffffff, 4);
  put(out, name.size(), 2);
  put(out, 20, 2);
  out += name;
  put(out, 0x0001, 2);
  put(out, 16, 2);
  put(out, content.size(), 8);
  put(out, content.size(), 8);
  out += content;
  uint64_t directory = out.size();
  put(out, 0x02014b50, 4);
  for (uint64_t field : {45, 45, 0, 0, 0, 0}) put(out, field, 2);
  put(out, crc, 4);
  put(out, 0xffffffff, 4);
  put(out, 0xffffffff, 4);
  put(out, name.size(), 2);
  put(out, 28, 2);
  for (uint64_t field : {0, 0, 0}) put(out, field, 2);
  put(out, 0, 4);
  put(out, 0xffffffff, 4);
  out += name;
  put(out, 0x0001, 2);
  put(out, 24, 2);
  put(out, content.size(), 8);
  put(out, content.size(), 8);
  put(out, 0, 8);  // local header offset
  uint64_t directory_size = out.size() - directory;
  uint64_t record = out.size();
  put(out, 0x06064b50, 4);
  put(out, 44, 8);
  for (uint64_t field : {45, 45}) put(out, field, 2);
  put(out, 0, 4);
  put(out, 0, 4);
  put(out, 1, 8);
  put(out, 1, 8);
  put(out, directory_size, 8);
  put(out, directory, 8);
  put(out, 0x07064b50, 4);
  put(out, 0, 4);
  put(out, record, 8);
  put(out, 1, 4);
  put(out, 0x06054b50, 4);
  for (uint64_t field : {0, 0, 0xffff, 0xffff}) put(out, field, 2);
  put(out, 0xffffffff, 4);
  put(out, 0xffffffff, 4);
  put(out, 0, 2);
  return out;
}

}  // namespace

TEST_CASE("ZIP64 sizes, offsets and end of directory are read", "[npz]") {
  relaxrt::HostArray a;
  a.dtype = "int64";
  a.shape = {2};
  int64_t v[2] = {7, -9};
  a.data.resize(sizeof v);
  std::memcpy(a.data.data(), v, sizeof v);
  std::string npy = relaxrt::serialize_npy(a);
  // CRC-32 of the member, taken from the writer's own archive of the same bytes.
  std::string plain = relaxrt::serialize_npz({{"x", a}});
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc |= static_cast<uint32_t>(static_cast<unsigned char>(plain[14 + i])) << (8 * i);
  std::vector<relaxrt::NamedArray> back;
  std::string error;
  REQUIRE(relaxrt::parse_npz(zip64_archive("x.npy", npy, crc), back, error));
  REQUIRE(back.size() == 1);
  CHECK(back[0].name == "x");
  CHECK(back[0].array.data == a.data);
  // A wrong checksum is reported, not ignored.
  CHECK_FALSE(relaxrt::parse_npz(zip64_archive("x.npy", npy, crc ^ 1), back, error));
  CHECK(error == "member 'x.npy' is damaged: its CRC-32 does not match");
}

// bfloat16 arrays in the runtime: the .npy descrs read as bfloat16 ('<V2', what ml_dtypes'
// np.save writes; '|V2', that array re-saved by plain numpy; 'bfloat16', the dtype's name), the
// one written ('<V2'), the descrs rejected, .npz members, printing (as numpy prints the float32
// values) and comparison (by value).
#include <catch2/catch.hpp>

#include <cstring>

#include "runtime/bind_arguments.h"
#include "runtime/compare_arrays.h"
#include "runtime/format_array.h"
#include "runtime/npy.h"
#include "runtime/npz.h"

namespace {

// A version 1.0 .npy file of `descr` and `shape` (the header text as numpy writes it).
std::string npy_bytes(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

// The bits of 1.0, 0.10009765625 (0.1 rounded), -inf, NaN and the smallest subnormal, 2^-133.
const uint16_t kBits[] = {0x3F80, 0x3DCD, 0xFF80, 0x7FC0, 0x0001};

std::string bits_data() { return std::string(reinterpret_cast<const char*>(kBits), sizeof kBits); }

relaxrt::HostArray bfloat16_array() {
  relaxrt::HostArray array;
  array.dtype = "bfloat16";
  array.shape = {5};
  array.data.resize(sizeof kBits);
  std::memcpy(array.data.data(), kBits, sizeof kBits);
  return array;
}

}  // namespace

TEST_CASE("bfloat16 .npy files read under each descr numpy and ml_dtypes write", "[npy][bfloat16]") {
  for (const char* descr : {"<V2", "|V2", "bfloat16"}) {
    INFO(descr);
    relaxrt::HostArray array;
    std::string error;
    REQUIRE(relaxrt::parse_npy(npy_bytes(descr, "(5,)", bits_data()), array, error));
    CHECK(array.dtype == "bfloat16");
    CHECK(array.shape == std::vector<int64_t>{5});
    CHECK(array.data == bfloat16_array().data);
  }
}

TEST_CASE("bfloat16 arrays are written as '<V2', as ml_dtypes writes them, and read back", "[npy][bfloat16]") {
  std::string bytes = relaxrt::serialize_npy(bfloat16_array());
  CHECK(bytes.find("'descr': '<V2'") != std::string::npos);
  CHECK(bytes == npy_bytes("<V2", "(5,)", bits_data()));
  relaxrt::HostArray back;
  std::string error;
  REQUIRE(relaxrt::parse_npy(bytes, back, error));
  CHECK(back.dtype == "bfloat16");
  CHECK(back.data == bfloat16_array().data);
}

TEST_CASE("other void and big-endian descrs are one-line errors", "[npy][bfloat16]") {
  for (const char* descr : {">V2", "<V4", "|V1", "bfloat8"}) {
    INFO(descr);
    relaxrt::HostArray array;
    std::string error;
    CHECK_FALSE(relaxrt::parse_npy(npy_bytes(descr, "(1,)", std::string(2, '\0')), array, error));
    CHECK(error == std::string("expected '<V2' or 'bfloat16' (a little-endian bfloat16 array) or a numeric dtype such as '<f4', found '") + descr + "'");
  }
  relaxrt::HostArray array;
  std::string error;
  CHECK_FALSE(relaxrt::parse_npy(npy_bytes("<u2", "(1,)", std::string(2, '\0')), array, error));
  CHECK(error == "expected a little-endian numeric dtype such as '<f4', found '<u2'");
  CHECK_FALSE(relaxrt::parse_npy(npy_bytes("<V2", "(5,)", bits_data().substr(0, 8)), array, error));
  CHECK(error == "expected 10 bytes of data for shape (5,), found 8");
}

TEST_CASE("bfloat16 members of an .npz archive round-trip", "[npz][bfloat16]") {
  std::vector<relaxrt::NamedArray> back;
  std::string error;
  REQUIRE(relaxrt::parse_npz(relaxrt::serialize_npz({{"w", bfloat16_array()}}), back, error));
  REQUIRE(back.size() == 1);
  CHECK(back[0].name == "w");
  CHECK(back[0].array.dtype == "bfloat16");
  CHECK(back[0].array.data == bfloat16_array().data);
}

TEST_CASE("bfloat16 tensors print and compare as their float32 values", "[format][bfloat16]") {
  auto owner = std::make_shared<const relaxrt::HostArray>(bfloat16_array());
  relaxrt::Value value = relaxrt::to_value(*owner, owner);
  // numpy's print() of np.array([1.0, 0.10009765625, -inf, nan, 2**-133], np.float32):
  CHECK(relaxrt::format_array(*value.tensor) == "[1.00000000e+00 1.00097656e-01           -inf            nan\n 9.18354962e-41]");
  CHECK(relaxrt::element_as_double(*value.tensor, 1) == 0.10009765625);
  CHECK(relaxrt::element_as_double(*value.tensor, 2) == -INFINITY);

  relaxrt::HostArray near = bfloat16_array();
  uint16_t one_up = 0x3F81;  // 1.0078125
  std::memcpy(near.data.data(), &one_up, 2);
  auto near_owner = std::make_shared<const relaxrt::HostArray>(near);
  relaxrt::Value other = relaxrt::to_value(*near_owner, near_owner);
  CHECK(relaxrt::compare_arrays(*value.tensor, *value.tensor, 0, 0).equal);
  relaxrt::Comparison off = relaxrt::compare_arrays(*other.tensor, *value.tensor, 1e-3, 0);
  CHECK_FALSE(off.equal);
  CHECK(off.message.find("mismatch at index (0,): got 1.0078125 but expected 1") != std::string::npos);
  CHECK(relaxrt::compare_arrays(*other.tensor, *value.tensor, 1e-2, 0).equal);
}

#include <catch2/catch.hpp>

#include <cstring>

#include "runtime/npy.h"
#include "test_util.h"

TEST_CASE("npy arrays round-trip", "[npy]") {
  relaxrt::HostArray array;
  array.dtype = "float32";
  array.shape = {2, 3};
  float values[6] = {1, 2, 3, 4, 5, 6.5f};
  array.data.resize(sizeof values);
  std::memcpy(array.data.data(), values, sizeof values);
  relaxrt::HostArray back;
  std::string error;
  REQUIRE(relaxrt::parse_npy(relaxrt::serialize_npy(array), back, error));
  CHECK(back.dtype == "float32");
  CHECK(back.shape == array.shape);
  CHECK(back.data == array.data);
}

TEST_CASE("the chapter's image loads as a (1, 784) float32 array", "[npy]") {
  relaxrt::HostArray image;
  std::string error;
  REQUIRE(relaxrt::parse_npy(read_testdata("Inputs/img2437.npy"), image, error));
  CHECK(image.dtype == "float32");
  CHECK(image.shape == std::vector<int64_t>{1, 784});
}

TEST_CASE("truncated and foreign files are rejected with a reason", "[npy]") {
  relaxrt::HostArray out;
  std::string error;
  CHECK_FALSE(relaxrt::parse_npy("not numpy", out, error));
  CHECK(error.find("expected a .npy file") != std::string::npos);
  std::string bytes = read_testdata("Inputs/img2437.npy");
  CHECK_FALSE(relaxrt::parse_npy(bytes.substr(0, bytes.size() - 4), out, error));
  CHECK(error.find("bytes of data") != std::string::npos);
}

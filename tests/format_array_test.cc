#include <catch2/catch.hpp>

#include "runtime/bind_arguments.h"
#include "runtime/format_array.h"
#include "test_util.h"

// Each case is an array and numpy's own print() of it (testdata/Inputs/format/make_format_cases.py).
TEST_CASE("arrays print exactly as numpy prints them", "[format]") {
  for (const char* name : {"logits", "scientific", "nonfinite", "ints", "bools", "float64", "zeros", "scalar", "empty", "wrapped",
                           "cube", "summarised", "integral_floats", "uint8"}) {
    INFO(name);
    relaxrt::HostArray array;
    std::string error;
    REQUIRE(relaxrt::parse_npy(read_testdata(std::string("Inputs/format/") + name + ".npy"), array, error));
    auto owner = std::make_shared<const relaxrt::HostArray>(array);
    relaxrt::Value value = relaxrt::to_value(*owner, owner);
    CHECK(relaxrt::format_array(*value.tensor) + "\n" == read_testdata(std::string("Inputs/format/") + name + ".txt"));
  }
}

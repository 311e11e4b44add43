#include <catch2/catch.hpp>

#include "compiler/ir/printer/printer_internal.h"
#include "test_util.h"

using namespace relaxc;

TEST_CASE("MyModule prints as the chapter shows", "[printer]") {
  Compiled c(read_testdata("seed/my_module.tvms"));
  REQUIRE(c.module.has_value());
  CHECK(emit_tvms(*c.module) == read_testdata("seed/printed_my_module.tvms"));
}

TEST_CASE("floats print as the shortest text that reads back", "[printer]") {
  CHECK(printing::format_float(0) == "0");
  CHECK(printing::format_float(-3) == "-3");
  CHECK(printing::format_float(0.5) == "0.5");
  CHECK(printing::format_float(0.1) == "0.1");
  CHECK(std::stod(printing::format_float(1e-7)) == 1e-7);
  CHECK(printing::format_float(1e-7) == "1e-07");
}

TEST_CASE("operator precedence decides the parentheses", "[printer]") {
  Compiled c(R"(@T.prim_func
def f(a: T.handle):
    A = T.match_buffer(a, (8,))
    for i in range(8):
        A[i] = (A[i] + A[i]) * (A[i] - (A[i] - A[i]))
)");
  REQUIRE(c.module.has_value());
  CHECK(emit_tvms(*c.module).find("A[i] = (A[i] + A[i]) * (A[i] - (A[i] - A[i]))") != std::string::npos);
}

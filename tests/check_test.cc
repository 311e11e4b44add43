#include <catch2/catch.hpp>

#include "compiler/ir/printer/printer_internal.h"
#include "test_util.h"

using namespace relaxc;

TEST_CASE("main's return struct info is inferred with its symbolic variable", "[check]") {
  Compiled c(read_testdata("seed/my_module.tvms"));
  REQUIRE(c.module.has_value());
  const relax::Function* main = c.module->find_function("main");
  REQUIRE(main->ret_sinfo != nullptr);
  CHECK(printing::print_sinfo(*main->ret_sinfo, true) == "R.Tensor((1, \"k\"), dtype=\"float32\")");
}

TEST_CASE("operators infer shapes with numpy broadcasting", "[check]") {
  Compiled c(R"(@R.function
def main(x: R.Tensor((2, 1, 4), "float32"), y: R.Tensor((3, 1), "float32"), w: R.Tensor((4, 5), "float32")):
    with R.dataflow():
        a = R.add(x, y)
        b = R.matmul(a, w)
        s = R.sum(b, axis=1, keepdims=True)
        r = R.reshape(s, (2, -1))
        R.output(r)
    return r
)");
  REQUIRE(c.module.has_value());
  const relax::Function* main = c.module->find_function("main");
  const auto& bindings = main->blocks[0].bindings;
  CHECK(printing::print_sinfo(*bindings[0].var->sinfo, false) == "R.Tensor((2, 3, 4), dtype=\"float32\")");
  CHECK(printing::print_sinfo(*bindings[1].var->sinfo, false) == "R.Tensor((2, 3, 5), dtype=\"float32\")");
  CHECK(printing::print_sinfo(*bindings[2].var->sinfo, false) == "R.Tensor((2, 1, 5), dtype=\"float32\")");
  CHECK(printing::print_sinfo(*bindings[3].var->sinfo, false) == "R.Tensor((2, 5), dtype=\"float32\")");
}

TEST_CASE("the checker reports every error, not just the first", "[check]") {
  Compiled c(R"(@T.prim_func
def f(x: T.handle):
    X = T.match_buffer(x, (4, 4))
    for i in range(4):
        X[i] = T.float64(0)
)");
  CHECK_FALSE(c.module.has_value());
  CHECK(c.diags.error_count() == 2);
  std::string text = c.rendered();
  CHECK(text.find("test.tvms:5:9: error: buffer 'X' has 2 dimensions but is indexed with 1") != std::string::npos);
  CHECK(text.find("test.tvms:5:16: error: cannot store a float64 value into float32 buffer 'X'") != std::string::npos);
}

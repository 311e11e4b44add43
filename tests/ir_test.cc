#include <catch2/catch.hpp>

#include "compiler/ir/dtype.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/support/source.h"

using namespace relaxc;

TEST_CASE("dtype names round-trip", "[ir]") {
  for (const char* name : {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}) {
    std::optional<DataType> dtype = parse_dtype(name);
    REQUIRE(dtype.has_value());
    CHECK(std::string(dtype_name(*dtype)) == name);
  }
  CHECK_FALSE(parse_dtype("float23").has_value());
  CHECK_FALSE(parse_dtype("handle").has_value());
  CHECK(dtype_bits(DataType::Float16) == 16);
}

TEST_CASE("source lines split on every line ending", "[ir]") {
  SourceFile file("f", "a\r\nbb\rccc\n\nlast");
  REQUIRE(file.line_count() == 5);
  CHECK(file.line_text(1) == "a");
  CHECK(file.line_text(2) == "bb");
  CHECK(file.line_text(3) == "ccc");
  CHECK(file.line_text(4).empty());
  CHECK(file.line_text(5) == "last");
  CHECK(file.line_text(6).empty());
}

TEST_CASE("vars_in lists each variable once, in order", "[ir]") {
  using namespace relaxc::tir;
  auto n = std::make_shared<Var>(Var{"n", DataType::Int64, {}});
  auto m = std::make_shared<Var>(Var{"m", DataType::Int64, {}});
  Expr n_ref = std::make_shared<VarRef>(n, SourceLoc{});
  Expr m_ref = std::make_shared<VarRef>(m, SourceLoc{});
  Expr sum = std::make_shared<Binary>(BinaryOp::Add, m_ref, std::make_shared<Binary>(BinaryOp::Mul, n_ref, m_ref, DataType::Int64, SourceLoc{}),
                                      DataType::Int64, SourceLoc{});
  std::vector<VarPtr> vars = vars_in(sum);
  REQUIRE(vars.size() == 2);
  CHECK(vars[0] == m);
  CHECK(vars[1] == n);
  CHECK(uses_var(sum, n.get()));
}

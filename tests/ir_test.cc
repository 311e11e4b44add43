#include <catch2/catch.hpp>

#include "compiler/ir/dtype.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/ir/tvm_metadata.h"
#include "compiler/support/source.h"
#include "compiler/support/utf8.h"

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

TEST_CASE("UTF-8 validation follows the well-formed sequences of Unicode's table 3-7", "[ir]") {
  // At each boundary: the last valid sequence and the first invalid one.
  const char* valid[] = {"\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                         "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"};
  for (const char* text : valid) CHECK(find_invalid_utf8(text) == std::string_view::npos);
  struct Bad {
    const char* text;
    const char* description;
  };
  const Bad invalid[] = {
      {"\x80", "invalid UTF-8 byte 0x80"},
      {"\xc1\xbf", "invalid UTF-8 byte 0xc1"},
      {"\xe0\x9f\xbf", "invalid UTF-8 sequence e0 9f bf (an overlong encoding)"},
      {"\xed\xa0\x80", "invalid UTF-8 sequence ed a0 80 (an encoded surrogate, U+D800..U+DFFF)"},
      {"\xf0\x8f\xbf\xbf", "invalid UTF-8 sequence f0 8f bf bf (an overlong encoding)"},
      {"\xf4\x90\x80\x80", "invalid UTF-8 sequence f4 90 80 80 (a code point above U+10FFFF)"},
      {"\xf5\x80\x80\x80", "invalid UTF-8 byte 0xf5"},
      {"\xe2\x82", "invalid UTF-8 sequence e2 82 (a character cut short)"},
      {"\xe2\x82x", "invalid UTF-8 sequence e2 82 (a character cut short)"},
  };
  for (const Bad& bad : invalid) {
    std::string text = std::string("ok ") + bad.text;
    REQUIRE(find_invalid_utf8(text) == 3);
    CHECK(describe_invalid_utf8(text, 3) == bad.description);
  }
}

TEST_CASE("TVM's metadata section round-trips every dtype in both layouts it writes", "[ir]") {
  std::vector<ConstantTensor> constants;
  const std::pair<DataType, int> kinds[] = {{DataType::Bool, 1},    {DataType::Int8, 1},     {DataType::Int16, 2},
                                            {DataType::Int32, 4},   {DataType::Int64, 8},    {DataType::UInt8, 1},
                                            {DataType::Float16, 2}, {DataType::BFloat16, 2}, {DataType::Float32, 4},
                                            {DataType::Float64, 8}};
  for (const auto& [dtype, bytes] : kinds) {
    ConstantTensor c;
    c.dtype = dtype;
    c.shape = {2, 3};
    for (int i = 0; i < 6 * bytes; ++i) c.bytes.push_back(static_cast<char>(i * 7 + bytes));
    constants.push_back(c);
  }
  ConstantTensor scalar;  // 0-d, and a size-0 tensor
  scalar.dtype = DataType::Float32;
  scalar.bytes = std::string("\0\0\x80\x3f", 4);
  constants.push_back(scalar);
  ConstantTensor empty;
  empty.shape = {0, 5};
  constants.push_back(empty);
  for (MetadataLayout layout : {MetadataLayout::StructInfo, MetadataLayout::Type}) {
    std::string error;
    std::vector<ConstantTensor> back = read_tvm_metadata(write_tvm_metadata(constants, layout), error);
    REQUIRE(error.empty());
    REQUIRE(back.size() == constants.size());
    for (size_t i = 0; i < back.size(); ++i) {
      CHECK(back[i].dtype == constants[i].dtype);
      CHECK(back[i].shape == constants[i].shape);
      CHECK(back[i].bytes == constants[i].bytes);
    }
  }
}

TEST_CASE("a malformed metadata graph is an error, not an exception", "[ir]") {
  const char* bad[] = {"", "[]", "{\"nodes\": 3}", "{\"nodes\": [], \"root_index\": 0}",
                       "{\"nodes\": [{\"type\": \"ffi.Map\", \"data\": [0]}], \"root_index\": 0}",
                       "{\"nodes\": [{\"type\": \"ffi.Map\", \"data\": [0, 0]}], \"root_index\": 0}",
                       "{\"nodes\": [{\"type\": \"ffi.Map\", \"data\": [\"x\", 1.5]}], \"root_index\": \"0\"}",
                       "{\"nodes\": [null, {\"type_key\": \"Map\", \"keys\": [\"relax.expr.Constant\"], \"data\": [2]}, {}], \"root\": 1}",
                       "{\"nodes\": [{\"type\": \"ffi.Map\"}], \"root_index\": 99999999999999999999}"};
  for (const char* text : bad) {
    std::string error;
    CHECK(read_tvm_metadata(text, error).empty());
    CHECK_FALSE(error.empty());
  }
}

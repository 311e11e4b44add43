#include <catch2/catch.hpp>

#include "compiler/ir/tir_visitor.h"
#include "test_util.h"

using namespace relaxc;

TEST_CASE("the chapter's MyModule parses into two prim_funcs and main", "[parse]") {
  Compiled c(read_testdata("seed/my_module.tvms"));
  REQUIRE(c.module.has_value());
  const Module& m = *c.module;
  REQUIRE(m.prim_funcs.size() == 2);
  REQUIRE(m.functions.size() == 1);
  const tir::PrimFunc* linear0 = m.find_prim_func("linear0");
  REQUIRE(linear0 != nullptr);
  REQUIRE(linear0->params.size() == 4);
  CHECK(linear0->params[1].buffer->name == "W");
  CHECK(linear0->params[1].buffer->shape.size() == 2);
  CHECK(linear0->size_vars.size() == 3);
  CHECK(linear0->root_alloc_buffers.size() == 1);
  CHECK(linear0->has_root_block);
  const relax::Function* main = m.find_function("main");
  REQUIRE(main != nullptr);
  CHECK(main->params.size() == 5);
  REQUIRE(main->blocks.size() == 1);
  CHECK(main->blocks[0].is_dataflow);
  CHECK(main->blocks[0].bindings.size() == 3);
  CHECK(main->blocks[0].bindings[0].var->is_dataflow);
  CHECK_FALSE(main->blocks[0].bindings[2].var->is_dataflow);
}

TEST_CASE("reduction axes keep their kinds from T.axis.remap", "[parse]") {
  Compiled c(read_testdata("seed/my_module.tvms"));
  REQUIRE(c.module.has_value());
  const tir::PrimFunc* linear0 = c.module->find_prim_func("linear0");
  const tir::Block* block = nullptr;
  tir::visit_stmt(linear0->body, [&](const tir::StmtNode& node) {
    if (node.as<tir::Block>() && !block) block = node.as<tir::Block>();
  });
  REQUIRE(block != nullptr);
  REQUIRE(block->iter_vars.size() == 3);
  CHECK(block->iter_vars[0].kind == tir::IterKind::Spatial);
  CHECK(block->iter_vars[2].kind == tir::IterKind::Reduce);
  CHECK(block->init != nullptr);
}

TEST_CASE("a syntax error stops at the first error with its position", "[parse]") {
  Compiled c("@T.prim_func\ndef f(x: T.handle):\n    for i in range(4)\n        pass\n");
  CHECK_FALSE(c.module.has_value());
  CHECK(c.diags.error_count() == 1);
  CHECK(c.rendered().find("test.tvms:3:22: error: invalid syntax: unexpected end of line; expected ':'") != std::string::npos);
}

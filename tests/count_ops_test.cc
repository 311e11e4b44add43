#include <catch2/catch.hpp>

#include "compiler/codegen/shape_program.h"
#include "compiler/passes/tir/count_ops.h"
#include "runtime/match_signature.h"
#include "runtime/profiler.h"
#include "test_util.h"

using namespace relaxc;

namespace {

// The count of prim_func `name` evaluated for arguments of the given shapes, as relaxrun does.
std::optional<int64_t> count_for(const Module& module, const std::string& name, const std::vector<std::vector<int64_t>>& shapes) {
  std::optional<KernelOpCount> count = count_float_ops(*module.find_prim_func(name));
  if (!count) return std::nullopt;
  relaxrt::KernelCost cost;
  cost.slot_args = count->slot_params;
  cost.slot_dims = count->slot_dims;
  auto slot_of = [&](const tir::Var* var) -> std::optional<int64_t> {
    for (size_t k = 0; k < count->slot_vars.size(); ++k) {
      if (count->slot_vars[k].get() == var) return static_cast<int64_t>(k);
    }
    return std::nullopt;
  };
  REQUIRE_FALSE(codegen::append_shape_program(count->count, slot_of, cost.program));
  std::vector<relaxrt::Value> args;
  for (const std::vector<int64_t>& shape : shapes) {
    args.push_back(relaxrt::Value::of(relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), shape)));
  }
  return relaxrt::evaluate_kernel_cost(cost, args);
}

constexpr const char* kKernels = R"(
@I.ir_module
class Module:
    @T.prim_func
    def mm_relu(a: T.handle, b: T.handle, c: T.handle):
        n = T.int64()
        A = T.match_buffer(a, (n, 64), "float32")
        B = T.match_buffer(b, (64, 32), "float32")
        C = T.match_buffer(c, (n, 32), "float32")
        Y = T.alloc_buffer((n, 32), "float32")
        for i, j, k in T.grid(n, 32, 64):
            with T.block("Y"):
                vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                with T.init():
                    Y[vi, vj] = T.float32(0)
                Y[vi, vj] = Y[vi, vj] + A[vi, vk] * B[vk, vj]
        for i, j in T.grid(n, 32):
            with T.block("C"):
                vi, vj = T.axis.remap("SS", [i, j])
                C[vi, vj] = T.max(Y[vi, vj], T.float32(0))

    @T.prim_func
    def triangle(a: T.handle, c: T.handle):
        A = T.match_buffer(a, (8, 8), "float32")
        C = T.match_buffer(c, (8, 8), "float32")
        for i in range(8):
            for j in range(i):
                with T.block("C"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    C[vi, vj] = A[vi, vj] * T.float32(2)

    @T.prim_func
    def copy_exp(a: T.handle, c: T.handle):
        A = T.match_buffer(a, (4, 5), "float32")
        C = T.match_buffer(c, (4, 5), "float32")
        for i, j in T.grid(4, 5):
            with T.block("C"):
                vi, vj = T.axis.remap("SS", [i, j])
                C[vi, vj] = T.exp(A[vi, vj]) + T.min_value("float32")
)";

}  // namespace

TEST_CASE("a kernel's floating-point operations are counted over its arguments' sizes", "[profile]") {
  Compiled c(kKernels);
  REQUIRE(c.module.has_value());
  // n x 32 x 64 multiply-adds, then a max per output.
  CHECK(count_for(*c.module, "mm_relu", {{5, 64}, {64, 32}, {5, 32}}) == 5 * 32 * 64 * 2 + 5 * 32);
  CHECK(count_for(*c.module, "mm_relu", {{0, 64}, {64, 32}, {0, 32}}) == 0);
  // exp counts one, the constant none, the add one.
  CHECK(count_for(*c.module, "copy_exp", {{4, 5}, {4, 5}}) == 4 * 5 * 2);
  // A loop bounded by another loop's variable has no count in these terms.
  CHECK_FALSE(count_float_ops(*c.module->find_prim_func("triangle")).has_value());
  // An argument without the dimension a size is read from gives no count rather than a wrong one.
  CHECK_FALSE(count_for(*c.module, "mm_relu", {std::vector<int64_t>{}, {64, 32}, {5, 32}}).has_value());
}

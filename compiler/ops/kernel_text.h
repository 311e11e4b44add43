// Writes the TensorIR of a legalized operator as TVMScript text, which the front end then
// parses like any user prim_func: the generated kernels go through the same checks and print
// exactly as they run. Names follow TVM's legalizer (buffers A, B, T_add; loops ax0, ...;
// block iteration variables v_ax0, ...).
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/relax.h"

namespace relaxc::ops {

// The text of one dimension or index expression.
std::string dim_text(const tir::Expr& dim);
std::string dtype_literal(DataType dtype, double value);  // T.float32(0)
std::string join_text(const std::vector<std::string>& parts, const std::string& separator = ", ");

class KernelText {
 public:
  explicit KernelText(std::string name) : name_(std::move(name)) {}

  // A buffer parameter (inputs first, then outputs); its symbolic sizes are declared for it.
  void param(const std::string& buffer, const std::vector<tir::Expr>& shape, DataType dtype);
  // A function-level intermediate buffer.
  void alloc(const std::string& buffer, const std::vector<std::string>& shape, DataType dtype);
  // `for ax0, ... in T.grid(extents): with T.block(name): v_ax0, ... = T.axis.remap(kinds, [...])`,
  // leaving the body open at the block's indentation. Iteration names are `loops` prefixed by v_.
  void open_block(const std::string& block, const std::vector<std::string>& loops, const std::vector<std::string>& extents,
                  const std::string& kinds);
  void close_block();
  void line(const std::string& text) { body_.push_back(std::string(4 * depth_, ' ') + text); }
  void indent() { ++depth_; }
  void dedent() { --depth_; }
  std::string str() const;

 private:
  std::string name_;
  std::vector<std::string> params_, matches_, sizes_, allocs_, body_;
  std::vector<std::string> declared_;
  int depth_ = 1;
  std::vector<int> opened_;  // indentation added by each open block
};

}  // namespace relaxc::ops

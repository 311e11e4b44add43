// Elementwise operators with numpy broadcasting: add, subtract, multiply, divide, maximum,
// minimum, exp, nn.relu. Operands align at the last axis; an operand's axis of extent 1
// repeats along the output's. An R.const scalar operand is written into the kernel.
#include "compiler/passes/relax/kernel_text.h"
#include "compiler/passes/relax/op_kernels.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::legalize {

namespace {

std::string indexed(const std::string& buffer, const std::vector<std::string>& indices) {
  return buffer + "[" + (indices.empty() ? std::string("()") : join_text(indices)) + "]";
}

}  // namespace

std::string elementwise_kernel(const std::string& name, const KernelRequest& request) {
  const relax::Call& call = request.call;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  size_t rank = out_shape.size();
  if (rank == 0) throw CompileError(call.loc, "R." + call.op + " of 0-d tensors is not supported by the code generator yet");
  if (call.op == "divide" && !is_float(dtype)) {
    throw CompileError(call.loc, "R.divide of " + std::string(dtype_name(dtype)) + " tensors is not supported; cast to a float dtype first");
  }
  bool unary = call.op == "exp" || call.op == "nn.relu";
  std::string out = unary ? "compute" : "T_" + call.op;
  KernelText k(name);
  static const char* kLetters[] = {"A", "B"};
  std::vector<std::string> loads;
  std::vector<std::string> loops = loop_names("ax", rank);
  for (size_t i = 0; i < request.operands.size(); ++i) {
    const Operand& operand = request.operands[i];
    if (operand.scalar) {
      loads.push_back(dtype_literal(dtype, *operand.scalar));
      continue;
    }
    const std::vector<tir::Expr>& shape = shape_of(*operand.sinfo);
    k.param(kLetters[i], shape, operand.sinfo->dtype);
    std::vector<std::string> indices;
    for (size_t d = 0; d < shape.size(); ++d) {
      size_t j = d + (rank - shape.size());
      indices.push_back(broadcast_index(shape[d], out_shape[j], "v_" + loops[j]));
    }
    loads.push_back(indexed(kLetters[i], indices));
  }
  k.param(out, out_shape, dtype);
  std::string value;
  const std::string& a = loads[0];
  if (call.op == "add") value = a + " + " + loads[1];
  else if (call.op == "subtract") value = a + " - " + loads[1];
  else if (call.op == "multiply") value = a + " * " + loads[1];
  else if (call.op == "divide") value = a + " / " + loads[1];
  else if (call.op == "maximum") value = "T.max(" + a + ", " + loads[1] + ")";
  else if (call.op == "minimum") value = "T.min(" + a + ", " + loads[1] + ")";
  else if (call.op == "exp") value = "T.exp(" + a + ")";
  else value = "T.max(" + a + ", " + dtype_literal(dtype, 0) + ")";
  k.open_block(out, loops, dim_texts(out_shape), std::string(rank, 'S'));
  std::vector<std::string> out_index;
  for (const std::string& loop : loops) out_index.push_back("v_" + loop);
  k.line(indexed(out, out_index) + " = " + value);
  k.close_block();
  return k.str();
}

}  // namespace relaxc::legalize

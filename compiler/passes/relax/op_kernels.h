// One TensorIR kernel per high-level Relax operator, written as text (kernel_text.h). Each
// takes the operator call, the struct info of its tensor operands and of its result, and
// returns the kernel, or throws CompileError (at the call) for attribute values it does not
// implement — never a kernel that would compute something else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/relax.h"

namespace relaxc::legalize {

struct Operand {
  relax::StructInfoPtr sinfo;     // a tensor with known shape and dtype
  std::optional<double> scalar;   // an R.const scalar, written into the kernel as a literal
};

struct KernelRequest {
  const relax::Call& call;
  std::vector<Operand> operands;
  relax::StructInfoPtr result;
};

// TVM's name for the kernel of `op` ("add", "transpose" for permute_dims, "conv2d", ...).
std::string kernel_base_name(const std::string& op);
bool is_legalizable(const std::string& op);
std::string kernel_text(const std::string& name, const KernelRequest& request);

// Per family (op_kernels_*.cc).
std::string elementwise_kernel(const std::string& name, const KernelRequest& request);
std::string matmul_kernel(const std::string& name, const KernelRequest& request);
std::string linear_kernel(const std::string& name, const KernelRequest& request);
std::string permute_kernel(const std::string& name, const KernelRequest& request);
std::string reshape_kernel(const std::string& name, const KernelRequest& request);
std::string reduce_kernel(const std::string& name, const KernelRequest& request);
std::string softmax_kernel(const std::string& name, const KernelRequest& request);
std::string conv2d_kernel(const std::string& name, const KernelRequest& request);
std::string pool2d_kernel(const std::string& name, const KernelRequest& request);

// Helpers shared by the families.
const std::vector<tir::Expr>& shape_of(const relax::StructInfo& sinfo);
// The operator keyword `key`, or null when the call does not give it.
const AttrValue* find_attr(const relax::Call& call, const std::string& key);
bool bool_attr(const relax::Call& call, const std::string& key);
// The index into an operand's axis of extent `operand_dim` for the output axis of extent
// `out_dim` that `iter` walks: T.int64(0) where numpy broadcasting repeats an extent-1 axis.
std::string broadcast_index(const tir::Expr& operand_dim, const tir::Expr& out_dim, const std::string& iter);
std::vector<int64_t> int_list_attr(const relax::Call& call, const std::string& key, std::vector<int64_t> fallback);
std::vector<std::string> loop_names(const std::string& prefix, size_t count);
std::vector<std::string> dim_texts(const std::vector<tir::Expr>& shape);

}  // namespace relaxc::legalize

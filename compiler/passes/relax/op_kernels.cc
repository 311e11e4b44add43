#include "compiler/passes/relax/op_kernels.h"

#include <map>

#include "compiler/passes/relax/kernel_text.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::legalize {

namespace {

using Generator = std::string (*)(const std::string&, const KernelRequest&);

struct OpKernel {
  const char* base_name;
  Generator generate;
};

const std::map<std::string, OpKernel>& kernels() {
  static const std::map<std::string, OpKernel> table = {
      {"add", {"add", elementwise_kernel}},           {"subtract", {"subtract", elementwise_kernel}},
      {"multiply", {"multiply", elementwise_kernel}}, {"divide", {"divide", elementwise_kernel}},
      {"maximum", {"maximum", elementwise_kernel}},   {"minimum", {"minimum", elementwise_kernel}},
      {"exp", {"exp", elementwise_kernel}},           {"nn.relu", {"relu", elementwise_kernel}},
      {"matmul", {"matmul", matmul_kernel}},          {"nn.linear", {"linear", linear_kernel}},
      {"permute_dims", {"transpose", permute_kernel}}, {"reshape", {"reshape", reshape_kernel}},
      {"flatten", {"reshape", reshape_kernel}},       {"sum", {"sum", reduce_kernel}},
      {"mean", {"mean", reduce_kernel}},              {"nn.softmax", {"softmax", softmax_kernel}},
      {"nn.conv2d", {"conv2d", conv2d_kernel}},       {"nn.max_pool2d", {"max_pool2d", pool2d_kernel}},
      {"nn.avg_pool2d", {"avg_pool2d", pool2d_kernel}},
  };
  return table;
}

}  // namespace

bool is_legalizable(const std::string& op) { return kernels().count(op) > 0; }

std::string kernel_base_name(const std::string& op) { return kernels().at(op).base_name; }

std::string kernel_text(const std::string& name, const KernelRequest& request) {
  return kernels().at(request.call.op).generate(name, request);
}

const std::vector<tir::Expr>& shape_of(const relax::StructInfo& sinfo) { return *sinfo.shape; }

const AttrValue* find_attr(const relax::Call& call, const std::string& key) {
  for (const auto& [name, value] : call.attrs) {
    if (name == key) return value.get();
  }
  return nullptr;
}

bool bool_attr(const relax::Call& call, const std::string& key) {
  const AttrValue* value = find_attr(call, key);
  return value && value->kind == AttrValue::Kind::Bool && value->bool_value;
}

std::string broadcast_index(const tir::Expr& operand_dim, const tir::Expr& out_dim, const std::string& iter) {
  auto is_one = [](const tir::Expr& dim) {
    const auto* imm = dim->as<tir::IntImm>();
    return imm && imm->value == 1;
  };
  return is_one(operand_dim) && !is_one(out_dim) ? "T.int64(0)" : iter;
}

std::vector<int64_t> int_list_attr(const relax::Call& call, const std::string& key, std::vector<int64_t> fallback) {
  const AttrValue* value = find_attr(call, key);
  if (!value || value->kind == AttrValue::Kind::None) return fallback;
  if (value->kind == AttrValue::Kind::Int) return {value->int_value};
  if (value->kind != AttrValue::Kind::List) throw CompileError(value->loc, "R." + call.op + ": " + key + " must be a list of integers");
  std::vector<int64_t> out;
  for (const AttrValuePtr& item : value->items) {
    if (item->kind != AttrValue::Kind::Int) throw CompileError(item->loc, "R." + call.op + ": " + key + " must be a list of integers");
    out.push_back(item->int_value);
  }
  return out;
}

std::vector<std::string> loop_names(const std::string& prefix, size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::vector<std::string> dim_texts(const std::vector<tir::Expr>& shape) {
  std::vector<std::string> out;
  for (const tir::Expr& d : shape) out.push_back(dim_text(d));
  return out;
}

}  // namespace relaxc::legalize

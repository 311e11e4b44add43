#include "compiler/frontend/relax_ops.h"

namespace relaxc::frontend {
namespace {

const std::vector<RelaxOpSignature>& signatures() {
  static const std::vector<RelaxOpSignature> ops = {
      {"add", 2, 2, {}},
      {"subtract", 2, 2, {}},
      {"multiply", 2, 2, {}},
      {"divide", 2, 2, {}},
      {"maximum", 2, 2, {}},
      {"minimum", 2, 2, {}},
      {"exp", 1, 1, {}},
      {"matmul", 2, 2, {"out_dtype"}},
      {"permute_dims", 1, 1, {"axes"}},
      {"reshape", 1, 1, {"shape"}},
      {"flatten", 1, 1, {}},
      {"sum", 1, 1, {"axis", "keepdims"}},
      {"mean", 1, 1, {"axis", "keepdims"}},
      {"nn.relu", 1, 1, {}},
      {"nn.softmax", 1, 1, {"axis"}},
      {"nn.conv2d", 2, 2,
       {"strides", "padding", "dilation", "groups", "data_layout", "kernel_layout", "out_layout", "out_dtype"}},
      {"nn.max_pool2d", 1, 1, {"pool_size", "strides", "padding", "dilation", "ceil_mode", "count_include_pad", "layout", "out_layout"}},
      {"nn.avg_pool2d", 1, 1, {"pool_size", "strides", "padding", "dilation", "ceil_mode", "count_include_pad", "layout", "out_layout"}},
      {"nn.linear", 2, 3, {"out_dtype"}},
  };
  return ops;
}

}  // namespace

const RelaxOpSignature* find_relax_op(const std::string& name) {
  for (const RelaxOpSignature& op : signatures()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

std::vector<std::string> all_relax_names() {
  std::vector<std::string> names = {"R.call_dps_packed", "R.call_tir", "R.call_packed", "R.const",    "R.shape",
                                    "R.match_cast",      "R.dataflow", "R.output",      "R.Tensor",   "R.Shape",
                                    "R.Tuple",           "R.Object",   "R.Prim",        "R.function", "R.func_attr",
                                    "R.prim_value",      "R.str"};
  for (const RelaxOpSignature& op : signatures()) names.push_back("R." + op.name);
  return names;
}

}  // namespace relaxc::frontend

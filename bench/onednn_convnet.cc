// The oneDNN baseline of the convnet benchmarks: oneDNN's convolution pipeline for the graphs
// bench/convnet_graph.py writes (torchvision's ResNet-18 and MobileNetV2, batch_norm folded into
// the convolutions), one primitive per op: convolution with its relu / relu6 / residual add as
// post-ops, pooling, inner product. Weights and activations are in the layouts oneDNN picks
// (format_tag::any), weights reordered once before timing; the input is NCHW as relaxrun takes
// it. Prints one JSON line with per-call times (a call: every primitive, then a stream wait).
//   onednn_convnet GRAPH.json FOLDED.npz INPUT.npy RUNS [OUT.npy]
// OUT.npy receives the network's output (float32, plain layout) to compare with PyTorch's.
// The threads are OpenMP's: OMP_NUM_THREADS.
#include <dnnl.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bench/onednn_harness.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;
using json = nlohmann::json;

namespace {

const char* const kUsage = "onednn_convnet GRAPH.json FOLDED.npz INPUT.npy RUNS [OUT.npy]";

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "onednn_convnet: %s\n", why.c_str());
  std::exit(1);
}

// One line naming the op by the tensor it writes (the graph's ops have no other name).
[[noreturn]] void op_fail(const json& op, const std::string& why) {
  bool named = op.is_object() && op.contains("dst") && op["dst"].is_string();
  fail("op " + (named ? op["dst"].get<std::string>() : std::string("?")) + ": " + why);
}

// The network as it runs: each tensor's memory by the graph's name, and the primitives in order.
struct Net {
  engine eng{engine::kind::cpu, 0};
  stream s{eng};
  bench::Inputs in;
  std::map<std::string, memory> tensors;
  std::string input_name;  // the one src no op writes; bound when first read
  std::vector<std::pair<primitive, std::unordered_map<int, memory>>> steps;
  std::string last_dst;
};

std::string read_or_fail(const char* path) {
  std::string bytes;
  std::string error = relaxrt::read_whole_file(path, bytes);
  if (!error.empty()) fail(error);
  return bytes;
}

void read_inputs(Net& net, char** argv) {
  std::string error;
  if (!relaxrt::parse_npz(read_or_fail(argv[2]), net.in.params, error)) fail(std::string(argv[2]) + ": " + error);
  if (!relaxrt::parse_npy(read_or_fail(argv[3]), net.in.images, error)) fail(std::string(argv[3]) + ": " + error);
  const relaxrt::HostArray& x = net.in.images;
  if (x.dtype != "float32" || x.shape.size() != 4) fail(std::string(argv[3]) + ": expected a float32 NCHW array");
  net.in.batch = x.shape[0];
  char* end = nullptr;
  long runs = std::strtol(argv[4], &end, 10);
  if (*end != '\0' || runs < 1 || runs > 1000000) fail(std::string("RUNS must be a positive count, not ") + argv[4]);
  net.in.runs = static_cast<int>(runs);
}

// bench::Inputs::param, but naming the archive and this program.
const relaxrt::HostArray& array(const Net& net, const std::string& key) {
  for (const auto& p : net.in.params) {
    if (p.name == key) return p.array;
  }
  fail("the weights archive has no " + key);
}

// A float32 array of the archive with the shape `dims`: shapes are checked here so that a graph
// and an archive that disagree stop with a message, not with oneDNN reading out of bounds.
const relaxrt::HostArray& array_of(const Net& net, const std::string& key, const memory::dims& dims) {
  const relaxrt::HostArray& a = array(net, key);
  if (a.dtype != "float32" || a.shape != std::vector<int64_t>(dims.begin(), dims.end())) {
    std::string want;
    for (auto d : dims) want += (want.empty() ? "" : ", ") + std::to_string(d);
    fail(key + ": expected float32 of shape (" + want + ")");
  }
  return a;
}

// A copy of `array` in the layout `want`, from the plain layout `plain`.
memory packed(Net& net, const relaxrt::HostArray& array, const memory::desc& plain, const memory::desc& want) {
  memory user(plain, net.eng, const_cast<uint8_t*>(array.data.data()));
  memory out(want, net.eng);
  reorder(user, out).execute(net.s, user, out);
  return out;
}

memory bias_memory(Net& net, const std::string& key, int64_t n) {
  const relaxrt::HostArray& b = array_of(net, key, {n});
  memory out({{n}, dt::f32, tag::a}, net.eng);
  std::memcpy(out.get_data_handle(), b.data.data(), b.data.size());
  return out;
}

// The memory of the tensor `op` reads as `name`; the first name no op has written is the input.
memory& tensor(Net& net, const json& op, const std::string& name) {
  auto it = net.tensors.find(name);
  if (it != net.tensors.end()) return it->second;
  if (!net.input_name.empty()) op_fail(op, "reads " + name + ", which no earlier op writes");
  const relaxrt::HostArray& x = net.in.images;
  memory::desc md({x.shape[0], x.shape[1], x.shape[2], x.shape[3]}, dt::f32, tag::nchw);
  net.input_name = name;
  return net.tensors[name] = memory(md, net.eng, net.in.images.data.data());
}

void add_step(Net& net, const json& op, primitive p, std::unordered_map<int, memory> args, const memory::desc& dst_md) {
  const std::string dst = op.at("dst").get<std::string>();
  if (net.tensors.count(dst)) op_fail(op, "a second op writes " + dst);
  memory out(dst_md, net.eng);
  args[DNNL_ARG_DST] = out;
  net.tensors[dst] = out;
  net.steps.emplace_back(std::move(p), std::move(args));
  net.last_dst = dst;
}

// An (h, w) pair of the op, each at least `least` (a stride of 0 would divide by zero below).
memory::dims dims_of(const json& op, const char* key, int64_t least) {
  auto v = op.at(key).get<std::vector<int64_t>>();
  if (v.size() != 2 || v[0] < least || v[1] < least) op_fail(op, std::string(key) + " must be 2 numbers of at least " + std::to_string(least));
  return {v[0], v[1]};
}

// The conv's post-ops in the graph's order; a residual add's memory goes to `args`. The conv
// writes into the residual's layout (`dst_md`) so that the binary add reads it element for element.
primitive_attr conv_post_ops(Net& net, const json& op, const memory::dims& dst_dims, memory::desc& dst_md, std::unordered_map<int, memory>& args) {
  post_ops ops;
  for (const json& post : op.at("post_ops")) {
    const std::string kind = post.at("kind").get<std::string>();
    if (kind == "relu") {
      ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    } else if (kind == "relu6") {
      ops.append_eltwise(1.0f, algorithm::eltwise_clip, 0.0f, 6.0f);
    } else if (kind == "add") {
      memory residual = tensor(net, op, post.at("src").get<std::string>());
      if (residual.get_desc().dims() != dst_dims) op_fail(op, "the residual's shape differs from the conv's");
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(ops.len()) | DNNL_ARG_SRC_1] = residual;
      ops.append_binary(algorithm::binary_add, residual.get_desc());
      dst_md = residual.get_desc();
    } else {
      op_fail(op, "unknown post-op " + kind);
    }
  }
  primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

bool is_reference(const primitive_desc_base& pd) { return std::string(pd.impl_info_str()).rfind("ref", 0) == 0; }

// The plain or channel-blocked tag `md` is laid out in, or undef.
tag layout_of(const memory::desc& md) {
  for (tag t : {tag::nchw, tag::nhwc, tag::aBcd8b, tag::aBcd16b}) {
    if (memory::desc(md.dims(), dt::f32, t) == md) return t;
  }
  return tag::undef;
}

struct ConvGeometry {
  memory::dims weights, stride, dilation, padding;  // dilation as oneDNN counts it
};

// The conv's primitive descriptor for `dst_md`. When that is format_tag::any and oneDNN 2.6
// answers with its reference kernel, it asks again with the dst in the src's layout: a depthwise
// conv reading aBcd16b (MobileNetV2's second) otherwise gets ref:any, some 100x slower than jit_dw.
convolution_forward::primitive_desc conv_pd(const Net& net, const std::string& name, const memory::desc& src_md, const memory::desc& dst_md,
                                            const ConvGeometry& geo, const primitive_attr& attr) {
  auto make = [&](const memory::desc& dst) {
    convolution_forward::desc desc(prop_kind::forward_inference, algorithm::convolution_direct, src_md, memory::desc(geo.weights, dt::f32, tag::any),
                                   memory::desc({dst.dims()[1]}, dt::f32, tag::a), dst, geo.stride, geo.dilation, geo.padding, geo.padding);
    return convolution_forward::primitive_desc(desc, attr, net.eng);
  };
  convolution_forward::primitive_desc pd = make(dst_md);
  if (is_reference(pd) && dst_md.data.format_kind == dnnl_format_kind_any && layout_of(src_md) != tag::undef) {
    convolution_forward::primitive_desc again = make(memory::desc(dst_md.dims(), dt::f32, layout_of(src_md)));
    if (!is_reference(again)) pd = again;
  }
  if (is_reference(pd)) std::fprintf(stderr, "onednn_convnet: warning: %s runs oneDNN's reference convolution\n", name.c_str());
  return pd;
}

void add_conv(Net& net, const json& op) {
  memory src = tensor(net, op, op.at("src").get<std::string>());
  memory::dims in = src.get_desc().dims();
  const std::string wkey = op.at("weight").get<std::string>();
  const relaxrt::HostArray& w = array(net, wkey);
  int64_t g = op.at("groups").get<int64_t>();
  if (w.shape.size() != 4 || in.size() != 4 || g < 1 || w.shape[0] % g != 0 || w.shape[1] * g != in[1])
    op_fail(op, wkey + " does not fit the conv's input");
  int64_t oc = w.shape[0], kh = w.shape[2], kw = w.shape[3];
  memory::dims stride = dims_of(op, "stride", 1), pad = dims_of(op, "padding", 0), dil = dims_of(op, "dilation", 1);
  auto out_size = [&](int64_t n, int64_t k, int i) { return (n + 2 * pad[i] - dil[i] * (k - 1) - 1) / stride[i] + 1; };
  memory::dims dst_dims = {in[0], oc, out_size(in[2], kh, 0), out_size(in[3], kw, 1)};
  // Grouped (and depthwise) weights are 5-d for oneDNN; PyTorch's (O, C/g, KH, KW) bytes are
  // already goihw. oneDNN counts dilation from 0 (no gaps), PyTorch from 1.
  memory::dims wdims = g == 1 ? memory::dims{oc, w.shape[1], kh, kw} : memory::dims{g, oc / g, w.shape[1], kh, kw};
  const relaxrt::HostArray& checked = array_of(net, wkey, {oc, w.shape[1], kh, kw});
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}};
  memory::desc dst_md(dst_dims, dt::f32, tag::any);
  primitive_attr attr = conv_post_ops(net, op, dst_dims, dst_md, args);
  ConvGeometry geo{wdims, stride, {dil[0] - 1, dil[1] - 1}, pad};
  convolution_forward::primitive_desc pd = conv_pd(net, op.at("dst").get<std::string>(), src.get_desc(), dst_md, geo, attr);
  args[DNNL_ARG_WEIGHTS] = packed(net, checked, {wdims, dt::f32, g == 1 ? tag::oihw : tag::goihw}, pd.weights_desc());
  args[DNNL_ARG_BIAS] = bias_memory(net, op.at("bias").get<std::string>(), oc);
  add_step(net, op, convolution_forward(pd), std::move(args), pd.dst_desc());
}

void add_pool(Net& net, const json& op, algorithm alg, memory::dims kernel, memory::dims stride, memory::dims pad) {
  memory src = tensor(net, op, op.at("src").get<std::string>());
  memory::dims in = src.get_desc().dims();
  if (in.size() != 4) op_fail(op, "pooling needs a 4-d input");
  memory::dims dst_dims = {in[0], in[1], (in[2] + 2 * pad[0] - kernel[0]) / stride[0] + 1, (in[3] + 2 * pad[1] - kernel[1]) / stride[1] + 1};
  pooling_forward::desc desc(prop_kind::forward_inference, alg, src.get_desc(), memory::desc(dst_dims, dt::f32, tag::any), stride, kernel, pad, pad);
  pooling_forward::primitive_desc pd(desc, net.eng);
  add_step(net, op, pooling_forward(pd), {{DNNL_ARG_SRC, src}}, pd.dst_desc());
}

// The flatten before it is implicit: the inner product reads (N, C, H, W) in its producer's
// layout, with weights (O, C*H*W) as PyTorch's flatten of NCHW orders them.
void add_linear(Net& net, const json& op) {
  memory src = tensor(net, op, op.at("src").get<std::string>());
  memory::dims in = src.get_desc().dims();
  const std::string wkey = op.at("weight").get<std::string>();
  const relaxrt::HostArray& w = array(net, wkey);
  int64_t features = 1;
  for (size_t i = 1; i < in.size(); ++i) features *= in[i];
  if (w.shape.size() != 2) op_fail(op, wkey + " must be 2-d");
  int64_t oc = w.shape[0];
  const relaxrt::HostArray& checked = array_of(net, wkey, {oc, features});
  memory::dims wdims = in;
  wdims[0] = oc;
  memory::desc plain(wdims, dt::f32, in.size() == 4 ? tag::oihw : tag::oi);
  memory::desc dst_md({in[0], oc}, dt::f32, tag::nc);
  inner_product_forward::desc desc(prop_kind::forward_inference, src.get_desc(), memory::desc(wdims, dt::f32, tag::any),
                                   memory::desc({oc}, dt::f32, tag::a), dst_md);
  inner_product_forward::primitive_desc pd(desc, net.eng);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}};
  args[DNNL_ARG_WEIGHTS] = packed(net, checked, plain, pd.weights_desc());
  args[DNNL_ARG_BIAS] = bias_memory(net, op.at("bias").get<std::string>(), oc);
  add_step(net, op, inner_product_forward(pd), std::move(args), pd.dst_desc());
}

void add_op(Net& net, const json& op) {
  const std::string kind = op.at("op").get<std::string>();
  if (kind == "conv") {
    add_conv(net, op);
  } else if (kind == "maxpool") {
    add_pool(net, op, algorithm::pooling_max, dims_of(op, "kernel", 1), dims_of(op, "stride", 1), dims_of(op, "padding", 0));
  } else if (kind == "avgpool") {
    memory::dims in = tensor(net, op, op.at("src").get<std::string>()).get_desc().dims();
    if (in.size() != 4) op_fail(op, "avgpool needs a 4-d input");
    add_pool(net, op, algorithm::pooling_avg_exclude_padding, {in[2], in[3]}, {1, 1}, {0, 0});
  } else if (kind == "linear") {
    add_linear(net, op);
  } else {
    op_fail(op, "unknown kind " + kind);
  }
}

void build(Net& net, const json& graph) {
  if (!graph.is_array() || graph.empty()) fail("the graph must be a non-empty JSON list of ops");
  for (const json& op : graph) {
    try {
      add_op(net, op);
    } catch (const std::exception& e) {  // oneDNN's and the JSON reader's: say which op
      op_fail(op, e.what());
    }
  }
  net.s.wait();  // the weight reorders, before anything is timed
}

// The network's output in the plain (row-major) layout, as PyTorch's tensor holds it.
relaxrt::HostArray plain_output(Net& net) {
  memory out = net.tensors.at(net.last_dst);
  memory::dims dims = out.get_desc().dims();
  static const tag plain_tags[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd};
  if (dims.size() > 4) fail("the output has more than 4 dimensions");
  memory plain({dims, dt::f32, plain_tags[dims.size()]}, net.eng);
  reorder(out, plain).execute(net.s, out, plain);
  net.s.wait();
  relaxrt::HostArray a;
  a.dtype = "float32";
  a.shape.assign(dims.begin(), dims.end());
  const auto* bytes = static_cast<const uint8_t*>(plain.get_data_handle());
  a.data.assign(bytes, bytes + plain.get_desc().get_size());
  return a;
}

void run(int argc, char** argv) {
  Net net;
  read_inputs(net, argv);
  json graph;
  try {
    graph = json::parse(read_or_fail(argv[1]));
  } catch (const json::exception& e) {
    fail(std::string(argv[1]) + ": " + e.what());
  }
  build(net, graph);
  auto call = [&net] {
    for (auto& [p, args] : net.steps) p.execute(net.s, args);
    net.s.wait();
  };
  call();
  relaxrt::HostArray out = plain_output(net);
  if (argc == 6) {
    std::string error = relaxrt::write_file_atomically(argv[5], relaxrt::serialize_npy(out));
    if (!error.empty()) fail(error);
  }
  float first;
  std::memcpy(&first, out.data.data(), sizeof first);
  bench::time_calls(net.in, call, first);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s\n", kUsage);
    return 2;
  }
  // oneDNN reports through exceptions; build() names the op for those it throws while building,
  // and this catches the rest (an allocation, a run) so that they end in one line too.
  try {
    run(argc, argv);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return 0;
}

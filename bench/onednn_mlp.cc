// The oneDNN baseline of the MLP benchmark: two inner products (784 -> 128 with a relu post-op,
// 128 -> 10) with weights reordered once into oneDNN's preferred layout, as an optimised
// library runs this model. Prints one JSON line with the per-call times.
//   onednn_mlp PARAMS.npz IMAGES.npy BATCH RUNS
#include <dnnl.hpp>

#include <cstring>

#include "bench/onednn_harness.h"

using namespace dnnl;

namespace {

struct Layer {
  inner_product_forward primitive;
  memory weights, bias;
};

Layer make_layer(engine& eng, stream& s, int64_t batch, const relaxrt::HostArray& w, const relaxrt::HostArray& b, bool relu) {
  int64_t out = w.shape[0], in = w.shape[1];
  memory::desc src_md({batch, in}, memory::data_type::f32, memory::format_tag::nc);
  memory::desc w_any({out, in}, memory::data_type::f32, memory::format_tag::any);
  memory::desc b_md({out}, memory::data_type::f32, memory::format_tag::a);
  memory::desc dst_md({batch, out}, memory::data_type::f32, memory::format_tag::nc);
  inner_product_forward::desc desc(prop_kind::forward_inference, src_md, w_any, b_md, dst_md);
  primitive_attr attr;
  if (relu) {
    post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  inner_product_forward::primitive_desc pd(desc, attr, eng);
  memory user_w({{out, in}, memory::data_type::f32, memory::format_tag::oi}, eng, const_cast<uint8_t*>(w.data.data()));
  memory packed_w(pd.weights_desc(), eng);
  reorder(user_w, packed_w).execute(s, user_w, packed_w);
  memory bias(b_md, eng);
  std::memcpy(bias.get_data_handle(), b.data.data(), b.data.size());
  s.wait();
  return {inner_product_forward(pd), packed_w, bias};
}

}  // namespace

int main(int argc, char** argv) {
  bench::Inputs in = bench::read_inputs(argc, argv, "onednn_mlp PARAMS.npz IMAGES.npy BATCH RUNS");
  int64_t batch = in.batch;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  Layer first = make_layer(eng, s, batch, in.param("w0"), in.param("b0"), true);
  Layer second = make_layer(eng, s, batch, in.param("w1"), in.param("b1"), false);
  memory src({{batch, 784}, memory::data_type::f32, memory::format_tag::nc}, eng, in.images.data.data());
  memory hidden({{batch, 128}, memory::data_type::f32, memory::format_tag::nc}, eng);
  memory logits({{batch, 10}, memory::data_type::f32, memory::format_tag::nc}, eng);
  auto call = [&] {
    first.primitive.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, first.weights}, {DNNL_ARG_BIAS, first.bias}, {DNNL_ARG_DST, hidden}});
    second.primitive.execute(s, {{DNNL_ARG_SRC, hidden}, {DNNL_ARG_WEIGHTS, second.weights}, {DNNL_ARG_BIAS, second.bias}, {DNNL_ARG_DST, logits}});
    s.wait();
  };
  call();
  bench::time_calls(in, call, static_cast<const float*>(logits.get_data_handle())[0]);
  return 0;
}

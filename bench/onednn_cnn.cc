// The oneDNN baseline of the CNN benchmark (the chapter's assignment): convolution 1 -> 32
// channels 3x3 with bias and a relu post-op, max pooling 2x2, inner product 5408 -> 100 with a
// relu post-op, inner product 100 -> 10. Weights are reordered once into the layouts oneDNN
// picks; the input is NCHW as relaxrun takes it. Prints one JSON line with per-call times.
//   onednn_cnn PARAMS.npz IMAGES.npy BATCH RUNS   (IMAGES: float32 (BATCH, 1, 28, 28))
#include <dnnl.hpp>

#include <cstring>

#include "bench/onednn_harness.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

primitive_attr relu_after() {
  primitive_attr attr;
  post_ops ops;
  ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  attr.set_post_ops(ops);
  return attr;
}

// A copy of `array` in the layout `want`, from the plain layout `plain`.
memory packed(engine& eng, stream& s, const relaxrt::HostArray& array, const memory::desc& plain, const memory::desc& want) {
  memory user(plain, eng, const_cast<uint8_t*>(array.data.data()));
  memory out(want, eng);
  reorder(user, out).execute(s, user, out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Inputs in = bench::read_inputs(argc, argv, "onednn_cnn PARAMS.npz IMAGES.npy BATCH RUNS");
  int64_t n = in.batch;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);

  memory::desc src_md({n, 1, 28, 28}, dt::f32, tag::nchw);
  memory::desc conv_w_any({32, 1, 3, 3}, dt::f32, tag::any), conv_dst_any({n, 32, 26, 26}, dt::f32, tag::any);
  memory::desc conv_b_md({32}, dt::f32, tag::a);
  convolution_forward::desc conv_desc(prop_kind::forward_inference, algorithm::convolution_direct, src_md, conv_w_any, conv_b_md, conv_dst_any,
                                      {1, 1}, {0, 0}, {0, 0});
  convolution_forward::primitive_desc conv_pd(conv_desc, relu_after(), eng);
  memory conv_w = packed(eng, s, in.param("conv2d_weight"), {{32, 1, 3, 3}, dt::f32, tag::oihw}, conv_pd.weights_desc());
  memory conv_b(conv_b_md, eng);
  std::memcpy(conv_b.get_data_handle(), in.param("conv2d_bias").data.data(), 32 * sizeof(float));
  memory conv_dst(conv_pd.dst_desc(), eng);

  pooling_forward::desc pool_desc(prop_kind::forward_inference, algorithm::pooling_max, conv_pd.dst_desc(),
                                  memory::desc({n, 32, 13, 13}, dt::f32, tag::any), {2, 2}, {2, 2}, {0, 0}, {0, 0});
  pooling_forward::primitive_desc pool_pd(pool_desc, eng);
  memory pooled(pool_pd.dst_desc(), eng);

  // The first inner product reads the pooled maps as they are laid out ((n, 32, 13, 13) in the
  // pooling's layout); its weights are given as PyTorch's flatten of NCHW orders them.
  memory::desc fc0_src = pool_pd.dst_desc();
  inner_product_forward::desc fc0_desc(prop_kind::forward_inference, fc0_src, memory::desc({100, 32, 13, 13}, dt::f32, tag::any),
                                       memory::desc({100}, dt::f32, tag::a), memory::desc({n, 100}, dt::f32, tag::nc));
  inner_product_forward::primitive_desc fc0_pd(fc0_desc, relu_after(), eng);
  memory fc0_w = packed(eng, s, in.param("linear0_weight"), {{100, 32, 13, 13}, dt::f32, tag::oihw}, fc0_pd.weights_desc());
  memory fc0_b({{100}, dt::f32, tag::a}, eng);
  std::memcpy(fc0_b.get_data_handle(), in.param("linear0_bias").data.data(), 100 * sizeof(float));
  memory hidden({{n, 100}, dt::f32, tag::nc}, eng);

  inner_product_forward::desc fc1_desc(prop_kind::forward_inference, memory::desc({n, 100}, dt::f32, tag::nc),
                                       memory::desc({10, 100}, dt::f32, tag::any), memory::desc({10}, dt::f32, tag::a),
                                       memory::desc({n, 10}, dt::f32, tag::nc));
  inner_product_forward::primitive_desc fc1_pd(fc1_desc, eng);
  memory fc1_w = packed(eng, s, in.param("linear1_weight"), {{10, 100}, dt::f32, tag::oi}, fc1_pd.weights_desc());
  memory fc1_b({{10}, dt::f32, tag::a}, eng);
  std::memcpy(fc1_b.get_data_handle(), in.param("linear1_bias").data.data(), 10 * sizeof(float));
  memory logits({{n, 10}, dt::f32, tag::nc}, eng);
  s.wait();

  memory src(src_md, eng, in.images.data.data());
  convolution_forward conv(conv_pd);
  pooling_forward pool(pool_pd);
  inner_product_forward fc0(fc0_pd), fc1(fc1_pd);
  auto call = [&] {
    conv.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, conv_w}, {DNNL_ARG_BIAS, conv_b}, {DNNL_ARG_DST, conv_dst}});
    pool.execute(s, {{DNNL_ARG_SRC, conv_dst}, {DNNL_ARG_DST, pooled}});
    fc0.execute(s, {{DNNL_ARG_SRC, pooled}, {DNNL_ARG_WEIGHTS, fc0_w}, {DNNL_ARG_BIAS, fc0_b}, {DNNL_ARG_DST, hidden}});
    fc1.execute(s, {{DNNL_ARG_SRC, hidden}, {DNNL_ARG_WEIGHTS, fc1_w}, {DNNL_ARG_BIAS, fc1_b}, {DNNL_ARG_DST, logits}});
    s.wait();
  };
  call();
  bench::time_calls(in, call, static_cast<const float*>(logits.get_data_handle())[0]);
  return 0;
}

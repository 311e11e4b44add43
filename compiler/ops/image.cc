// R.image.resize2d: NCHW or NHWC images resized to `size` by nearest-neighbour or bilinear
// sampling, with TVM's coordinate transformation modes (half_pixel, align_corners, asymmetric,
// pytorch_half_pixel, tf_half_pixel_for_nn) and, for nearest, its rounding methods. Source
// coordinates are computed in float32 as TOPI does; indices outside the image are clamped to
// its edge. Cubic sampling and a region of interest are compile errors naming the attribute.
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// Which axes are H and W, and the output size.
struct Layout {
  size_t h, w;
};

Layout layout_of(const Attrs& attrs) { return attrs.get_string("layout") == "NHWC" ? Layout{1, 2} : Layout{2, 3}; }

std::optional<std::pair<tir::Expr, tir::Expr>> target_size(const std::vector<tir::Expr>* size) {
  if (!size) return std::nullopt;
  if (size->size() == 1) return std::make_pair((*size)[0], (*size)[0]);
  if (size->size() == 2) return std::make_pair((*size)[0], (*size)[1]);
  return std::nullopt;
}

StructInfoPtr infer_resize2d(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  DataType dtype = c.attrs.get_dtype("out_dtype").value_or(data.dtype);
  std::optional<std::pair<tir::Expr, tir::Expr>> size = target_size(c.shapes[1]);
  if (!size) {
    c.error("size takes one or two values");
    return make_tensor_sinfo(std::nullopt, dtype, 4);
  }
  if (data.rank() >= 0 && data.rank() != 4) c.error("takes a 4-d tensor, not rank " + std::to_string(data.rank()));
  if (!data.shape || data.shape->size() != 4) return make_tensor_sinfo(std::nullopt, dtype, 4);
  for (double v : c.attrs.get_floats("roi")) {
    if (v != 0) c.error_at("roi", "a region of interest other than [0, 0, 0, 0] is not supported");
  }
  Layout l = layout_of(c.attrs);
  std::vector<tir::Expr> out = *data.shape;
  out[l.h] = size->first;
  out[l.w] = size->second;
  return make_tensor_sinfo(out, dtype);
}

// The source coordinate (float32) of output index `v` along an axis of `in` -> `out` elements.
std::string source_coordinate(const std::string& mode, const std::string& v, const std::string& in, const std::string& out) {
  std::string x = "T.Cast(\"float32\", " + v + ")";
  std::string fin = "T.Cast(\"float32\", " + in + ")", fout = "T.Cast(\"float32\", " + out + ")";
  std::string scale = "(" + fin + " / " + fout + ")";
  if (mode == "align_corners") {
    return "T.if_then_else(" + out + " > T.int64(1), " + x + " * (" + fin + " - T.float32(1)) / (" + fout + " - T.float32(1)), T.float32(0))";
  }
  if (mode == "asymmetric") return x + " * " + scale;
  if (mode == "tf_half_pixel_for_nn") return "(" + x + " + T.float32(0.5)) * " + scale;
  if (mode == "pytorch_half_pixel") {
    return "T.if_then_else(" + out + " > T.int64(1), (" + x + " + T.float32(0.5)) * " + scale + " - T.float32(0.5), T.float32(0))";
  }
  return "(" + x + " + T.float32(0.5)) * " + scale + " - T.float32(0.5)";  // half_pixel
}

std::string clamp_index(const std::string& index, const std::string& extent) {
  return "T.max(T.min(" + index + ", " + extent + " - T.int64(1)), T.int64(0))";
}

std::string nearest_index(const std::string& rounding, const std::string& coord, bool align_corners) {
  std::string r = rounding.empty() ? (align_corners ? "round" : "floor") : rounding;
  if (r == "floor") return "T.Cast(\"int64\", T.floor(" + coord + "))";
  if (r == "ceil") return "T.Cast(\"int64\", T.ceil(" + coord + "))";
  if (r == "round_prefer_ceil") return "T.Cast(\"int64\", T.floor(" + coord + " + T.float32(0.5)))";
  if (r == "round_prefer_floor") return "T.Cast(\"int64\", T.ceil(" + coord + " - T.float32(0.5)))";
  return "T.Cast(\"int64\", T.round(" + coord + "))";
}

std::string resize2d_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& in = shape_of(data);
  const std::vector<tir::Expr>& out = shape_of(*r.result);
  Layout l = layout_of(r.attrs);
  const std::string& method = r.attrs.get_string("method");
  const std::string& mode = r.attrs.get_string("coordinate_transformation_mode");
  KernelText k(name);
  k.param("A", in, data.dtype);
  k.param("resize", out, r.result->dtype);
  std::vector<std::string> loops = loop_names("ax", 4), at = iter_names(loops);
  std::string hin = dim_text(in[l.h]), win = dim_text(in[l.w]);
  std::string yc = source_coordinate(mode, at[l.h], hin, dim_text(out[l.h]));
  std::string xc = source_coordinate(mode, at[l.w], win, dim_text(out[l.w]));
  k.open_block("resize", loops, dim_texts(out), "SSSS");
  auto sample = [&](const std::string& y, const std::string& x) {
    std::vector<std::string> idx = at;
    idx[l.h] = y;
    idx[l.w] = x;
    return "T.Cast(\"float32\", " + indexed("A", idx) + ")";
  };
  std::string value;
  if (method == "nearest_neighbor") {
    const std::string& rounding = r.attrs.get_string("rounding_method");
    std::string y = clamp_index(nearest_index(rounding, yc, mode == "align_corners"), hin);
    std::string x = clamp_index(nearest_index(rounding, xc, mode == "align_corners"), win);
    value = sample(y, x);
  } else {
    k.line("yc: T.float32 = " + yc);
    k.line("xc: T.float32 = " + xc);
    k.line("y0: T.int64 = T.Cast(\"int64\", T.floor(yc))");
    k.line("x0: T.int64 = T.Cast(\"int64\", T.floor(xc))");
    k.line("dy: T.float32 = yc - T.Cast(\"float32\", y0)");
    k.line("dx: T.float32 = xc - T.Cast(\"float32\", x0)");
    std::string ya = clamp_index("y0", hin), yb = clamp_index("y0 + T.int64(1)", hin);
    std::string xa = clamp_index("x0", win), xb = clamp_index("x0 + T.int64(1)", win);
    std::string top = sample(ya, xa) + " * (T.float32(1) - dx) + " + sample(ya, xb) + " * dx";
    std::string bottom = sample(yb, xa) + " * (T.float32(1) - dx) + " + sample(yb, xb) + " * dx";
    value = "(" + top + ") * (T.float32(1) - dy) + (" + bottom + ") * dy";
  }
  std::string result = r.result->dtype == DataType::Float32 ? value : "T.Cast(\"" + std::string(dtype_name(r.result->dtype)) + "\", " + value + ")";
  k.line(indexed("resize", at) + " = " + result);
  k.close_block();
  return k.str();
}

}  // namespace

void register_image(std::vector<OpDef>& ops) {
  std::vector<AttrSpec> attrs = {floats_attr("roi", {0, 0, 0, 0}),
                  string_attr("layout", "NCHW", {"NCHW", "NHWC"}),
                  string_attr("method", "linear", {"nearest_neighbor", "linear"}),
                  string_attr("coordinate_transformation_mode", "half_pixel",
                              {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn"}),
                  string_attr("rounding_method", "round", {"", "round", "floor", "ceil", "round_prefer_floor", "round_prefer_ceil"}),
                  float_attr("cubic_alpha", -0.75),
                  int_attr("cubic_exclude", 0),
                  float_attr("extrapolation_value", 0.0),
                  dtype_attr("out_dtype")};
  ops.push_back(define_op("image.resize2d", "resize2d", {{"data"}, {"size", OperandKind::Shape}}, attrs, infer_resize2d, resize2d_kernel));
}

}  // namespace relaxc::ops

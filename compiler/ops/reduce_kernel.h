// What the reduction families (reduce.cc, statistics.cc) share: which axes a call with `axis`
// (None, an integer or a list) and `keepdims` reduces and the struct info of its result (TVM's
// rule), the loop nest of a reduction over the input, and the reduction block itself — written
// so that a reduced extent that is 0 at run time still leaves the identity in the result (a
// T.init runs only when its loops run at least once).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/registry.h"

namespace relaxc::ops {

// The struct info of reducing operand 0 over the `axis` attribute, with element type `dtype`;
// `one_axis` for argmax/argmin (None or a single axis). Reports bad axes at the attribute.
relax::StructInfoPtr infer_reduced(const InferCall& c, DataType dtype, bool one_axis);
// Which input axes a call reduces (its axes were checked by infer_reduced).
std::vector<bool> reduced_axes(const Attrs& attrs, size_t rank);

// The loops of a reduction over an input of `shape`: ax<i> for a kept axis, k<i> for a reduced
// one, in input order.
struct ReduceNest {
  std::vector<std::string> loops, extents, in_index;
  std::string kinds;                        // 'S' or 'R' per loop
  std::vector<std::string> out_index;       // into the result (without reduced axes unless keepdims)
  std::vector<std::string> kept_index;      // into a buffer that keeps every axis (0 where reduced)
  std::vector<std::string> out_dims, kept_dims;
  std::vector<std::string> reduced_extents;
  bool reduces = false;                     // at least one axis is reduced
  bool maybe_empty = false;                 // a reduced extent is not a known positive constant
  std::optional<size_t> empty_axis;         // a reduced axis of known size 0
  // The number of reduced elements, an int64 expression ("T.int64(1)" when nothing is reduced).
  std::string count() const;
};
ReduceNest reduce_nest(const std::vector<tir::Expr>& shape, const std::vector<bool>& reduced, bool keepdims);

// `target[index] = combine(target[index], term)` over the nest, starting from `identity`;
// `combine` is a pattern over {acc} and {x}. With nothing reduced it is a spatial block
// `combine(identity, term)`. When a reduced extent may be 0 at run time, a block first fills
// the target with the identity.
struct Reduction {
  std::string block;
  std::string target;
  bool kept = false;  // the target keeps every axis (kept_index), else out_index
  std::string identity, combine, term;
};
void emit_reduction(KernelText& k, const ReduceNest& nest, const Reduction& r);

// A spatial block over `dims` (ax0, ...), left open; returns the index of one element
// (empty for a 0-d buffer: use indexed()).
std::vector<std::string> open_spatial(KernelText& k, const std::string& block, const std::vector<std::string>& dims);

// {acc} and {x} replaced in a combine pattern.
std::string combine_text(const std::string& pattern, const std::string& acc, const std::string& x);
// +inf or -inf of a float dtype as kernel text (a float32 literal beyond its range reads as
// infinity and prints back as itself).
std::string infinity_text(DataType dtype, bool negative);
// The lowest (max's identity) or highest (min's identity) value of `dtype`: -inf/+inf for floats.
std::string extreme_text(DataType dtype, bool lowest);
// T.isnan(x), for a float `x`.
std::string isnan_text(const std::string& x);

}  // namespace relaxc::ops

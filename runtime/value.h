// What a VM register holds: a tensor, a shape, a scalar, a string, a tuple or the shape heap
// of a call frame. Values are cheap to copy (shared payloads).
#pragma once

#include <dlpack/dlpack.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/dtype.h"

namespace relaxrt {

// A dense row-major tensor on the CPU. `owner` keeps the memory alive: an aligned allocation,
// an array read from .npy, or the mapped .rx file for constants.
struct Tensor {
  ElementType type;
  std::vector<int64_t> shape;
  void* data = nullptr;
  std::shared_ptr<const void> owner;
  DLTensor dl{};  // a DLPack view of the above, handed to kernels
  // Never written for as long as the process runs: a constant of the .rx, an array relaxrun
  // mapped from a file, or a cached result made from such tensors. Only results computed from
  // frozen tensors may be kept across calls (VMFunction::cache_results).
  bool frozen = false;

  static std::shared_ptr<Tensor> allocate(ElementType type, std::vector<int64_t> shape);
  static std::shared_ptr<Tensor> view(ElementType type, std::vector<int64_t> shape, void* data, std::shared_ptr<const void> owner);
  int64_t element_count() const;
  size_t byte_size() const { return static_cast<size_t>(element_count()) * type.bytes; }
};

// The symbolic variables of one call: their values and, for messages, what bound each.
// Which argument dimension bound a size, kept as parts (not text) because it is recorded on
// every call and only put into words when a later dimension disagrees.
struct SizeBinder {
  size_t param = 0;
  std::string who;   // set instead of `param` for R.match_cast
  std::string path;  // "field 1" inside tuples
  size_t dim = 0;
};

struct ShapeHeap {
  std::vector<int64_t> values;
  std::vector<bool> bound;
  std::vector<SizeBinder> bound_by;
};

struct Value {
  enum class Kind { None, Tensor, Shape, Int, Float, String, Tuple, Heap };
  Kind kind = Kind::None;
  std::shared_ptr<Tensor> tensor;
  std::shared_ptr<const std::vector<int64_t>> shape;
  int64_t i = 0;
  double f = 0;
  std::shared_ptr<const std::string> str;
  std::shared_ptr<const std::vector<Value>> tuple;
  std::shared_ptr<ShapeHeap> heap;

  static Value of(std::shared_ptr<Tensor> t) {
    Value v;
    v.kind = Kind::Tensor;
    v.tensor = std::move(t);
    return v;
  }
  static Value of_shape(std::vector<int64_t> dims) {
    Value v;
    v.kind = Kind::Shape;
    v.shape = std::make_shared<const std::vector<int64_t>>(std::move(dims));
    return v;
  }
  static Value of_tuple(std::vector<Value> fields) {
    Value v;
    v.kind = Kind::Tuple;
    v.tuple = std::make_shared<const std::vector<Value>>(std::move(fields));
    return v;
  }
};

const char* kind_name(Value::Kind kind);
// "a float32 tensor of shape (1, 784)", "a shape (2, 3)", "a tuple of 2 values", ...
std::string describe(const Value& value);

}  // namespace relaxrt

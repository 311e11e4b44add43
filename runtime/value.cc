#include "runtime/value.h"

#include <cstdlib>
#include <new>

namespace relaxrt {

namespace {
void fill_dl(Tensor& t) {
  t.dl.data = t.data;
  t.dl.device = {kDLCPU, 0};
  t.dl.ndim = static_cast<int32_t>(t.shape.size());
  t.dl.dtype = {t.type.code, t.type.bits, 1};
  t.dl.shape = t.shape.data();
  t.dl.strides = nullptr;
  t.dl.byte_offset = 0;
}
}  // namespace

std::shared_ptr<Tensor> Tensor::allocate(ElementType type, std::vector<int64_t> shape) {
  auto t = std::make_shared<Tensor>();
  t->type = type;
  t->shape = std::move(shape);
  std::optional<int64_t> count = relaxrt::element_count(t->shape);
  if (!count || *count > INT64_MAX / 8) throw std::bad_alloc();
  size_t bytes = (static_cast<size_t>(*count) * type.bytes + 63) / 64 * 64;
  void* memory = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
  if (!memory) throw std::bad_alloc();
  t->owner = std::shared_ptr<void>(memory, std::free);
  t->data = memory;
  fill_dl(*t);
  return t;
}

std::shared_ptr<Tensor> Tensor::view(ElementType type, std::vector<int64_t> shape, void* data, std::shared_ptr<const void> owner) {
  auto t = std::make_shared<Tensor>();
  t->type = type;
  t->shape = std::move(shape);
  t->data = data;
  t->owner = std::move(owner);
  fill_dl(*t);
  return t;
}

int64_t Tensor::element_count() const { return relaxrt::element_count(shape).value_or(0); }

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::None: return "nothing";
    case Value::Kind::Tensor: return "a tensor";
    case Value::Kind::Shape: return "a shape";
    case Value::Kind::Int: return "an integer";
    case Value::Kind::Float: return "a float";
    case Value::Kind::String: return "a string";
    case Value::Kind::Tuple: return "a tuple";
    case Value::Kind::Heap: return "a shape heap";
  }
  return "?";
}

std::string describe(const Value& value) {
  switch (value.kind) {
    case Value::Kind::Tensor: return std::string("a ") + value.tensor->type.name + " tensor of shape " + shape_text(value.tensor->shape);
    case Value::Kind::Shape: return "a shape " + shape_text(*value.shape);
    case Value::Kind::Tuple: return "a tuple of " + std::to_string(value.tuple->size()) + " values";
    case Value::Kind::Int: return "the integer " + std::to_string(value.i);
    case Value::Kind::Float: return "the float " + std::to_string(value.f);
    default: return kind_name(value.kind);
  }
}

}  // namespace relaxrt

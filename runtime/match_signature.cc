#include "runtime/match_signature.h"

#include "runtime/bytecode.h"
#include "runtime/int_math.h"

namespace relaxrt {

namespace {

struct Matcher {
  const VMFunction& fn;
  size_t index;  // the parameter, or kNotAParameter for R.match_cast
  ShapeHeap& heap;
  bool final_pass;  // evaluate expression dimensions (all variables are bound by now)
  std::string who_text = "";

  std::string who() const {
    if (!who_text.empty()) return who_text;
    return "argument " + std::to_string(index) + " '" + fn.params[index].name + "' of @" + fn.name;
  }
  std::string binder(const SizeBinder& b) const {
    std::string text = b.who.empty() ? "argument " + std::to_string(b.param) + " '" + fn.params[b.param].name + "'" : b.who;
    return text + (b.path.empty() ? "" : " " + b.path) + " dimension " + std::to_string(b.dim);
  }
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ArgumentError(who() + (path.empty() ? "" : " " + path) + ": " + what, index);
  }

  bool ready(const DimSpec& dim) const {
    for (size_t i = 0; i + 1 < dim.program.size(); i += 2) {
      if (dim.program[i] == static_cast<int64_t>(ShapeOp::PushSlot)) {
        int64_t slot = dim.program[i + 1];
        if (slot < 0 || slot >= static_cast<int64_t>(heap.values.size()) || !heap.bound[static_cast<size_t>(slot)]) return false;
      }
    }
    return true;
  }

  void dim(const std::string& path, const DimSpec& spec, size_t d, int64_t actual) {
    auto where = [&] { return "dimension " + std::to_string(d); };
    auto mismatch = [&](int64_t expected, const std::string& why) {
      fail(path, where() + " mismatch: expected " + std::to_string(expected) + why + " but got " + std::to_string(actual));
    };
    switch (spec.kind) {
      case DimSpec::Kind::Constant:
        if (actual != spec.value) mismatch(spec.value, "");
        return;
      case DimSpec::Kind::Var: {
        size_t slot = static_cast<size_t>(spec.value);
        if (!heap.bound[slot]) {
          if (final_pass) return;
          heap.values[slot] = actual;
          heap.bound[slot] = true;
          SizeBinder& by = heap.bound_by[slot];
          by.param = index;
          by.who = who_text;
          by.path = path;
          by.dim = d;
          return;
        }
        if (actual != heap.values[slot]) mismatch(heap.values[slot], " (" + spec.text + ", bound by " + binder(heap.bound_by[slot]) + ")");
        return;
      }
      case DimSpec::Kind::Expr:
        if (!final_pass) return;
        if (!ready(spec)) fail(path, where() + ": cannot check " + spec.text + ": no argument determines its variables");
        {
          int64_t expected = eval_shape_program(spec.program.data(), spec.program.data() + spec.program.size(), heap);
          if (actual != expected) mismatch(expected, " (" + spec.text + ")");
        }
        return;
    }
  }

  void match(const std::string& path, const TypeSpec& type, const Value& value, int depth) {
    auto expect = [&](Value::Kind kind) {
      if (value.kind != kind) fail(path, "expected " + std::string(kind_name(kind)) + " " + type.text + " but got " + describe(value));
    };
    switch (type.kind) {
      case TypeSpec::Kind::Object: return;
      case TypeSpec::Kind::Tensor: {
        expect(Value::Kind::Tensor);
        const Tensor& t = *value.tensor;
        if (!type.dtype.empty() && type.dtype != t.type.name) {
          fail(path, "dtype mismatch: expected " + type.dtype + " but got " + t.type.name);
        }
        if (type.ndim >= 0 && type.ndim != static_cast<int32_t>(t.shape.size())) {
          fail(path, "rank mismatch: expected " + std::to_string(type.ndim) + " dimensions (" + type.text + ") but got " +
                         std::to_string(t.shape.size()) + " (shape " + shape_text(t.shape) + ")");
        }
        for (size_t d = 0; d < type.dims.size(); ++d) dim(path, type.dims[d], d, t.shape[d]);
        return;
      }
      case TypeSpec::Kind::Shape: {
        expect(Value::Kind::Shape);
        if (type.ndim >= 0 && type.ndim != static_cast<int32_t>(value.shape->size())) {
          fail(path, "expected a shape of " + std::to_string(type.ndim) + " values but got " + shape_text(*value.shape));
        }
        for (size_t d = 0; d < type.dims.size(); ++d) dim(path, type.dims[d], d, (*value.shape)[d]);
        return;
      }
      case TypeSpec::Kind::Prim:
        if (value.kind != Value::Kind::Int && value.kind != Value::Kind::Float) fail(path, "expected a scalar " + type.text + " but got " + describe(value));
        return;
      case TypeSpec::Kind::Tuple: {
        expect(Value::Kind::Tuple);
        if (type.fields.size() != value.tuple->size()) {
          fail(path, "expected a tuple of " + std::to_string(type.fields.size()) + " values but got " + std::to_string(value.tuple->size()));
        }
        for (size_t i = 0; i < type.fields.size(); ++i) {
          match(path + (path.empty() ? "" : " ") + "field " + std::to_string(i), type.fields[i], (*value.tuple)[i], depth + 1);
        }
        return;
      }
    }
  }
};

}  // namespace

ShapeHeap make_heap(const VMFunction& fn) {
  ShapeHeap heap;
  heap.values.assign(static_cast<size_t>(fn.heap_size), 0);
  heap.bound.assign(static_cast<size_t>(fn.heap_size), false);
  heap.bound_by.assign(static_cast<size_t>(fn.heap_size), SizeBinder{});
  return heap;
}

void match_parameter(const VMFunction& fn, size_t index, const Value& value, ShapeHeap& heap) {
  Matcher{fn, index, heap, false}.match("", fn.params[index].type, value, 0);
}

void match_arguments(const VMFunction& fn, const std::vector<Value>& args, const std::vector<size_t>& order, ShapeHeap& heap) {
  if (args.size() != fn.params.size()) {
    throw std::runtime_error("@" + fn.name + " takes " + std::to_string(fn.params.size()) + " arguments but " + std::to_string(args.size()) + " were given");
  }
  for (size_t index : order) match_parameter(fn, index, args[index], heap);
  for (size_t index : order) Matcher{fn, index, heap, true}.match("", fn.params[index].type, args[index], 0);
}

void match_cast(const VMFunction& fn, const CastSpec& cast, const Value& value, ShapeHeap& heap) {
  std::string who = "R.match_cast at line " + std::to_string(cast.loc.line) + " of @" + fn.name;
  Matcher{fn, kNotAParameter, heap, false, who}.match("", cast.type, value, 0);
  Matcher{fn, kNotAParameter, heap, true, who}.match("", cast.type, value, 0);
}

int64_t eval_shape_program(const int64_t* begin, const int64_t* end, const ShapeHeap& heap) {
  std::vector<int64_t> stack;
  auto pop = [&]() {
    if (stack.empty()) throw std::runtime_error("malformed shape program");
    int64_t v = stack.back();
    stack.pop_back();
    return v;
  };
  if ((end - begin) % 2 != 0) throw std::runtime_error("malformed shape program");
  for (const int64_t* p = begin; p != end; p += 2) {
    auto op = static_cast<ShapeOp>(p[0]);
    if (op == ShapeOp::PushImm) {
      stack.push_back(p[1]);
      continue;
    }
    if (op == ShapeOp::PushSlot) {
      if (p[1] < 0 || p[1] >= static_cast<int64_t>(heap.values.size()) || !heap.bound[static_cast<size_t>(p[1])]) {
        throw std::runtime_error("shape program reads an unbound symbolic variable");
      }
      stack.push_back(heap.values[static_cast<size_t>(p[1])]);
      continue;
    }
    int64_t b = pop(), a = pop(), r = 0;
    switch (op) {
      case ShapeOp::Add: if (__builtin_add_overflow(a, b, &r)) throw std::runtime_error("shape arithmetic overflows"); break;
      case ShapeOp::Sub: if (__builtin_sub_overflow(a, b, &r)) throw std::runtime_error("shape arithmetic overflows"); break;
      case ShapeOp::Mul: if (__builtin_mul_overflow(a, b, &r)) throw std::runtime_error("shape arithmetic overflows"); break;
      case ShapeOp::FloorDiv:
      case ShapeOp::FloorMod: {
        int64_t quotient = 0, remainder = 0;
        if (!floor_div_mod(a, b, &quotient, &remainder)) throw std::runtime_error(b == 0 ? "shape arithmetic divides by zero" : "shape arithmetic overflows");
        r = op == ShapeOp::FloorDiv ? quotient : remainder;
        break;
      }
      case ShapeOp::Min: r = std::min(a, b); break;
      case ShapeOp::Max: r = std::max(a, b); break;
      default: throw std::runtime_error("malformed shape program");
    }
    stack.push_back(r);
  }
  int64_t result = pop();
  if (!stack.empty()) throw std::runtime_error("malformed shape program");
  return result;
}

}  // namespace relaxrt

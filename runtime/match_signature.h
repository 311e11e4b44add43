// Checks run-time values against a VM function's declared parameter types and binds the
// symbolic variables of its signature (the shape heap). Messages name the argument, the
// function, the dimension, the symbolic variable and what bound it, expected and actual.
#pragma once

#include <stdexcept>
#include <vector>

#include "runtime/executable.h"
#include "runtime/value.h"

namespace relaxrt {

constexpr size_t kNotAParameter = static_cast<size_t>(-1);

// A value that does not fit a declared type: an argument (param() is its index) or the value of
// an R.match_cast (param() is kNotAParameter).
class ArgumentError : public std::runtime_error {
 public:
  ArgumentError(std::string message, size_t param) : std::runtime_error(std::move(message)), param_(param) {}
  size_t param() const { return param_; }

 private:
  size_t param_;
};

ShapeHeap make_heap(const VMFunction& fn);
// Matches parameter `index`; dimensions given by expressions over variables no earlier
// dimension bound are skipped here and checked by check_deferred_dimensions.
void match_parameter(const VMFunction& fn, size_t index, const Value& value, ShapeHeap& heap);
// Every parameter in `order` (a permutation of the parameter indices: the order decides which
// argument binds a variable and which is reported as mismatching), then the deferred dimensions.
void match_arguments(const VMFunction& fn, const std::vector<Value>& args, const std::vector<size_t>& order, ShapeHeap& heap);

// R.match_cast: checks `value` against the cast's type, binding the variables it introduces.
void match_cast(const VMFunction& fn, const CastSpec& cast, const Value& value, ShapeHeap& heap);

// Evaluates words [begin, end) of a shape program (bytecode.h) over the heap.
int64_t eval_shape_program(const int64_t* begin, const int64_t* end, const ShapeHeap& heap);

}  // namespace relaxrt

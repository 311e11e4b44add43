// Turns relaxrun's inputs into the arguments of a VM function: `--input` files fill the
// parameters in order (or by name, `x=img.npy`), `--params` archive entries fill the remaining
// ones by key name — never by archive order. Every problem is one line naming the input.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/executable.h"
#include "runtime/npz.h"
#include "runtime/value.h"

namespace relaxrt {

struct InputFile {
  std::string param;  // empty: the next unfilled parameter
  std::string path;
  Value value;        // a tensor, typically a view into the mapped file
};

// An entry of the --params archive, already a value (a tensor viewing the archive).
struct NamedValue {
  std::string name;
  Value value;
};

struct BoundArguments {
  std::vector<Value> values;
  std::vector<Value> given;  // the same, before a 0-d tensor for an R.Prim parameter became its scalar
  // Parameter indices in the order to check them: archive entries first, so that a
  // mismatch is reported against the input a user passed, not against the weights.
  std::vector<size_t> check_order;
  std::vector<std::string> sources;  // per parameter: the file (and key) it came from
};

class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `unused_keys_ok`: archive keys that match no parameter are ignored instead of an error.
BoundArguments bind_arguments(const VMFunction& fn, std::vector<InputFile> inputs, const std::string& params_path,
                              std::vector<NamedValue> params, bool unused_keys_ok);

// A 0-d tensor given for an R.Prim parameter as its scalar (a .npy cannot hold a bare number);
// any other value as it is.
Value scalar_of_0d(const Value& value);

Value to_value(const HostArray& array, std::shared_ptr<const HostArray> owner);
// The inverse: a copy of `tensor`'s elements, to serialise as .npy.
HostArray to_host_array(const Tensor& tensor);

}  // namespace relaxrt

// T.call_packed("name", args...): a call from TensorIR into a function of the runtime's
// registry (the env. functions, tvm.contrib.sort.*, a plugin's). A buffer argument is passed
// as a DLTensor of the whole buffer; a number as an integer or a float. TVM's parser turns a
// buffer into `T.tvm_stack_make_array(A.data, T.tvm_stack_make_shape(...), 0, ndim,
// T.float32(0), 0)` and its printer writes that back; both spellings are read, and the second
// must describe exactly the buffer (dense, offset 0), since nothing else has a meaning here.
#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_equal.h"

namespace relaxc::frontend {

using namespace relaxc::tir;

namespace {

// `A.data` → "A"; nullopt for anything else.
std::optional<std::string> data_pointer_of(P::ExprContext* ctx) {
  std::optional<std::string> name = dotted_name(ctx);
  const std::string suffix = ".data";
  if (!name || name->size() <= suffix.size() || name->compare(name->size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  return name->substr(0, name->size() - suffix.size());
}

// A dimension as written against the buffer's: constants by value (2 and T.int64(2) agree).
bool same_dim(const Expr& a, const Expr& b) {
  const auto *x = a->as<IntImm>(), *y = b->as<IntImm>();
  if (x && y) return x->value == y->value;
  return same_expr(a, b);
}

bool is_zero(const Expr& e) {
  const auto* imm = e->as<IntImm>();
  return imm && imm->value == 0;
}

}  // namespace

// T.tvm_stack_make_array(A.data, T.tvm_stack_make_shape(dims...), strides, ndim, T.dtype(0),
// elem_offset), accepted only as the whole of buffer A.
Expr TirExprBuilder::build_stack_array(const CallSyntax& call, SourceLoc loc) {
  expect_arguments(call, 6, 6, {});
  const std::string what = "T.tvm_stack_make_array";
  std::optional<std::string> name = data_pointer_of(call.positional[0]);
  if (!name) fail(loc_of(call.positional[0]), what + "'s first argument must be a buffer's data pointer, as in A.data");
  const Symbol* symbol = scope_.lookup(*name);
  if (!symbol || !symbol->buffer) fail(loc_of(call.positional[0]), "'" + *name + "' is not a buffer, so '" + *name + ".data' has no meaning here");
  BufferPtr buffer = symbol->buffer;
  std::optional<CallSyntax> shape = as_call(call.positional[1]);
  if (!shape || shape->callee_name != "T.tvm_stack_make_shape") {
    fail(loc_of(call.positional[1]), what + "'s shape must be T.tvm_stack_make_shape(...)");
  }
  expect_arguments(*shape, 0, 64, {});
  if (shape->positional.size() != buffer->shape.size()) {
    fail(shape->loc, what + " gives " + std::to_string(shape->positional.size()) + " dimensions but buffer '" + buffer->name + "' has " +
                         std::to_string(buffer->shape.size()));
  }
  for (size_t d = 0; d < buffer->shape.size(); ++d) {
    Expr dim = build_index(shape->positional[d]);
    if (!same_dim(dim, buffer->shape[d])) {
      fail(loc_of(shape->positional[d]), what + ": dimension " + std::to_string(d) + " is " + printing::print_tir_expr(dim) + " but buffer '" +
                                             buffer->name + "' has " + printing::print_tir_expr(buffer->shape[d]) +
                                             "; only the whole buffer can be passed");
    }
  }
  if (!is_zero(build_index(call.positional[2]))) {
    fail(loc_of(call.positional[2]), what + ": explicit strides are not supported; pass 0 (a dense row-major buffer)");
  }
  std::optional<int64_t> ndim = integer_literal(call.positional[3]);
  if (!ndim || *ndim != static_cast<int64_t>(buffer->shape.size())) {
    fail(loc_of(call.positional[3]), what + ": ndim must be " + std::to_string(buffer->shape.size()) + ", the rank of buffer '" + buffer->name + "'");
  }
  DataType dtype = build(call.positional[4]).expr->dtype;
  if (dtype != buffer->dtype) {
    fail(loc_of(call.positional[4]), what + ": the element type is " + std::string(dtype_name(dtype)) + " but buffer '" + buffer->name + "' holds " +
                                         dtype_name(buffer->dtype));
  }
  if (!is_zero(build_index(call.positional[5]))) {
    fail(loc_of(call.positional[5]), what + ": a nonzero element offset is not supported; pass the buffer itself");
  }
  scope_.mark_used(*name);
  return std::make_shared<BufferRef>(buffer, loc);
}

Expr TirExprBuilder::build_packed_argument(P::ExprContext* arg) {
  SourceLoc loc = loc_of(arg);
  if (string_literal(arg)) fail(loc, "T.call_packed passes buffers and numbers to the function; a string argument is not supported");
  if (std::optional<std::string> name = dotted_name(arg)) {
    if (const Symbol* symbol = scope_.lookup(*name); symbol && symbol->buffer) {
      scope_.mark_used(*name);
      return std::make_shared<BufferRef>(symbol->buffer, loc);
    }
    if (std::optional<std::string> buffer = data_pointer_of(arg)) {
      fail(loc, "'" + *name + "' is a raw data pointer, which a runtime function cannot receive here; pass the buffer itself, as in T.call_packed(\"f\", " +
                    *buffer + ")");
    }
  }
  if (std::optional<CallSyntax> call = as_call(arg); call && call->callee_name == "T.tvm_stack_make_array") return build_stack_array(*call, loc);
  Expr value = build(arg).expr;
  if (value->dtype == DataType::Handle || value->dtype == DataType::Void) {
    fail(loc, "T.call_packed passes buffers and numbers; this argument is a " + std::string(dtype_name(value->dtype)));
  }
  return value;
}

Expr TirExprBuilder::build_packed_call(const CallSyntax& call) {
  expect_arguments(call, 1, 1000, {});
  if (!call.starred.empty()) fail(call.loc, "T.call_packed cannot take *args; write each argument");
  std::optional<std::string> name = string_literal(call.positional[0]);
  if (!name || name->empty()) {
    fail(loc_of(call.positional[0]), "T.call_packed's first argument is the name of a runtime function, a string such as \"env.relu\"");
  }
  std::vector<Expr> args = {std::make_shared<StringImm>(*name, loc_of(call.positional[0]))};
  for (size_t i = 1; i < call.positional.size(); ++i) args.push_back(build_packed_argument(call.positional[i]));
  return std::make_shared<Call>(kCallPacked, std::move(args), DataType::Int32, call.loc);
}

}  // namespace relaxc::frontend

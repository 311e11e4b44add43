#include "compiler/frontend/buffer_syntax.h"

#include <algorithm>

#include "compiler/frontend/tir_names.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_build.h"

namespace relaxc::frontend {

using namespace relaxc::tir;

const std::vector<std::string> kBufferKeywords = {"dtype",       "scope",       "offset_factor", "align",
                                                  "strides",     "elem_offset", "buffer_type",   "axis_separators"};

namespace {

// `1 * a * b` as `a * b` with the constants multiplied and index casts dropped, so strides
// compare by their text.
Expr simplify_product(const Expr& e) {
  std::vector<Expr> factors;
  int64_t constant = 1;
  std::vector<Expr> stack{e};
  while (!stack.empty()) {
    Expr x = stack.back();
    stack.pop_back();
    if (const auto* mul = x->as<Binary>(); mul && mul->op == BinaryOp::Mul) {
      stack.push_back(mul->b);
      stack.push_back(mul->a);
    } else if (const auto* cast = x->as<Cast>(); cast && is_int(cast->dtype) && is_int(cast->value->dtype)) {
      stack.push_back(cast->value);  // widening an index: the same value
    } else if (const auto* imm = x->as<IntImm>()) {
      constant *= imm->value;
    } else {
      factors.push_back(x);
    }
  }
  std::sort(factors.begin(), factors.end(), [](const Expr& a, const Expr& b) { return printing::print_tir_expr(a) < printing::print_tir_expr(b); });
  Expr out = tir::build::imm(constant, DataType::Int64, e->loc);
  for (const Expr& f : factors) out = constant == 1 && out->as<IntImm>() ? f : make_binary(BinaryOp::Mul, {out, false}, {f, false}, e->loc);
  return out;
}

std::string stride_text(const Expr& stride) {
  Expr simple = simplify_product(stride);
  if (const auto* imm = simple->as<IntImm>()) return std::to_string(imm->value);
  return printing::print_tir_expr(simple);
}

// What TVM's printer adds to a buffer: alignment hints (offset_factor=, align=), which do not
// change what is computed, and a layout (strides=, elem_offset=), which must be the row-major
// one relaxc's buffers have.
void check_layout_keywords(const CallSyntax& call, const Buffer& buffer, TirExprBuilder& exprs) {
  for (const char* hint : {"offset_factor", "align"}) {
    if (P::ExprContext* value = call.keyword(hint)) {
      std::optional<int64_t> n = integer_literal(value);
      if (!n || *n < 0) fail(loc_of(value), std::string(hint) + "= takes a non-negative integer");
    }
  }
  if (P::ExprContext* offset = call.keyword("elem_offset")) {
    std::optional<int64_t> n = integer_literal(offset);
    if (!n || *n != 0) fail(loc_of(offset), "elem_offset= other than 0 (a buffer that starts inside its data) is not supported");
  }
  if (P::ExprContext* strides = call.keyword("strides")) {
    std::vector<Expr> given = exprs.build_shape(strides);
    if (given.size() != buffer.shape.size()) fail(loc_of(strides), "strides= gives " + std::to_string(given.size()) + " strides for a buffer of rank " + std::to_string(buffer.shape.size()));
    Expr row_major = tir::build::imm(1, DataType::Int64, loc_of(strides));
    for (size_t i = given.size(); i-- > 0;) {
      if (printing::print_tir_expr(simplify_product(given[i])) != printing::print_tir_expr(simplify_product(row_major))) {
        fail(loc_of(strides), "strides= must be the row-major strides of the buffer's shape (a non-contiguous buffer is not supported): stride " + std::to_string(i) + " is " + stride_text(given[i]) + ", not " + stride_text(row_major));
      }
      row_major = make_binary(BinaryOp::Mul, {row_major, false}, {buffer.shape[i], false}, row_major->loc);
    }
  }
  for (const char* fixed : {"buffer_type", "axis_separators"}) {
    P::ExprContext* value = call.keyword(fixed);
    if (!value) continue;
    std::optional<std::vector<P::ExprContext*>> items = sequence_elements(value);
    std::optional<std::string> text = string_literal(value);
    bool plain = (text && (*text == "default" || *text == "auto")) || (items && items->empty());
    if (!plain) fail(loc_of(value), std::string(fixed) + "= is supported only as its default");
  }
}

}  // namespace

// `T.Buffer((128,), "float32")`, or the printer's form before 2023, `T.Buffer[(128,), "float32"]`,
// as the arguments of a call; nullopt for any other annotation.
std::optional<CallSyntax> buffer_annotation(P::ExprContext* annotation) {
  std::optional<CallSyntax> call = as_call(annotation);
  if (call && call->callee_name == "T.Buffer") return call;
  auto* subscript = dynamic_cast<P::SubscriptExprContext*>(annotation);
  if (subscript == nullptr || dotted_name(subscript->expr()) != std::optional<std::string>("T.Buffer")) return std::nullopt;
  CallSyntax old_form;
  old_form.callee = subscript->expr();
  old_form.callee_name = "T.Buffer";
  old_form.loc = loc_of(subscript);
  for (P::SubscriptContext* item : subscript->subscripts()->subscript()) {
    if (!item->COLON().empty()) fail(loc_of(item), "T.Buffer[shape, dtype] takes a shape and a dtype, not a slice");
    old_form.positional.push_back(item->expr(0));
  }
  return old_form;
}

BufferPtr build_buffer(const std::string& name, const CallSyntax& call, SourceLoc loc, bool has_source, TirExprBuilder& exprs) {
  size_t first = has_source ? 1 : 0;
  expect_arguments(call, first + 1, first + 2, kBufferKeywords);
  auto buffer = std::make_shared<Buffer>();
  buffer->name = name;
  buffer->loc = loc;
  buffer->shape = exprs.build_shape(call.positional[first]);
  P::ExprContext* dtype_arg = call.positional.size() > first + 1 ? call.positional[first + 1] : call.keyword("dtype");
  if (dtype_arg != nullptr) {
    if (call.positional.size() > first + 1 && call.keyword("dtype")) {
      fail(loc_of(call.keyword("dtype")), "dtype given both by position and as dtype=");
    }
    std::optional<std::string> text = string_literal(dtype_arg);
    if (!text) fail(loc_of(dtype_arg), "a buffer's dtype must be a string such as \"float32\"");
    std::optional<DataType> dtype = parse_dtype(*text);
    if (!dtype) fail(loc_of(dtype_arg), "unknown dtype \"" + *text + "\"" + did_you_mean(*text, all_dtype_names()));
    buffer->dtype = *dtype;
  }
  if (P::ExprContext* scope_arg = call.keyword("scope")) {
    // Any of TVM's storage scopes ("global.A_reg", "wmma.accumulator", ...): on the CPU each
    // is ordinary memory, as TensorIR's sequential semantics allow.
    std::optional<std::string> text = string_literal(scope_arg);
    if (!text || text->empty() || text->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != std::string::npos) {
      fail(loc_of(scope_arg), "a buffer scope is a name such as \"global\", \"shared\", \"local\" or \"wmma.accumulator\"");
    }
    buffer->scope = *text;
  }
  check_layout_keywords(call, *buffer, exprs);
  return buffer;
}

}  // namespace relaxc::frontend

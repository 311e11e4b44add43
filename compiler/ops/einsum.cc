// R.einsum (the Einstein summation of a tuple of tensors: "ij,jk->ik", "ii->i", "bhqd,bhkd->bhqk";
// without "->" the output is numpy's implicit one, the letters used once in sorted order) and
// R.outer (the outer product of two vectors). One block: the output's letters are spatial
// axes, the other letters reduction axes. Ellipses ("...") are not supported: an error says so.
#include <algorithm>
#include <map>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

struct Subscripts {
  std::vector<std::string> inputs;
  std::string output;
};

// The parsed subscripts, or an error message.
std::optional<Subscripts> parse_subscripts(const std::string& text, size_t operands, std::string& error) {
  if (text.find('.') != std::string::npos) {
    error = "subscripts with an ellipsis (\"...\") are not supported";
    return std::nullopt;
  }
  Subscripts out;
  size_t arrow = text.find("->");
  std::string lhs = text.substr(0, arrow);
  std::string current;
  for (char ch : lhs + ",") {
    if (ch == ' ') continue;
    if (ch == ',') {
      out.inputs.push_back(current);
      current.clear();
    } else if (std::isalpha(static_cast<unsigned char>(ch))) {
      current += ch;
    } else {
      error = std::string("'") + ch + "' is not a subscript letter";
      return std::nullopt;
    }
  }
  if (out.inputs.size() != operands) {
    error = "the subscripts name " + std::to_string(out.inputs.size()) + " operands but " + std::to_string(operands) + " are given";
    return std::nullopt;
  }
  if (arrow != std::string::npos) {
    for (char ch : text.substr(arrow + 2)) {
      if (ch != ' ') out.output += ch;
    }
  } else {
    std::map<char, int> count;
    for (const std::string& in : out.inputs) {
      for (char ch : in) ++count[ch];
    }
    for (const auto& [ch, n] : count) {
      if (n == 1) out.output += ch;
    }
  }
  for (char ch : out.output) {
    bool known = std::any_of(out.inputs.begin(), out.inputs.end(), [&](const std::string& in) { return in.find(ch) != std::string::npos; });
    if (!known || std::count(out.output.begin(), out.output.end(), ch) > 1) {
      error = std::string("output letter '") + ch + "' must appear once in the output and in some input";
      return std::nullopt;
    }
  }
  return out;
}

// The extent of each letter, checked to agree across operands (a 1 does not broadcast).
std::optional<std::map<char, tir::Expr>> letter_extents(const InferCall* c, const Subscripts& s, const std::vector<const StructInfo*>& tensors) {
  std::map<char, tir::Expr> extents;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::vector<tir::Expr>& shape = *tensors[i]->shape;
    if (shape.size() != s.inputs[i].size()) {
      if (c) c->error("operand " + std::to_string(i) + " has rank " + std::to_string(shape.size()) + " but its subscripts \"" + s.inputs[i] + "\" name " +
                      std::to_string(s.inputs[i].size()) + " axes");
      return std::nullopt;
    }
    for (size_t d = 0; d < shape.size(); ++d) {
      char ch = s.inputs[i][d];
      auto it = extents.find(ch);
      if (it == extents.end()) {
        extents[ch] = shape[d];
      } else if (const_dim(it->second) && const_dim(shape[d]) && *const_dim(it->second) != *const_dim(shape[d])) {
        if (c) c->error(std::string("letter '") + ch + "' has extents " + shape_text({it->second}) + " and " + shape_text({shape[d]}));
        return std::nullopt;
      }
    }
  }
  return extents;
}

std::vector<const StructInfo*> tuple_tensors(const StructInfo& tuple) {
  std::vector<const StructInfo*> out;
  for (const StructInfoPtr& field : tuple.fields) out.push_back(field.get());
  return out;
}

StructInfoPtr infer_einsum(const InferCall& c) {
  std::vector<const StructInfo*> tensors = tuple_tensors(*c.operands[0]);
  DataType dtype = tensors.empty() ? DataType::Void : tensors[0]->dtype;
  for (const StructInfo* t : tensors) dtype = common_dtype(c, *tensors[0], *t);
  std::string error;
  std::optional<Subscripts> s = parse_subscripts(c.attrs.get_string("subscripts"), tensors.size(), error);
  if (!s) {
    c.error_at("subscripts", error);
    return make_tensor_sinfo(std::nullopt, dtype);
  }
  if (std::any_of(tensors.begin(), tensors.end(), [](const StructInfo* t) { return !t->shape; })) {
    return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(s->output.size()));
  }
  std::optional<std::map<char, tir::Expr>> extents = letter_extents(&c, *s, tensors);
  if (!extents) return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(s->output.size()));
  std::vector<tir::Expr> shape;
  for (char ch : s->output) shape.push_back(extents->at(ch));
  return make_tensor_sinfo(shape, dtype);
}

std::string einsum_kernel(const std::string& name, const KernelRequest& r) {
  std::vector<const StructInfo*> tensors;
  for (const Operand& operand : r.operands) tensors.push_back(operand.sinfo.get());
  std::string error;
  Subscripts s = *parse_subscripts(r.attrs.get_string("subscripts"), tensors.size(), error);
  std::map<char, tir::Expr> extents = *letter_extents(nullptr, s, tensors);
  DataType dtype = r.result->dtype;
  KernelText k(name);
  for (size_t i = 0; i < tensors.size(); ++i) k.param("A" + std::to_string(i), *tensors[i]->shape, tensors[i]->dtype);
  k.param("T_einsum", shape_of(*r.result), dtype);
  std::vector<std::string> loops, extent_texts;
  std::string kinds;
  std::string reduced;
  for (char ch : s.output) {
    loops.push_back(std::string("ax_") + ch);
    extent_texts.push_back(dim_text(extents.at(ch)));
    kinds += 'S';
  }
  for (const auto& [ch, extent] : extents) {
    if (s.output.find(ch) != std::string::npos) continue;
    loops.push_back(std::string("k_") + ch);
    extent_texts.push_back(dim_text(extent));
    kinds += 'R';
    reduced += ch;
  }
  auto iter = [&](char ch) { return std::string(s.output.find(ch) != std::string::npos ? "v_ax_" : "v_k_") + ch; };
  std::string product;
  for (size_t i = 0; i < tensors.size(); ++i) {
    std::vector<std::string> at;
    for (char ch : s.inputs[i]) at.push_back(iter(ch));
    product += (i ? " * " : "") + indexed("A" + std::to_string(i), at);
  }
  std::vector<std::string> out_at;
  for (char ch : s.output) out_at.push_back(iter(ch));
  std::string out = indexed("T_einsum", out_at);
  k.open_block("T_einsum", loops, extent_texts, kinds);
  if (reduced.empty()) {
    k.line(out + " = " + product);
  } else {
    k.line("with T.init():");
    k.line("    " + out + " = " + dtype_literal(dtype, 0));
    k.line(out + " = " + out + " + " + product);
  }
  k.close_block();
  return k.str();
}

StructInfoPtr infer_outer(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  const StructInfo& b = *c.operands[1];
  DataType dtype = common_dtype(c, a, b);
  if ((a.rank() >= 0 && a.rank() != 1) || (b.rank() >= 0 && b.rank() != 1)) c.error("takes two 1-d tensors");
  if (!a.shape || !b.shape || a.shape->size() != 1 || b.shape->size() != 1) return make_tensor_sinfo(std::nullopt, dtype, 2);
  return make_tensor_sinfo(std::vector<tir::Expr>{(*a.shape)[0], (*b.shape)[0]}, dtype);
}

std::string outer_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& a = *r.operands[0].sinfo;
  const StructInfo& b = *r.operands[1].sinfo;
  KernelText k(name);
  k.param("A", *a.shape, a.dtype);
  k.param("B", *b.shape, b.dtype);
  k.param("T_outer", shape_of(*r.result), r.result->dtype);
  k.open_block("T_outer", {"ax0", "ax1"}, dim_texts(shape_of(*r.result)), "SS");
  k.line("T_outer[v_ax0, v_ax1] = A[v_ax0] * B[v_ax1]");
  k.close_block();
  return k.str();
}

}  // namespace

void register_einsum(std::vector<OpDef>& ops) {
  ops.push_back(define_op("einsum", "einsum", {{"operands", OperandKind::TensorTuple}}, {string_attr("subscripts", "")}, infer_einsum, einsum_kernel));
  ops.push_back(define_op("outer", "outer", {{"x1"}, {"x2"}}, {}, infer_outer, outer_kernel));
}

}  // namespace relaxc::ops

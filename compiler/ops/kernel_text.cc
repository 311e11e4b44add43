#include "compiler/ops/kernel_text.h"

#include <algorithm>
#include <cmath>

#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::ops {

std::string dim_text(const tir::Expr& dim) { return printing::print_tir_expr(dim); }

std::string dtype_literal(DataType dtype, double value) {
  if (is_float(dtype)) {
    std::string text = printing::format_float(value);
    if (!std::isfinite(value)) text = "\"" + text + "\"";  // T.float32("-inf")
    return std::string("T.") + dtype_name(dtype) + "(" + text + ")";
  }
  if (dtype == DataType::Bool) return value != 0 ? "T.bool(True)" : "T.bool(False)";
  return std::string("T.") + dtype_name(dtype) + "(" + std::to_string(static_cast<int64_t>(value)) + ")";
}

std::string join_text(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

void KernelText::param(const std::string& buffer, const std::vector<tir::Expr>& shape, DataType dtype) {
  std::vector<std::string> dims;
  for (const tir::Expr& d : shape) {
    dims.push_back(dim_text(d));
    for (const tir::VarPtr& var : tir::vars_in(d)) {
      if (std::find(declared_.begin(), declared_.end(), var->name) != declared_.end()) continue;
      declared_.push_back(var->name);
      sizes_.push_back(var->name + " = T." + dtype_name(var->dtype) + "()");
    }
  }
  params_.push_back("var_" + buffer + ": T.handle");
  std::string shape_text = "(" + join_text(dims) + (dims.size() == 1 ? ",)" : ")");
  matches_.push_back(buffer + " = T.match_buffer(var_" + buffer + ", " + shape_text + ", \"" + dtype_name(dtype) + "\")");
}

void KernelText::alloc(const std::string& buffer, const std::vector<std::string>& shape, DataType dtype) {
  std::string shape_text = "(" + join_text(shape) + (shape.size() == 1 ? ",)" : ")");
  allocs_.push_back(buffer + " = T.alloc_buffer(" + shape_text + ", \"" + dtype_name(dtype) + "\")");
}

void KernelText::open_block(const std::string& block, const std::vector<std::string>& loops, const std::vector<std::string>& extents,
                            const std::string& kinds) {
  int added = 0;
  if (!loops.empty()) {
    line("for " + join_text(loops) + " in T.grid(" + join_text(extents) + "):");
    indent();
    ++added;
  }
  line("with T.block(\"" + block + "\"):");
  indent();
  ++added;
  if (!loops.empty()) {
    std::vector<std::string> iters;
    for (const std::string& loop : loops) iters.push_back("v_" + loop);
    line(join_text(iters) + " = T.axis.remap(\"" + kinds + "\", [" + join_text(loops) + "])");
  }
  opened_.push_back(added);
}

void KernelText::close_block() {
  depth_ -= opened_.back();
  opened_.pop_back();
}

std::string KernelText::str() const {
  std::string text = "@T.prim_func(private=True)\ndef " + name_ + "(" + join_text(params_) + "):\n";
  text += "    T.func_attr({\"tir.noalias\": T.bool(True)})\n";
  for (const std::string& s : sizes_) text += "    " + s + "\n";
  for (const std::string& m : matches_) text += "    " + m + "\n";
  for (const std::string& a : allocs_) text += "    " + a + "\n";
  for (const std::string& b : body_) text += b + "\n";
  return text;
}

}  // namespace relaxc::ops

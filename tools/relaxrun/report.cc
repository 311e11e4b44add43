#include "report.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <sstream>

#include "runtime/compare_arrays.h"
#include "runtime/source_note.h"
#include "runtime/vm.h"

namespace relaxrun {

using namespace relaxrt;

void print_info(std::ostream& out, const std::string& path, const Executable& exe, const FunctionRegistry& registry) {
  out << path << ": compiled by " << exe.producer << " from " << exe.source_name << " (.rx format " << exe.format_version << ")\n";
  out << "native code: " << (exe.native_code.empty() ? std::string("none") : std::to_string(exe.native_code.size()) + " bytes for " + exe.target_triple + ", CPU " + exe.target_cpu) << "\n";
  auto signature = [&](const VMFunction& f) {
    out << "  @" << f.name << "(";
    for (size_t i = 0; i < f.params.size(); ++i) out << (i ? ", " : "") << f.params[i].name << ": " << f.params[i].type.text;
    out << ") -> " << f.ret.text << "\n";
  };
  out << "functions:\n";
  for (const VMFunction& f : exe.functions) {
    if (!f.prim_func_entry) signature(f);
  }
  // Run with --function NAME: the buffers it reads as inputs, the ones it writes as the result.
  bool any_prim_func = std::any_of(exe.functions.begin(), exe.functions.end(), [](const VMFunction& f) { return f.prim_func_entry; });
  if (any_prim_func) out << "prim_funcs, callable with --function (inputs: the buffers each reads; result: those it writes):\n";
  for (const VMFunction& f : exe.functions) {
    if (f.prim_func_entry) signature(f);
  }
  out << "kernels:";
  size_t kernels = 0;
  for (const FunctionRef& ref : exe.function_table) {
    if (ref.kind != FunctionRef::Kind::Kernel) continue;
    out << (kernels++ ? ", " : " ") << ref.name;
  }
  out << (kernels ? "\n" : " none\n");
  out << "runtime functions needed:\n";
  for (const std::string& name : exe.runtime_functions) {
    const FunctionRegistry::Entry* entry = registry.find(name);
    std::string where = find_builtin(name) ? "VM builtin" : entry ? entry->origin : "MISSING (provide it with --lib PLUGIN.so)";
    out << "  " << name << ": " << where << "\n";
  }
}

std::string print_top_problem(const Tensor& result, const std::vector<std::string>& labels) {
  if (result.shape.empty() || result.shape.size() > 2) return "--print-top ranks a vector or a batch of vectors, but the result has shape " + shape_text(result.shape);
  int64_t cols = result.shape.back();
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != cols) {
    return "--labels gives " + std::to_string(labels.size()) + " class names but the result has " + std::to_string(cols) + " classes";
  }
  return "";
}

bool print_top(std::ostream& out, std::ostream& err, const Tensor& result, int k, const std::vector<std::string>& labels) {
  if (std::string problem = print_top_problem(result, labels); !problem.empty()) {
    err << "relaxrun: error: " << problem << "\n";
    return false;
  }
  int64_t rows = result.shape.size() == 2 ? result.shape[0] : 1;
  int64_t cols = result.shape.back();
  int64_t shown = std::min<int64_t>(k, cols);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> order(static_cast<size_t>(cols));
    std::iota(order.begin(), order.end(), 0);
    // Ties keep the lower index first, as numpy's argmax does.
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return element_as_double(result, r * cols + a) > element_as_double(result, r * cols + b);
    });
    if (rows > 1) out << "row " << r << ": ";
    for (int64_t i = 0; i < shown; ++i) {
      int64_t c = order[static_cast<size_t>(i)];
      double value = element_as_double(result, r * cols + c);
      // The shortest digits that read back as the result's value, as numpy prints a scalar.
      char digits[64];
      std::to_chars_result end = std::string(result.type.name) == "float64" ? std::to_chars(digits, digits + sizeof digits, value)
                                                                            : std::to_chars(digits, digits + sizeof digits, static_cast<float>(value));
      std::string score(digits, end.ptr);
      out << (i ? ", " : "") << (labels.empty() ? "class " + std::to_string(c) : labels[static_cast<size_t>(c)] + " (class " + std::to_string(c) + ")")
          << " score " << score;
    }
    out << "\n";
  }
  return true;
}

void print_note(std::ostream& err, const std::string& source, const SourceSpan& span, const std::string& message) {
  err << source_note(source, span, message);
}

}  // namespace relaxrun

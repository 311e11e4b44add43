// What relaxrun prints besides the result array: `--info` and `--print-top`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "runtime/executable.h"
#include "runtime/function_registry.h"
#include "runtime/native_library.h"
#include "runtime/value.h"

namespace relaxrun {

void print_info(std::ostream& out, const std::string& path, const relaxrt::Executable& exe, const relaxrt::FunctionRegistry& registry);
// Why --print-top cannot rank `result` with `labels` (empty when it can), checked before the
// result is printed or written.
std::string print_top_problem(const relaxrt::Tensor& result, const std::vector<std::string>& labels);
// The k largest entries of each row of a 1-D or 2-D result, with class names when given.
// Returns false (and prints why to `err`) when the result cannot be ranked.
bool print_top(std::ostream& out, std::ostream& err, const relaxrt::Tensor& result, int k, const std::vector<std::string>& labels);
// The source line of a declaration and a caret under its column, as the compiler prints them.
void print_note(std::ostream& err, const std::string& source, const relaxrt::SourceSpan& span, const std::string& message);

}  // namespace relaxrun

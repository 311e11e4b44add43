// Pieces shared by the TensorIR and Relax halves of the printer.
#pragma once

#include <sstream>
#include <string>
#include <unordered_set>

#include "compiler/ir/module.h"
#include "compiler/ir/printer/printer.h"

namespace relaxc::printing {

// The spelling print_module is writing; the TensorIR and Relax halves read it where the two
// spellings differ.
Spelling spelling();
inline bool current_spelling() { return spelling() == Spelling::Current; }
// The name in the spelling being written: "T.block" is "T.sblock" in the current one.
std::string spelled(const std::string& chapter_name);
class SpellingScope {
 public:
  explicit SpellingScope(Spelling s);
  ~SpellingScope();

 private:
  Spelling saved_;
};

// Lines with indentation, four spaces a level.
class Lines {
 public:
  void line(const std::string& text) { out_ << std::string(4 * depth_, ' ') << text << '\n'; }
  void indent() { ++depth_; }
  void dedent() { --depth_; }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
  int depth_ = 0;
};

std::string quote(const std::string& text);
// "a, b, c"
std::string join(const std::vector<std::string>& parts);
std::string format_float(double value);
std::string print_tir_expr(const tir::Expr& expr);
// A Relax shape dimension: integers plain, variables by name (quoted in a signature).
std::string print_dim(const tir::Expr& expr, bool quote_vars);
std::string print_attr_value(const AttrValue& value);
std::string print_attr_dict(const AttrDict& dict);

void print_prim_func(const tir::PrimFunc& func, Lines& out);
void print_relax_function(const relax::Function& func, const std::string& module_name, Lines& out);
std::string print_sinfo(const relax::StructInfo& sinfo, bool quote_vars);

}  // namespace relaxc::printing

// Appends VM instructions, function-table entries and constants to an Executable, interning
// repeated names and constants. Knows the encoding (runtime/bytecode.h), nothing of Relax.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/bytecode.h"
#include "runtime/executable.h"

namespace relaxc::codegen {

class BytecodeBuilder {
 public:
  explicit BytecodeBuilder(relaxrt::Executable& exe) : exe_(exe) {}

  int64_t function(relaxrt::FunctionRef::Kind kind, const std::string& name) {
    auto key = std::make_pair(kind, name);
    auto it = function_index_.find(key);
    if (it != function_index_.end()) return it->second;
    int64_t index = static_cast<int64_t>(exe_.function_table.size());
    exe_.function_table.push_back({kind, name});
    function_index_[key] = index;
    return index;
  }
  int64_t builtin(const std::string& name) { return function(relaxrt::FunctionRef::Kind::Builtin, name); }

  int64_t ints_constant(const std::vector<int64_t>& values) {
    auto it = ints_index_.find(values);
    if (it != ints_index_.end()) return it->second;
    relaxrt::ConstantEntry entry;
    entry.kind = relaxrt::ConstantEntry::Kind::Ints;
    entry.ints = values;
    int64_t index = add_constant(std::move(entry));
    ints_index_[values] = index;
    return index;
  }
  int64_t add_constant(relaxrt::ConstantEntry entry) {
    exe_.constants.push_back(std::move(entry));
    return static_cast<int64_t>(exe_.constants.size()) - 1;
  }

  void call(int64_t dst, int64_t func, const std::vector<int64_t>& args) {
    emit({static_cast<int64_t>(relaxrt::Opcode::Call), dst, func, static_cast<int64_t>(args.size())});
    emit(args);
  }
  // Marks the next instruction as the call of binding `binding` of `function` at `loc`, writing
  // its last `outputs` arguments (relaxrun --profile, --dump-intermediates).
  void call_site(relaxrt::SourceSpan loc, const std::string& function, const std::string& binding, int64_t outputs) {
    exe_.call_sites.push_back({position(), std::move(loc), function, binding, outputs});
  }
  void ret(int64_t reg) { emit({static_cast<int64_t>(relaxrt::Opcode::Ret), reg}); }
  // `If reg`: falls through when the register is non-zero; returns where to patch the jump
  // taken when it is zero (land_here).
  int64_t branch_if_zero(int64_t reg) {
    emit({static_cast<int64_t>(relaxrt::Opcode::If), reg, 0});
    return position() - 3;
  }
  void land_here(int64_t branch) { exe_.bytecode[static_cast<size_t>(branch) + 2] = position() - branch; }
  int64_t position() const { return static_cast<int64_t>(exe_.bytecode.size()); }

  static int64_t reg(int64_t r) { return relaxrt::encode_arg(relaxrt::ArgKind::Register, r); }
  static int64_t imm(int64_t v) { return relaxrt::encode_arg(relaxrt::ArgKind::Immediate, v); }
  static int64_t constant(int64_t c) { return relaxrt::encode_arg(relaxrt::ArgKind::Constant, c); }

 private:
  void emit(const std::vector<int64_t>& words) { exe_.bytecode.insert(exe_.bytecode.end(), words.begin(), words.end()); }

  relaxrt::Executable& exe_;
  std::map<std::pair<relaxrt::FunctionRef::Kind, std::string>, int64_t> function_index_;
  std::map<std::vector<int64_t>, int64_t> ints_index_;
};

}  // namespace relaxc::codegen

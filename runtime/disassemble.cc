#include "runtime/disassemble.h"

#include <sstream>

#include "runtime/bytecode.h"

namespace relaxrt {

namespace {

const char* kind_name(FunctionRef::Kind kind) {
  switch (kind) {
    case FunctionRef::Kind::VM: return "vm";
    case FunctionRef::Kind::Kernel: return "kernel";
    case FunctionRef::Kind::Builtin: return "builtin";
    case FunctionRef::Kind::Runtime: return "runtime";
  }
  return "?";
}

std::string ints_text(const std::vector<int64_t>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

std::string arg_text(const Executable& exe, int64_t word) {
  int64_t v = arg_value(word);
  switch (arg_kind(word)) {
    case ArgKind::Register: return "%" + std::to_string(v);
    case ArgKind::Immediate: return "i" + std::to_string(v);
    case ArgKind::Constant: {
      const ConstantEntry& c = exe.constants.at(static_cast<size_t>(v));
      if (c.kind == ConstantEntry::Kind::String) return "c" + std::to_string(v) + "\"" + c.text + "\"";
      if (c.kind == ConstantEntry::Kind::Ints) return "c" + std::to_string(v) + ints_text(c.ints);
      return "c" + std::to_string(v);
    }
    case ArgKind::Function: return "@" + exe.function_table.at(static_cast<size_t>(v)).name;
  }
  return "?";
}

}  // namespace

std::string disassemble(const Executable& exe) {
  std::ostringstream out;
  out << "; function table\n";
  for (size_t i = 0; i < exe.function_table.size(); ++i) {
    out << ";   f" << i << " " << kind_name(exe.function_table[i].kind) << " " << exe.function_table[i].name << "\n";
  }
  for (const VMFunction& f : exe.functions) {
    out << "\n@" << f.name << "(";
    for (size_t i = 0; i < f.params.size(); ++i) out << (i ? ", " : "") << "%" << i << " " << f.params[i].name << ": " << f.params[i].type.text;
    out << ") -> " << f.ret.text << "  ; registers " << f.num_registers << ", shape heap [";
    for (size_t i = 0; i < f.slot_names.size(); ++i) out << (i ? ", " : "") << f.slot_names[i];
    out << "]\n";
    int64_t pc = f.code_begin;
    while (pc < f.code_end) {
      const int64_t* w = &exe.bytecode[static_cast<size_t>(pc)];
      out << "  " << pc - f.code_begin << ": ";
      switch (static_cast<Opcode>(w[0])) {
        case Opcode::Call: {
          if (w[1] != kVoidRegister) out << "%" << w[1] << " = ";
          out << "call " << exe.function_table.at(static_cast<size_t>(w[2])).name << "(";
          for (int64_t a = 0; a < w[3]; ++a) out << (a ? ", " : "") << arg_text(exe, w[4 + a]);
          out << ")\n";
          pc += 4 + w[3];
          break;
        }
        case Opcode::Ret: out << "ret %" << w[1] << "\n"; pc += 2; break;
        case Opcode::Goto: out << "goto " << pc + w[1] - f.code_begin << "\n"; pc += 2; break;
        case Opcode::If: out << "if %" << w[1] << " else goto " << pc + w[2] - f.code_begin << "\n"; pc += 3; break;
        default: out << "<bad opcode " << w[0] << ">\n"; pc = f.code_end; break;
      }
    }
  }
  return out.str();
}

}  // namespace relaxrt

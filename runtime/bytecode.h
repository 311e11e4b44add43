// The VM's instruction set, in the spirit of TVM's Relax VM: four opcodes, everything else is
// a call. Instructions are sequences of int64 words:
//   Call  dst func n arg*n   dst = functions[func](args)   (dst -1: result discarded)
//   Ret   reg                return register reg
//   Goto  offset             pc += offset
//   If    reg offset         if register reg is zero: pc += offset, else pc += 3
// A call argument packs its kind into the low 8 bits and a signed value into the rest.
#pragma once

#include <cstdint>

namespace relaxrt {

enum class Opcode : int64_t { Call = 1, Ret = 2, Goto = 3, If = 4 };

enum class ArgKind : uint8_t {
  Register = 0,   // a register of the current frame
  Immediate = 1,  // an int64
  Constant = 2,   // an entry of the constant pool
  Function = 3,   // an entry of the function table
};

inline int64_t encode_arg(ArgKind kind, int64_t value) {
  return static_cast<int64_t>(static_cast<uint64_t>(value) << 8) | static_cast<int64_t>(kind);
}
inline ArgKind arg_kind(int64_t word) { return static_cast<ArgKind>(word & 0xff); }
inline int64_t arg_value(int64_t word) { return word >> 8; }  // arithmetic shift keeps the sign

constexpr int64_t kVoidRegister = -1;

// Operations of shape programs (vm.builtin.make_shape): postfix, as (op, operand) pairs.
enum class ShapeOp : int64_t { PushImm = 0, PushSlot = 1, Add = 2, Sub = 3, Mul = 4, FloorDiv = 5, FloorMod = 6, Min = 7, Max = 8 };

}  // namespace relaxrt

#include "compiler/codegen/shape_program.h"

#include "runtime/bytecode.h"

namespace relaxc::codegen {

std::optional<ShapeProgramFailure> append_shape_program(const tir::Expr& e, const std::function<std::optional<int64_t>(const tir::Var*)>& slot_of,
                                                        std::vector<int64_t>& program) {
  using relaxrt::ShapeOp;
  auto op = [&](ShapeOp o, int64_t operand) {
    program.push_back(static_cast<int64_t>(o));
    program.push_back(operand);
    return std::nullopt;
  };
  if (const auto* imm = e->as<tir::IntImm>()) return op(ShapeOp::PushImm, imm->value);
  if (const auto* ref = e->as<tir::VarRef>()) {
    std::optional<int64_t> slot = slot_of(ref->var.get());
    if (!slot) return ShapeProgramFailure{e.get(), true};
    return op(ShapeOp::PushSlot, *slot);
  }
  if (const auto* cast = e->as<tir::Cast>(); cast && is_int(cast->dtype) && is_int(cast->value->dtype)) {
    return append_shape_program(cast->value, slot_of, program);
  }
  if (const auto* bin = e->as<tir::Binary>()) {
    std::optional<ShapeOp> shape_op;
    switch (bin->op) {
      case tir::BinaryOp::Add: shape_op = ShapeOp::Add; break;
      case tir::BinaryOp::Sub: shape_op = ShapeOp::Sub; break;
      case tir::BinaryOp::Mul: shape_op = ShapeOp::Mul; break;
      case tir::BinaryOp::FloorDiv: shape_op = ShapeOp::FloorDiv; break;
      case tir::BinaryOp::FloorMod: shape_op = ShapeOp::FloorMod; break;
      case tir::BinaryOp::Min: shape_op = ShapeOp::Min; break;
      case tir::BinaryOp::Max: shape_op = ShapeOp::Max; break;
      default: break;
    }
    if (shape_op) {
      if (auto failure = append_shape_program(bin->a, slot_of, program)) return failure;
      if (auto failure = append_shape_program(bin->b, slot_of, program)) return failure;
      return op(*shape_op, 0);
    }
  }
  return ShapeProgramFailure{e.get(), false};
}

}  // namespace relaxc::codegen

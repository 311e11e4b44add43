// T.unroll and T.vectorized as the code generator honours them. An unrolled loop of constant
// extent (at most kMaxUnrolled iterations) is emitted once per iteration with its variable a
// constant, so buffers indexed by it resolve to fixed addresses that LLVM keeps in registers.
// A vectorized loop of constant extent whose body is straight-line stores (possibly inside
// blocks) becomes SIMD code: each expression is a scalar when it does not depend on the loop
// variable and a vector of up to kMaxLanes lanes when it does; loads and stores must touch
// consecutive elements (the variable, with stride 1, only in the last index) or one element
// for all lanes, and loads may also step by a small constant (pooling's stride 2: one load of
// the span, then the lanes picked out of it). A block's T.init is either the same for every
// lane (run once, for lane 0) or, when the reduction axes are the same in every lane, run as
// vector code for all lanes. A store of one element for all lanes is a reduction when its block has a
// reduction axis and its value is `element + e`, `T.max(element, e)` or `T.min(element, e)`:
// the lanes of e are combined as a tree (LLVM's vector.reduce) and then with the element.
// Any other body runs as a scalar loop that asks LLVM's vectorizer to try.
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/Intrinsics.h>

#include <optional>
#include <set>

#include "compiler/codegen/kernel_emitter.h"
#include "compiler/codegen/lane_analysis.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::codegen {

using namespace relaxc::tir;

namespace {

constexpr int64_t kMaxUnrolled = 64;
constexpr int64_t kMaxLanes = 64;
constexpr int64_t kRegisterLanes32 = 16;  // 32-bit lanes of an AVX-512 register (masked_vectors_)

const IntImm* constant(const Expr& e) { return e ? e->as<IntImm>() : nullptr; }

}  // namespace

bool KernelEmitter::emit_unrolled(const For& loop) {
  const IntImm* min = constant(loop.min);
  const IntImm* extent = constant(loop.extent);
  if (!min || !extent || extent->value > kMaxUnrolled) return false;
  for (int64_t i = 0; i < extent->value; ++i) {
    vars_[loop.loop_var.get()] = llvm::ConstantInt::get(llvm_type(loop.loop_var->dtype), static_cast<uint64_t>(min->value + i), true);
    stmt(loop.body);
  }
  vars_.erase(loop.loop_var.get());
  return true;
}

bool KernelEmitter::emit_vectorized(const For& loop) {
  const IntImm* min = constant(loop.min);
  const IntImm* extent = constant(loop.extent);
  if (!min || !extent || extent->value < 1) return false;
  int64_t width = std::min(extent->value, kMaxLanes);
  // A vector longer than a register and not a whole number of them is whole registers and a
  // (masked) rest: LLVM 19 builds a splat of 20, 26 or 28 lanes one lane at a time (19 inserts
  // for 26), which, hoisted out of the FashionMNIST CNN's convolution rows, made it 1.35x
  // slower at batch 4443, and splits such loads into pieces of 8, 2 and 1.
  if (masked_vectors_ && width > kRegisterLanes32 && width % kRegisterLanes32 != 0) width = kRegisterLanes32;
  int64_t chunks = extent->value / width;
  int64_t rest = extent->value % width;
  LaneAnalysis lanes;
  lanes.strides[loop.loop_var.get()] = 1;
  lanes.gathers = masked_vectors_;
  lanes.masks = masked_vectors_;
  // Lane 0 of chunk j is min + j * width.
  lanes.span.lanes = width;
  lanes.span.first_lane[loop.loop_var.get()] = chunks == 1 && rest == 0 ? Congruence{0, min->value} : Congruence{width, min->value};
  if (!lanes.statement(loop.body)) return false;
  DataType dtype = loop.loop_var->dtype;
  llvm::Type* type = llvm_type(dtype);
  auto chunk_at = [&](llvm::Value* base, int64_t count) {
    vars_[loop.loop_var.get()] = base;
    const LaneAnalysis* saved = lanes_;
    lanes_ = &lanes;
    vector_stmt(loop.body, static_cast<unsigned>(count));
    lanes_ = saved;
    vars_.erase(loop.loop_var.get());
  };
  if (chunks == 1) {
    chunk_at(llvm::ConstantInt::get(type, static_cast<uint64_t>(min->value), true), width);
  } else {
    emit_counted_loop(llvm::ConstantInt::get(type, 0), llvm::ConstantInt::get(type, static_cast<uint64_t>(chunks)), loop.loop_var->name + ".chunk",
                      [&](llvm::Value* chunk) {
                        llvm::Value* offset = b_.CreateMul(chunk, llvm::ConstantInt::get(type, static_cast<uint64_t>(width)));
                        chunk_at(b_.CreateAdd(offset, llvm::ConstantInt::get(type, static_cast<uint64_t>(min->value), true)), width);
                      });
  }
  if (rest > 0) chunk_at(llvm::ConstantInt::get(type, static_cast<uint64_t>(min->value + chunks * width), true), rest);
  return true;
}

namespace {

// Whether a vector of `span` elements of `element` is better one masked access of the next
// power of two: 32- and 64-bit elements (AVX-512F's masks), within one 512-bit register.
bool worth_masking(llvm::Type* element, unsigned span, unsigned& wide) {
  unsigned bits = element->getPrimitiveSizeInBits().getFixedValue();
  wide = static_cast<unsigned>(llvm::PowerOf2Ceil(span));
  return (bits == 32 || bits == 64) && span > 1 && wide != span && wide * bits <= 512;
}

// A buffer on the stack (the registers of a tile) stays plain: LLVM keeps it in registers only
// while every access is an ordinary load or store.
bool on_stack(llvm::Value* ptr) { return llvm::isa<llvm::AllocaInst>(llvm::getUnderlyingObject(ptr)); }

// `value`'s lanes followed by poison ones, to `total` lanes.
llvm::Value* widened(llvm::IRBuilder<>& b, llvm::Value* value, unsigned total) {
  unsigned lanes = llvm::cast<llvm::FixedVectorType>(value->getType())->getNumElements();
  std::vector<int> mask;
  for (unsigned l = 0; l < total; ++l) mask.push_back(l < lanes ? static_cast<int>(l) : -1);
  return b.CreateShuffleVector(value, mask);
}

}  // namespace

llvm::Value* KernelEmitter::load_span(llvm::Type* element, llvm::Value* ptr, unsigned span, llvm::Align align, bool strided) {
  unsigned register_lanes = 512 / element->getPrimitiveSizeInBits().getFixedValue();
  if (strided && masked_vectors_ && span > register_lanes && register_lanes > 1) {
    // A span of more than one register (a strided load's, for a stride-2 convolution): whole
    // registers and a masked last one, joined, so that the lanes picked from them are one
    // permute of two registers rather than pieces of 8, 4, 2 and 1.
    std::vector<llvm::Value*> parts;
    for (unsigned first = 0; first < span; first += register_lanes) {
      llvm::Value* at = b_.CreateConstInBoundsGEP1_64(element, ptr, first);
      unsigned count = std::min(register_lanes, span - first);
      parts.push_back(count == register_lanes ? b_.CreateAlignedLoad(llvm::FixedVectorType::get(element, count), at, align)
                                              : masked_load(element, at, count, align));
    }
    // Joined in place: lanes [p * R, p * R + count) of the whole from part p.
    unsigned total = static_cast<unsigned>(parts.size()) * register_lanes;
    llvm::Value* joined = widened(b_, parts[0], total);
    for (size_t p = 1; p < parts.size(); ++p) {
      unsigned first = static_cast<unsigned>(p) * register_lanes;
      unsigned count = llvm::cast<llvm::FixedVectorType>(parts[p]->getType())->getNumElements();
      std::vector<int> mask;
      for (unsigned l = 0; l < total; ++l) mask.push_back(l >= first && l < first + count ? static_cast<int>(total + l - first) : static_cast<int>(l));
      joined = b_.CreateShuffleVector(joined, widened(b_, parts[p], total), mask);
    }
    return joined;
  }
  if (!masked_vectors_ || on_stack(ptr)) return b_.CreateAlignedLoad(llvm::FixedVectorType::get(element, span), ptr, align);
  return masked_load(element, ptr, span, align);
}

llvm::Value* KernelEmitter::masked_load(llvm::Type* element, llvm::Value* ptr, unsigned span, llvm::Align align) {
  unsigned wide = span;
  if (!worth_masking(element, span, wide)) return b_.CreateAlignedLoad(llvm::FixedVectorType::get(element, span), ptr, align);
  std::vector<llvm::Constant*> mask;
  for (unsigned l = 0; l < wide; ++l) mask.push_back(b_.getInt1(l < span));
  llvm::Type* type = llvm::FixedVectorType::get(element, wide);
  return b_.CreateMaskedLoad(type, ptr, align, llvm::ConstantVector::get(mask), llvm::PoisonValue::get(type));
}

void KernelEmitter::store_vector(llvm::Value* value, llvm::Value* ptr, llvm::Align align) {
  auto* type = llvm::cast<llvm::FixedVectorType>(value->getType());
  unsigned lanes = type->getNumElements(), wide = lanes;
  if (!masked_vectors_ || on_stack(ptr) || !worth_masking(type->getElementType(), lanes, wide)) {
    b_.CreateAlignedStore(value, ptr, align);
    return;
  }
  std::vector<llvm::Constant*> mask;
  for (unsigned l = 0; l < wide; ++l) mask.push_back(b_.getInt1(l < lanes));
  b_.CreateMaskedStore(widened(b_, value, wide), ptr, align, llvm::ConstantVector::get(mask));
}

void KernelEmitter::vector_stmt(const Stmt& s, unsigned lanes) {
  switch (s->kind) {
    case StmtKind::Seq:
      for (const Stmt& part : s->as<Seq>()->stmts) vector_stmt(part, lanes);
      return;
    case StmtKind::Store: {
      auto* store = s->as<Store>();
      llvm::Value* ptr = element_pointer(*store->buffer, store->indices, store->loc);
      if (!lanes_->contiguous(store->indices) && lanes_->strided(store->indices)) {
        llvm::Value* value = convert(vector_expr(store->value, lanes), store->value->dtype, store->buffer->dtype);
        if (!value->getType()->isVectorTy()) value = b_.CreateVectorSplat(lanes, value);
        if (!on_stack(ptr)) {
          b_.CreateMaskedScatter(value, lane_pointers(*store->buffer, store->indices, ptr, lanes), element_align(store->buffer->dtype));
          return;
        }
        // Element by element on the stack, where LLVM keeps a tile in registers.
        std::vector<llvm::Value*> pointers = lane_pointer_list(*store->buffer, store->indices, ptr, lanes);
        for (unsigned l = 0; l < lanes; ++l) b_.CreateStore(b_.CreateExtractElement(value, l), pointers[l]);
        return;
      }
      if (!lanes_->contiguous(store->indices)) return emit_vector_reduction(*store, ptr, lanes);
      llvm::Value* value = convert(vector_expr(store->value, lanes), store->value->dtype, store->buffer->dtype);
      if (!value->getType()->isVectorTy()) value = b_.CreateVectorSplat(lanes, value);
      store_vector(value, ptr, llvm::Align(static_cast<uint64_t>(std::max(1, dtype_bits(store->buffer->dtype) / 8))));
      return;
    }
    case StmtKind::Block: {
      auto* block = s->as<Block>();
      // Each axis holds its value in lane 0; LaneAnalysis knows how it moves across lanes.
      for (const IterVar& iv : block->iter_vars) vars_[iv.var.get()] = convert(expr(iv.binding), iv.binding->dtype, iv.var->dtype);
      if (block->init && LaneAnalysis::lane_dependent_init(*block, lanes_->strides)) {
        emit_init(*block, [&] { vector_stmt(block->init, lanes); });
      } else if (block->init) {
        emit_init(*block);
      }
      bool reduction = std::any_of(block->iter_vars.begin(), block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; });
      llvm::FastMathFlags saved = b_.getFastMathFlags();
      if (reduction) b_.setFastMathFlags(reduction_math_flags());
      vector_stmt(block->body, lanes);
      b_.setFastMathFlags(saved);
      for (const IterVar& iv : block->iter_vars) vars_.erase(iv.var.get());
      return;
    }
    default: return;  // T.evaluate(0); LaneAnalysis admitted nothing else
  }
}

// A bfloat16 element is combined in float32 and rounded once, when it is stored back.
void KernelEmitter::emit_vector_reduction(const Store& store, llvm::Value* ptr, unsigned lanes) {
  DataType dtype = store.buffer->dtype;
  DataType compute = dtype == DataType::BFloat16 ? DataType::Float32 : dtype;
  BinaryOp op = store.value->as<Binary>()->op;
  llvm::Value* values = convert(vector_expr(*reduced_operand(store), lanes), dtype, compute);
  if (!values->getType()->isVectorTy()) values = b_.CreateVectorSplat(lanes, values);
  bool fp = is_float(compute);
  bool is_signed = dtype != DataType::UInt8;
  llvm::Value* combined = nullptr;
  if (op == BinaryOp::Add) combined = fp ? b_.CreateFAddReduce(llvm::ConstantFP::getNegativeZero(values->getType()->getScalarType()), values) : b_.CreateAddReduce(values);
  else if (op == BinaryOp::Max) combined = fp ? b_.CreateFPMaxReduce(values) : b_.CreateIntMaxReduce(values, is_signed);
  else combined = fp ? b_.CreateFPMinReduce(values) : b_.CreateIntMinReduce(values, is_signed);
  llvm::Value* current = convert(b_.CreateLoad(llvm_type(dtype), ptr), dtype, compute);
  b_.CreateStore(convert(binary_values(op, current, combined, compute), compute, dtype), ptr);
}

llvm::Value* KernelEmitter::vector_expr(const Expr& e, unsigned lanes) {
  if (!lanes_->depends(e)) return expr(e);
  auto splat = [&](llvm::Value* v) { return v->getType()->isVectorTy() ? v : b_.CreateVectorSplat(lanes, v); };
  switch (e->kind) {
    case ExprKind::VarRef: {
      auto* ref = e->as<VarRef>();
      llvm::Value* base = convert(vars_.at(ref->var.get()), ref->var->dtype, e->dtype);
      int64_t stride = *lanes_->stride(e);
      std::vector<llvm::Constant*> steps;
      for (unsigned l = 0; l < lanes; ++l) steps.push_back(llvm::ConstantInt::get(base->getType(), static_cast<uint64_t>(stride * l), true));
      return b_.CreateAdd(splat(base), llvm::ConstantVector::get(steps));
    }
    case ExprKind::Load: {
      auto* load = e->as<Load>();
      llvm::Value* ptr = element_pointer(*load->buffer, load->indices, e->loc);
      if (lane_mask_) return masked_vector_load(*load, ptr, lanes);
      if (!lanes_->row_step(load->indices)) {
        llvm::Type* element = llvm_type(load->buffer->dtype);
        if (!on_stack(ptr))
          return b_.CreateMaskedGather(llvm::FixedVectorType::get(element, lanes), lane_pointers(*load->buffer, load->indices, ptr, lanes),
                                       element_align(load->buffer->dtype));
        std::vector<llvm::Value*> pointers = lane_pointer_list(*load->buffer, load->indices, ptr, lanes);
        llvm::Value* gathered = llvm::PoisonValue::get(llvm::FixedVectorType::get(element, lanes));
        for (unsigned l = 0; l < lanes; ++l) gathered = b_.CreateInsertElement(gathered, b_.CreateLoad(element, pointers[l]), l);
        return gathered;
      }
      int64_t step = *lanes_->row_step(load->indices);
      // Every element from lane 0's to the last lane's, all inside the buffer, then each
      // step-th: what LLVM lowers to loads and permutes, not a gather.
      unsigned span = static_cast<unsigned>((lanes - 1) * step + 1);
      // Read as whole registers joined unless the buffer is a tile's registers (scope "local"
      // on the stack), which LLVM keeps in registers only while every access is plain. A
      // padded input window computed per tile is on the stack too, but too large for
      // registers: a plain 27-element load from it was split into pieces of 8, 4, 2 and 1
      // joined by a dozen shuffles a vector (MobileNetV2's 112 -> 56 depthwise layer 1.5x slower).
      bool joined = step > 1 && !(on_stack(ptr) && load->buffer->scope == "local");
      llvm::Value* all = load_span(llvm_type(load->buffer->dtype), ptr, span, llvm::Align(static_cast<uint64_t>(std::max(1, dtype_bits(load->buffer->dtype) / 8))), joined);
      if (step == 1 && llvm::cast<llvm::FixedVectorType>(all->getType())->getNumElements() == lanes) return all;
      std::vector<int> picked;
      for (unsigned l = 0; l < lanes; ++l) picked.push_back(static_cast<int>(l * step));
      return b_.CreateShuffleVector(all, picked);
    }
    case ExprKind::Select: return vector_select(*e->as<Select>(), lanes);
    case ExprKind::Binary: {
      auto* bin = e->as<Binary>();
      DataType operand = binary_operand_type(*bin);
      llvm::Value* a = splat(convert(vector_expr(bin->a, lanes), bin->a->dtype, operand));
      llvm::Value* b = splat(convert(vector_expr(bin->b, lanes), bin->b->dtype, operand));
      return binary_values(bin->op, a, b, operand);
    }
    case ExprKind::Cast: {
      auto* cast = e->as<Cast>();
      return convert(vector_expr(cast->value, lanes), cast->value->dtype, cast->dtype);
    }
    case ExprKind::Not: {
      auto* node = e->as<Not>();
      return b_.CreateNot(convert(vector_expr(node->a, lanes), node->a->dtype, DataType::Bool));
    }
    case ExprKind::Call: {
      auto* call = e->as<Call>();
      DataType operand = intrinsic_operand_type(*call);
      std::vector<llvm::Value*> args;
      for (const Expr& arg : call->args) args.push_back(splat(convert(vector_expr(arg, lanes), arg->dtype, operand)));
      return emit_intrinsic(*call, args, operand);
    }
    default: break;
  }
  throw std::logic_error("expression admitted for vectorization has no vector form");
}

// The sum of each index's step across lanes times the elements its dimension spans.
llvm::Value* KernelEmitter::lane_step(const Buffer& buffer, const std::vector<Expr>& indices) {
  const BufferValue& value = buffers_.at(&buffer);
  llvm::Value* step = b_.getInt64(0);
  for (size_t d = 0; d < indices.size(); ++d) {
    step = d == 0 ? b_.getInt64(static_cast<uint64_t>(*lanes_->stride(indices[d])))
                  : b_.CreateAdd(b_.CreateMul(step, value.shape[d]), b_.getInt64(static_cast<uint64_t>(*lanes_->stride(indices[d]))));
  }
  return step;
}

// The address of each lane's element: lane 0's, then a constant step of elements.
llvm::Value* KernelEmitter::lane_pointers(const Buffer& buffer, const std::vector<Expr>& indices, llvm::Value* first, unsigned lanes) {
  llvm::Value* step = lane_step(buffer, indices);
  std::vector<llvm::Constant*> numbers;
  for (unsigned l = 0; l < lanes; ++l) numbers.push_back(b_.getInt64(l));
  llvm::Value* offsets = b_.CreateMul(b_.CreateVectorSplat(lanes, step), llvm::ConstantVector::get(numbers));
  return b_.CreateGEP(storage_type(buffer.dtype), first, offsets);
}

// Each lane's pointer on its own: for a tile on the stack (a buffer of constant shape) each is
// a constant offset from the tile, which lets LLVM keep
// the tile in registers (lanes extracted from a vector of pointers made it keep the tile in
// memory, stored back at every step of the reduction: ResNet-18 1.5x slower).
std::vector<llvm::Value*> KernelEmitter::lane_pointer_list(const Buffer& buffer, const std::vector<Expr>& indices, llvm::Value* first,
                                                           unsigned lanes) {
  llvm::Value* step = lane_step(buffer, indices);
  llvm::Type* element = storage_type(buffer.dtype);
  std::vector<llvm::Value*> pointers;
  for (unsigned l = 0; l < lanes; ++l) pointers.push_back(b_.CreateGEP(element, first, b_.CreateMul(step, b_.getInt64(l))));
  return pointers;
}

llvm::Align KernelEmitter::element_align(DataType dtype) { return llvm::Align(static_cast<uint64_t>(std::max(1, dtype_bits(dtype) / 8))); }

llvm::FastMathFlags KernelEmitter::reduction_math_flags() {
  llvm::FastMathFlags flags;
  flags.setAllowReassoc();
  flags.setNoSignedZeros();  // with reassoc, what LLVM needs to sum a vector as a tree
  flags.setAllowContract(true);
  return flags;
}

// Both branches computed, each with its loads masked to the lanes that take it, then blended.
llvm::Value* KernelEmitter::vector_select(const Select& node, unsigned lanes) {
  auto vector_of = [&](llvm::Value* v) { return v->getType()->isVectorTy() ? v : b_.CreateVectorSplat(lanes, v); };
  llvm::Value* cond = vector_of(convert(vector_expr(node.cond, lanes), node.cond->dtype, DataType::Bool));
  llvm::Value* outer = lane_mask_;
  lane_mask_ = outer ? b_.CreateAnd(outer, cond) : cond;
  llvm::Value* taken = vector_of(vector_expr(node.true_value, lanes));
  llvm::Value* not_cond = b_.CreateNot(cond);
  lane_mask_ = outer ? b_.CreateAnd(outer, not_cond) : not_cond;
  llvm::Value* other = vector_of(vector_expr(node.false_value, lanes));
  lane_mask_ = outer;
  return b_.CreateSelect(cond, taken, other);
}

// Consecutive lanes (LaneAnalysis admits no other row step under a mask) or a gather; lanes
// outside the mask are never read.
llvm::Value* KernelEmitter::masked_vector_load(const Load& load, llvm::Value* ptr, unsigned lanes) {
  llvm::Type* element = llvm_type(load.buffer->dtype);
  auto* type = llvm::FixedVectorType::get(element, lanes);
  llvm::Value* poison = llvm::PoisonValue::get(type);
  if (lanes_->contiguous(load.indices)) return b_.CreateMaskedLoad(type, ptr, element_align(load.buffer->dtype), lane_mask_, poison);
  return b_.CreateMaskedGather(type, lane_pointers(*load.buffer, load.indices, ptr, lanes), element_align(load.buffer->dtype), lane_mask_, poison);
}

}  // namespace relaxc::codegen

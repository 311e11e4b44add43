// The state of lowering one prim_func to LLVM IR, shared by the files that emit its entry
// checks (kernel_entry.cc), statements (kernel_stmt.cc) and expressions (kernel_expr.cc).
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::codegen {

namespace lanes_detail {
struct LaneAnalysis;  // lane_analysis.h
}  // namespace lanes_detail
using lanes_detail::LaneAnalysis;

struct BufferValue {
  llvm::Value* data = nullptr;      // element pointer
  std::vector<llvm::Value*> shape;  // i64 extents
  DataType dtype = DataType::Float32;
};

// The type a TensorIR intrinsic computes in (its arguments'), and whether it has a vector form.
DataType intrinsic_operand_type(const tir::Call& node);
bool intrinsic_vectorizes(const tir::Call& node);

// The exported table of every runtime function the kernels call, for the loader: of the
// module's own kernels, or of `names` (the kernels of other modules of the same library).
void emit_packed_function_table(llvm::Module& module);
void emit_packed_function_table(llvm::Module& module, const std::vector<std::string>& names);
// The runtime functions the module's kernels call by name (T.call_packed).
std::vector<std::string> packed_function_names(const llvm::Module& module);
// A pointer global the runtime may fill (such as __rx_parallel_for_work), null until it does; weak,
// so that every module of a library may define it and the linker keeps one.
llvm::GlobalVariable* runtime_hook(llvm::Module& module, const char* symbol);

class KernelEmitter {
 public:
  // `masked_vectors`: the target loads and stores vectors under a mask as one instruction
  // (AVX-512), so a vector of lanes that is not a power of two is one masked access of the
  // next power of two rather than pieces of 8, 4, 2 and 1.
  // A parallel loop with fewer statements than `min_parallel_work` (see inner_work; a vector
  // lane counts as one) runs on the calling thread (schedule::Target::parallel_min_statements).
  KernelEmitter(const tir::PrimFunc& func, llvm::Module& module, bool masked_vectors = false, int64_t min_parallel_work = 1 << 18);
  llvm::Function* emit();

  // kernel_expr.cc
  llvm::Value* expr(const tir::Expr& e);
  llvm::Value* index_i64(const tir::Expr& e);
  llvm::Value* convert(llvm::Value* value, DataType from, DataType to);
  llvm::Type* llvm_type(DataType dtype);
  // How an element of `dtype` is stored in a buffer: as its value type, a bool as a byte.
  llvm::Type* storage_type(DataType dtype);

 private:
  // kernel_entry.cc
  void emit_entry_checks();
  void call_argument_checker(llvm::Value* table, size_t slots);
  void unpack_arguments(const std::vector<std::vector<bool>>& compared);
  void check_dimension_by_code(const std::string& what, const tir::Expr& dim, llvm::Value* actual,
                               const std::unordered_map<const tir::Var*, std::string>& bound_by);
  // The variables or buffers in scope, in a fixed order (by name), for code that captures them.
  template <typename Map>
  static std::vector<typename Map::key_type> keys_by_name(const Map& map) {
    std::vector<typename Map::key_type> keys;
    for (const auto& entry : map) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end(), [](auto a, auto b) { return a->name < b->name || (a->name == b->name && a < b); });
    return keys;
  }
  void outline_body();
  bool buffers_do_not_alias() const;
  // The value an outlined function (the body, a parallel chunk) uses for one it was passed:
  // `captured` itself when it is a constant, so that LLVM still sees it, else the argument.
  static llvm::Value* kept_constant(llvm::Value* captured, llvm::Value* passed);
  void fail_if(llvm::Value* condition, const std::string& message, llvm::Value* expected = nullptr, llvm::Value* actual = nullptr);
  // kernel_stmt.cc
  void stmt(const tir::Stmt& s);
  void emit_for(const tir::For& loop);
  // kernel_parallel.cc
  // What a parallel loop's body may use: the variables and buffers in scope, and the values the
  // closure holds (the loop's start, the error record, then theirs, in that order).
  struct ParallelScope {
    std::vector<const tir::Var*> vars;
    std::vector<const tir::Buffer*> buffers;
    std::vector<llvm::Value*> values;
    std::vector<llvm::Type*> types;
  };
  void emit_parallel_for(const tir::For& loop);
  llvm::Function* emit_parallel_body(const tir::For& loop, const ParallelScope& scope, llvm::StructType* closure_type);
  void emit_parallel_chunk(const tir::For& loop, const ParallelScope& scope, llvm::Function* chunk);
  void launch_parallel_body(llvm::Function* body, llvm::Value* extent, llvm::Value* work, llvm::Value* closure, llvm::Value* small);
  llvm::Value* inner_work(const tir::Stmt& s);
  // Emits `for (i = begin; i < end; ++i) body(i)`; returns the latch branch (for loop hints).
  llvm::BranchInst* emit_counted_loop(llvm::Value* begin, llvm::Value* end, const std::string& name, const std::function<void(llvm::Value*)>& body);
  // kernel_vector.cc: false when the loop must run as an ordinary loop instead.
  bool emit_unrolled(const tir::For& loop);
  bool emit_vectorized(const tir::For& loop);
  void vector_stmt(const tir::Stmt& s, unsigned lanes);
  llvm::Value* vector_expr(const tir::Expr& e, unsigned lanes);
  void emit_vector_reduction(const tir::Store& store, llvm::Value* element, unsigned lanes);
  // A contiguous vector of `span` elements at `ptr` (masked when worth it; `strided`: read
  // as whole registers joined, for lanes picked every s-th; never on a register tile), and
  // its store.
  llvm::Value* load_span(llvm::Type* element, llvm::Value* ptr, unsigned span, llvm::Align align, bool strided = false);
  // `span` elements as one masked load of the next power of two where that is one register.
  llvm::Value* masked_load(llvm::Type* element, llvm::Value* ptr, unsigned span, llvm::Align align);
  void store_vector(llvm::Value* value, llvm::Value* ptr, llvm::Align align);
  static llvm::FastMathFlags reduction_math_flags();
  // The lanes' element addresses of a gather or scatter (LaneAnalysis::strided), from lane 0's.
  llvm::Value* lane_pointers(const tir::Buffer& buffer, const std::vector<tir::Expr>& indices, llvm::Value* first, unsigned lanes);
  // The elements between one lane's element and the next's.
  llvm::Value* lane_step(const tir::Buffer& buffer, const std::vector<tir::Expr>& indices);
  // The same addresses one by one, for element-by-element accesses of a tile on the stack.
  std::vector<llvm::Value*> lane_pointer_list(const tir::Buffer& buffer, const std::vector<tir::Expr>& indices, llvm::Value* first, unsigned lanes);
  static llvm::Align element_align(DataType dtype);
  void emit_block(const tir::Block& block);
  void emit_init(const tir::Block& block);
  void emit_init(const tir::Block& block, const std::function<void()>& body);
  void emit_if(const tir::If& branch);
  void emit_store(const tir::Store& store);
  std::vector<llvm::Value*> allocate_buffers(const std::vector<tir::BufferPtr>& buffers, const std::string& owner);
  llvm::Value* stack_slot(const tir::Buffer& buffer);
  void free_buffers(const std::vector<llvm::Value*>& heap_pointers);
  llvm::Value* element_pointer(const tir::Buffer& buffer, const std::vector<tir::Expr>& indices, SourceLoc loc);
  // kernel_expr.cc
  llvm::Value* binary(const tir::Binary& node);
  static DataType binary_operand_type(const tir::Binary& node);
  llvm::Value* binary_values(tir::BinaryOp op, llvm::Value* a, llvm::Value* b, DataType operand);
  llvm::Value* call(const tir::Call& node);
  // kernel_packed_call.cc
  llvm::Value* packed_call(const tir::Call& node);
  llvm::Value* dl_tensor_of(const tir::Buffer& buffer);
  llvm::Value* select(const tir::Select& node);
  // Intrinsics (kernel_intrinsics.cc), scalar or vector.
  llvm::Value* emit_intrinsic(const tir::Call& node, const std::vector<llvm::Value*>& args, DataType operand);
  llvm::Value* llvm_intrinsic(const char* name, const std::vector<llvm::Value*>& args);
  llvm::Value* libm_call(const std::string& name, const std::vector<llvm::Value*>& args, DataType dtype);
  llvm::Value* custom_intrinsic(const std::string& op, const std::vector<llvm::Value*>& args, DataType dtype, SourceLoc loc);
  llvm::Value* extreme_value(bool max, DataType dtype);

  const tir::PrimFunc& func_;
  llvm::Module& module_;
  bool masked_vectors_ = false;
  int64_t min_parallel_work_ = 1 << 18;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  llvm::Function* fn_ = nullptr;
  llvm::Value* error_arg_ = nullptr;
  std::unordered_map<const tir::Var*, llvm::Value*> vars_;
  llvm::Value* bound_sizes_ = nullptr;  // the sizes the argument checker binds (kernel_abi.h)
  std::unordered_map<const tir::Buffer*, BufferValue> buffers_;
  // Blocks that return an error code; each frees nothing (checks run before any allocation
  // except allocation failures, which report and leak rather than unwind).
  llvm::BasicBlock* entry_ = nullptr;
  bool in_parallel_ = false;  // inside a parallel loop's body: nested parallel loops run serially
  // Running a reduction loop's body once, for its T.init only, because the loop has no
  // iterations (an empty reduction is its init value, as numpy's sum of nothing is 0).
  bool init_only_ = false;
  void emit_empty_reduction_inits(const tir::For& loop);
  void emit_serial_for(const tir::For& loop);
  void init_only_stmt(const tir::Stmt& s);
  int parallel_count_ = 0;
  const LaneAnalysis* lanes_ = nullptr;  // inside a vectorized loop
  // Inside a branch of a lane-dependent T.if_then_else: the lanes that take it, so that its loads
  // touch memory only there (<lanes x i1>; null outside any branch).
  llvm::Value* lane_mask_ = nullptr;
  llvm::Value* vector_select(const tir::Select& node, unsigned lanes);
  llvm::Value* masked_vector_load(const tir::Load& load, llvm::Value* ptr, unsigned lanes);
};

}  // namespace relaxc::codegen

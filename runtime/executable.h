// The contents of a .rx file: what relaxc writes and relaxrun runs. The byte layout is in
// docs/rx-format.md and implemented once, in executable_io.cc, for both sides.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relaxrt {

constexpr char kRxMagic[8] = {'\x7f', 'R', 'E', 'L', 'A', 'X', 'R', 'X'};
constexpr uint32_t kRxFormatVersion = 3;
constexpr size_t kRxAlignment = 64;

// A dimension of a declared shape: a number, a symbolic variable (its slot in the shape heap)
// or an expression over variables (a shape program, see bytecode.h).
struct DimSpec {
  enum class Kind : uint8_t { Constant = 0, Var = 1, Expr = 2 };
  Kind kind = Kind::Constant;
  int64_t value = 0;              // Constant: the extent; Var: the heap slot
  std::string text;               // as written: "784", "m", "n * 2"
  std::vector<int64_t> program;   // Expr
};

// What a value is declared to be (Relax struct info, reduced to what the runtime checks).
struct TypeSpec {
  enum class Kind : uint8_t { Object = 0, Tensor = 1, Shape = 2, Prim = 3, Tuple = 4 };
  Kind kind = Kind::Object;
  std::string dtype;            // Tensor, Prim; empty when unknown
  int32_t ndim = -1;            // -1: unknown rank
  bool has_shape = false;
  std::vector<DimSpec> dims;
  std::vector<TypeSpec> fields; // Tuple
  std::string text;             // as the printer writes it: R.Tensor((1, "m"), dtype="float32")
};

struct SourceSpan {
  int32_t line = 0, column = 0;  // 1-based; 0 when unknown
  std::string line_text;         // the source line, for notes with a caret
};

struct ParamSpec {
  std::string name;
  TypeSpec type;
  SourceSpan loc;
};

// The target of an R.match_cast, checked at run time.
struct CastSpec {
  TypeSpec type;
  SourceSpan loc;
};

struct VMFunction {
  std::string name;
  std::vector<ParamSpec> params;
  TypeSpec ret;
  int64_t num_registers = 0;
  int64_t heap_size = 0;                 // slots of the shape heap
  std::vector<std::string> slot_names;   // the symbolic variable of each slot
  int64_t code_begin = 0, code_end = 0;  // word range in the bytecode
  SourceSpan loc;
  std::vector<CastSpec> casts;           // indexed by vm.builtin.match_cast
  // A transform of weights (pack_weights): calls with the same frozen tensors return the
  // result of the first such call.
  bool cache_results = false;
  // Made by relaxc for a prim_func of the same name, so that it can be run by itself: takes the
  // buffers it reads, returns those it writes.
  bool prim_func_entry = false;
};

// Something a Call instruction can call.
struct FunctionRef {
  enum class Kind : uint8_t { VM = 0, Kernel = 1, Builtin = 2, Runtime = 3 };
  Kind kind = Kind::VM;
  std::string name;  // VM: the function; Kernel: the prim_func; Builtin: vm.builtin.*; Runtime: a registry name
};

struct ConstantEntry {
  enum class Kind : uint8_t { Tensor = 0, Ints = 1, String = 2 };
  Kind kind = Kind::Ints;
  std::string dtype;              // Tensor
  std::vector<int64_t> shape;     // Tensor
  uint64_t data_offset = 0;       // Tensor: into constant_data, 64-byte aligned
  uint64_t data_size = 0;
  std::vector<int64_t> ints;      // Ints
  std::string text;               // String
};

// Where a Call instruction of a compiled kernel or a runtime function came from: the binding
// of the .tvms that relaxrun --profile names beside the kernel's time, and whose value
// --dump-intermediates writes.
struct CallSite {
  int64_t address = 0;  // the instruction's first word in the bytecode
  SourceSpan loc;
  std::string function;  // the Relax function as written (a frozen-weight variant's original)
  std::string binding;   // the variable bound to the call's value; empty for the returned value
  int64_t outputs = 0;   // the call's last `outputs` arguments are what it writes
};

// The floating-point operations one call of a compiled kernel performs, counted by relaxc as
// the kernel was written before scheduling, so relaxrun --profile can report GFLOP/s: a shape
// program (bytecode.h) whose heap slot k holds dimension slot_dims[k] of argument slot_args[k]
// (slot_dims[k] == -1: the value of that integer argument).
struct KernelCost {
  std::string kernel;
  std::vector<int64_t> slot_args, slot_dims;
  std::vector<int64_t> program;
};

struct Executable {
  uint32_t format_version = kRxFormatVersion;
  std::string producer;           // "relaxc 0.1.0"
  std::string source_name;
  std::string target_triple, target_cpu;
  std::vector<std::string> target_features;
  std::vector<VMFunction> functions;
  std::vector<FunctionRef> function_table;
  std::vector<int64_t> bytecode;
  std::vector<ConstantEntry> constants;
  std::vector<std::string> runtime_functions;  // names resolved by relaxrun at load time
  // For relaxrun --profile (format version 3; empty when reading older files).
  std::vector<CallSite> call_sites;
  std::vector<KernelCost> kernel_costs;
  // Large byte blobs, viewed rather than copied; `storage` keeps what they point into alive.
  std::string_view constant_data;
  std::string_view native_code;
  std::shared_ptr<const void> storage;

  const VMFunction* find_function(const std::string& name) const;
};

// CRC-32 (zlib's) of `bytes`: the .rx checksum over everything before the trailer.
uint32_t rx_checksum(std::string_view bytes);
// The whole file, checksum included.
std::string serialize_executable(const Executable& exe);
// Parses and validates every section and every instruction; throws FormatError with one line
// that says what is wrong. `data` must outlive the result unless `storage` owns it.
Executable deserialize_executable(std::string_view data, std::shared_ptr<const void> storage);

}  // namespace relaxrt

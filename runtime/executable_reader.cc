// Reading a .rx: see executable_io.cc for the order of checks. Every index an instruction
// holds is checked here, once, so the VM's dispatch loop can trust them.
#include <cstring>
#include <functional>
#include <set>

#include "runtime/byte_io.h"
#include "runtime/bytecode.h"
#include "runtime/dtype.h"
#include "runtime/executable.h"
#include "runtime/rx_layout.h"

namespace relaxrt {

namespace {

constexpr int64_t kMaxHeapSlots = 1 << 24;

[[noreturn]] void corrupt(const std::string& what) { throw FormatError("corrupted: " + what); }

SourceSpan read_span(ByteReader& r) {
  SourceSpan s;
  s.line = static_cast<int32_t>(r.u32());
  s.column = static_cast<int32_t>(r.u32());
  s.line_text = r.str();
  return s;
}

TypeSpec read_type(ByteReader& r, int depth = 0) {
  if (depth > 64) r.fail("a type nested at most 64 deep");
  TypeSpec t;
  uint8_t kind = r.u8();
  if (kind > static_cast<uint8_t>(TypeSpec::Kind::Tuple)) corrupt("unknown type kind " + std::to_string(kind));
  t.kind = static_cast<TypeSpec::Kind>(kind);
  t.dtype = r.str();
  t.ndim = static_cast<int32_t>(r.i64());
  t.has_shape = r.u8() != 0;
  uint64_t dims = r.count(25);
  for (uint64_t i = 0; i < dims; ++i) {
    DimSpec d;
    uint8_t dim_kind = r.u8();
    if (dim_kind > static_cast<uint8_t>(DimSpec::Kind::Expr)) corrupt("unknown dimension kind " + std::to_string(dim_kind));
    d.kind = static_cast<DimSpec::Kind>(dim_kind);
    d.value = r.i64();
    d.text = r.str();
    d.program = r.i64s();
    t.dims.push_back(std::move(d));
  }
  if (t.has_shape && t.ndim != static_cast<int32_t>(t.dims.size())) corrupt("a shape whose rank disagrees with its dimensions");
  uint64_t fields = r.count(34);
  for (uint64_t i = 0; i < fields; ++i) t.fields.push_back(read_type(r, depth + 1));
  t.text = r.str();
  return t;
}

void read_meta(ByteReader& r, Executable& exe) {
  exe.producer = r.str();
  exe.source_name = r.str();
  exe.target_triple = r.str();
  exe.target_cpu = r.str();
  uint64_t n = r.count(8);
  for (uint64_t i = 0; i < n; ++i) exe.target_features.push_back(r.str());
}

void read_functions(ByteReader& r, Executable& exe) {
  uint64_t n = r.count(8);
  for (uint64_t i = 0; i < n; ++i) {
    VMFunction f;
    f.name = r.str();
    uint64_t params = r.count(8);
    for (uint64_t p = 0; p < params; ++p) {
      ParamSpec param;
      param.name = r.str();
      param.type = read_type(r);
      param.loc = read_span(r);
      f.params.push_back(std::move(param));
    }
    f.ret = read_type(r);
    f.num_registers = r.i64();
    f.heap_size = r.i64();
    uint64_t slots = r.count(8);
    for (uint64_t s = 0; s < slots; ++s) f.slot_names.push_back(r.str());
    f.code_begin = r.i64();
    f.code_end = r.i64();
    f.loc = read_span(r);
    uint64_t casts = r.count(35);
    for (uint64_t c = 0; c < casts; ++c) {
      CastSpec cast;
      cast.type = read_type(r);
      cast.loc = read_span(r);
      f.casts.push_back(std::move(cast));
    }
    uint8_t flags = exe.format_version >= 2 ? r.u8() : 0;
    if (flags > (exe.format_version >= 3 ? 3 : 1)) corrupt("function " + f.name + ": unknown flags");
    f.cache_results = (flags & 1) != 0;
    f.prim_func_entry = (flags & 2) != 0;
    exe.functions.push_back(std::move(f));
  }
}

void read_constants(ByteReader& r, Executable& exe) {
  uint64_t n = r.count(8);
  for (uint64_t i = 0; i < n; ++i) {
    ConstantEntry c;
    uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(ConstantEntry::Kind::String)) corrupt("unknown constant kind " + std::to_string(kind));
    c.kind = static_cast<ConstantEntry::Kind>(kind);
    c.dtype = r.str();
    c.shape = r.i64s();
    c.data_offset = r.u64();
    c.data_size = r.u64();
    c.ints = r.i64s();
    c.text = r.str();
    exe.constants.push_back(std::move(c));
  }
}

void check_constants(const Executable& exe) {
  for (size_t i = 0; i < exe.constants.size(); ++i) {
    const ConstantEntry& c = exe.constants[i];
    if (c.kind != ConstantEntry::Kind::Tensor) continue;
    std::string which = "constant " + std::to_string(i);
    std::optional<ElementType> type = parse_element_type(c.dtype);
    if (!type) corrupt(which + " has unknown dtype '" + c.dtype + "'");
    std::optional<int64_t> count = element_count(c.shape);
    if (!count || static_cast<uint64_t>(*count) * type->bytes != c.data_size) corrupt(which + " has a size that disagrees with its shape");
    if (c.data_offset % kRxAlignment != 0 || c.data_offset > exe.constant_data.size() ||
        c.data_size > exe.constant_data.size() - c.data_offset) {
      corrupt(which + " lies outside the constant data");
    }
  }
}

void check_bytecode(const Executable& exe, const VMFunction& f) {
  const std::vector<int64_t>& code = exe.bytecode;
  std::string where = "function @" + f.name + ": ";
  if (f.code_begin < 0 || f.code_begin >= f.code_end || f.code_end > static_cast<int64_t>(code.size())) corrupt(where + "code range out of bounds");
  // Each instruction writes at most one register, so no function needs more than its
  // parameters plus its instructions.
  if (f.num_registers < static_cast<int64_t>(f.params.size()) || f.num_registers > static_cast<int64_t>(f.params.size()) + (f.code_end - f.code_begin)) {
    corrupt(where + "bad register count");
  }
  if (f.heap_size < 0 || f.heap_size > kMaxHeapSlots || static_cast<int64_t>(f.slot_names.size()) != f.heap_size) corrupt(where + "bad shape heap size");
  std::function<void(const TypeSpec&)> check_slots = [&](const TypeSpec& type) {
    for (const DimSpec& d : type.dims) {
      if (d.kind == DimSpec::Kind::Var && (d.value < 0 || d.value >= f.heap_size)) corrupt(where + "a dimension names a bad heap slot");
    }
    for (const TypeSpec& field : type.fields) check_slots(field);
  };
  for (const ParamSpec& p : f.params) check_slots(p.type);
  for (const CastSpec& c : f.casts) check_slots(c.type);
  auto reg_ok = [&](int64_t r) { return r >= 0 && r < f.num_registers; };
  std::set<int64_t> starts;
  std::vector<std::pair<int64_t, int64_t>> jumps;  // (instruction, target)
  int64_t pc = f.code_begin;
  Opcode last = Opcode::Call;
  while (pc < f.code_end) {
    starts.insert(pc);
    auto word = [&](int64_t k) {
      if (pc + k >= f.code_end) corrupt(where + "instruction at " + std::to_string(pc) + " runs past the end");
      return code[static_cast<size_t>(pc + k)];
    };
    last = static_cast<Opcode>(code[static_cast<size_t>(pc)]);
    switch (last) {
      case Opcode::Call: {
        int64_t dst = word(1), func = word(2), nargs = word(3);
        if (dst != kVoidRegister && !reg_ok(dst)) corrupt(where + "bad destination register");
        if (func < 0 || func >= static_cast<int64_t>(exe.function_table.size())) corrupt(where + "call of an unknown function");
        if (nargs < 0 || nargs > f.code_end - pc - 4) corrupt(where + "bad argument count");
        for (int64_t a = 0; a < nargs; ++a) {
          int64_t arg = word(4 + a);
          int64_t v = arg_value(arg);
          switch (arg_kind(arg)) {
            case ArgKind::Register: if (!reg_ok(v)) corrupt(where + "bad argument register"); break;
            case ArgKind::Immediate: break;
            case ArgKind::Constant: if (v < 0 || v >= static_cast<int64_t>(exe.constants.size())) corrupt(where + "bad constant index"); break;
            case ArgKind::Function: if (v < 0 || v >= static_cast<int64_t>(exe.function_table.size())) corrupt(where + "bad function index"); break;
            default: corrupt(where + "unknown argument kind");
          }
        }
        pc += 4 + nargs;
        break;
      }
      case Opcode::Ret:
        if (!reg_ok(word(1))) corrupt(where + "return of a bad register");
        pc += 2;
        break;
      case Opcode::Goto:
        jumps.emplace_back(pc, pc + word(1));
        pc += 2;
        break;
      case Opcode::If:
        if (!reg_ok(word(1))) corrupt(where + "branch on a bad register");
        jumps.emplace_back(pc, pc + word(2));
        pc += 3;
        break;
      default: corrupt(where + "unknown opcode " + std::to_string(code[static_cast<size_t>(pc)]) + " at " + std::to_string(pc));
    }
  }
  if (last != Opcode::Ret && last != Opcode::Goto) corrupt(where + "code does not end in a return");
  for (const auto& [from, to] : jumps) {
    if (!starts.count(to)) corrupt(where + "jump from " + std::to_string(from) + " to the middle of nowhere");
  }
}

// Call sites and kernel costs (format version 3); relaxrun --profile evaluates a cost only when
// profiling and reports a kernel whose cost does not evaluate without GFLOP/s.
void read_profile_info(ByteReader& r, Executable& exe) {
  uint64_t sites = r.count(48);
  for (uint64_t i = 0; i < sites; ++i) {
    CallSite site;
    site.address = r.i64();
    if (site.address < 0 || site.address >= static_cast<int64_t>(exe.bytecode.size())) corrupt("a call site outside the bytecode");
    site.loc = read_span(r);
    site.function = r.str();
    site.binding = r.str();
    site.outputs = r.i64();
    if (site.outputs < 0 || site.outputs > 1 << 20) corrupt("a call site with " + std::to_string(site.outputs) + " outputs");
    exe.call_sites.push_back(std::move(site));
  }
  uint64_t costs = r.count(32);
  for (uint64_t i = 0; i < costs; ++i) {
    KernelCost cost;
    cost.kernel = r.str();
    cost.slot_args = r.i64s();
    cost.slot_dims = r.i64s();
    cost.program = r.i64s();
    if (cost.slot_args.size() != cost.slot_dims.size() || cost.program.size() % 2 != 0) corrupt("the cost of kernel " + cost.kernel);
    exe.kernel_costs.push_back(std::move(cost));
  }
}

}  // namespace

Executable deserialize_executable(std::string_view data, std::shared_ptr<const void> storage) {
  if (data.size() < kRxHeaderSize + kRxTrailerSize) throw FormatError("not a .rx file: only " + std::to_string(data.size()) + " bytes");
  if (std::memcmp(data.data(), kRxMagic, sizeof kRxMagic) != 0) throw FormatError("not a .rx file: it does not start with the .rx magic number");
  ByteReader header(data.substr(0, kRxHeaderSize), "the header");
  header.take(8);
  Executable exe;
  exe.storage = std::move(storage);
  exe.format_version = header.u32();
  if (exe.format_version > kRxFormatVersion) {
    throw FormatError("written by a newer relaxc (format version " + std::to_string(exe.format_version) + "); this relaxrun reads version " +
                      std::to_string(kRxFormatVersion) + ": recompile the model or update relaxrun");
  }
  if (exe.format_version == 0) corrupt("format version 0");
  uint32_t section_count = header.u32();
  uint64_t declared = header.u64();
  if (declared != data.size()) {
    throw FormatError("truncated or padded: the header says " + std::to_string(declared) + " bytes but the file has " + std::to_string(data.size()));
  }
  uint32_t stored_crc;
  std::memcpy(&stored_crc, data.data() + data.size() - kRxTrailerSize, 4);
  if (rx_checksum(data.substr(0, data.size() - kRxTrailerSize)) != stored_crc) throw FormatError("corrupted: checksum mismatch (the file was damaged after relaxc wrote it)");
  const uint32_t expected_sections = rx_section_count(exe.format_version);
  if (section_count != expected_sections) corrupt("expected " + std::to_string(expected_sections) + " sections, found " + std::to_string(section_count));
  ByteReader table(data.substr(kRxHeaderSize), "the section table");
  std::string_view sections[kRxSectionCount + 1];
  for (uint32_t i = 0; i < section_count; ++i) {
    uint32_t kind = table.u32();
    table.u32();
    uint64_t offset = table.u64(), size = table.u64();
    if (kind == 0 || kind > expected_sections || !sections[kind].empty()) corrupt("section table entry " + std::to_string(i));
    if (offset > data.size() - kRxTrailerSize || size > data.size() - kRxTrailerSize - offset) corrupt("section " + std::to_string(kind) + " lies outside the file");
    if (offset % kRxAlignment != 0) corrupt("section " + std::to_string(kind) + " is not aligned");
    sections[kind] = data.substr(offset, size);
  }
  auto section = [&](RxSection kind) { return sections[static_cast<uint32_t>(kind)]; };
  ByteReader meta(section(RxSection::Meta), "the meta section");
  read_meta(meta, exe);
  ByteReader functions(section(RxSection::Functions), "the function section");
  read_functions(functions, exe);
  ByteReader table_reader(section(RxSection::FunctionTable), "the function table");
  uint64_t refs = table_reader.count(9);
  for (uint64_t i = 0; i < refs; ++i) {
    FunctionRef ref;
    uint8_t kind = table_reader.u8();
    if (kind > static_cast<uint8_t>(FunctionRef::Kind::Runtime)) corrupt("unknown function kind " + std::to_string(kind));
    ref.kind = static_cast<FunctionRef::Kind>(kind);
    ref.name = table_reader.str();
    if (ref.kind == FunctionRef::Kind::VM && !exe.find_function(ref.name)) corrupt("call of a missing function @" + ref.name);
    exe.function_table.push_back(std::move(ref));
  }
  ByteReader bytecode(section(RxSection::Bytecode), "the bytecode");
  exe.bytecode = bytecode.i64s();
  ByteReader constants(section(RxSection::Constants), "the constants");
  read_constants(constants, exe);
  exe.constant_data = section(RxSection::ConstantData);
  exe.native_code = section(RxSection::NativeCode);
  ByteReader runtime(section(RxSection::RuntimeFunctions), "the runtime function list");
  uint64_t names = runtime.count(8);
  for (uint64_t i = 0; i < names; ++i) exe.runtime_functions.push_back(runtime.str());
  if (exe.format_version >= 3) {
    ByteReader profile(section(RxSection::ProfileInfo), "the profile section");
    read_profile_info(profile, exe);
  }
  check_constants(exe);
  for (const VMFunction& f : exe.functions) check_bytecode(exe, f);
  return exe;
}

}  // namespace relaxrt

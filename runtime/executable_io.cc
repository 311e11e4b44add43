// The .rx byte layout (docs/rx-format.md): header, section table, 64-byte aligned sections,
// CRC-32 of everything before it in the last 8 bytes. Reading validates, in order: size, magic,
// format version, declared size, checksum, section bounds, then the contents of each section
// and every bytecode instruction, so the VM never meets an out-of-range index.
#include <cstring>

#include "runtime/byte_io.h"
#include "runtime/bytecode.h"
#include "runtime/crc32.h"
#include "runtime/executable.h"
#include "runtime/rx_layout.h"

namespace relaxrt {

uint32_t rx_checksum(std::string_view bytes) { return crc32_of(bytes); }

namespace {

void write_span(ByteWriter& w, const SourceSpan& s) {
  w.u32(static_cast<uint32_t>(s.line));
  w.u32(static_cast<uint32_t>(s.column));
  w.str(s.line_text);
}
void write_type(ByteWriter& w, const TypeSpec& t) {
  w.u8(static_cast<uint8_t>(t.kind));
  w.str(t.dtype);
  w.i64(t.ndim);
  w.u8(t.has_shape);
  w.u64(t.dims.size());
  for (const DimSpec& d : t.dims) {
    w.u8(static_cast<uint8_t>(d.kind));
    w.i64(d.value);
    w.str(d.text);
    w.i64s(d.program);
  }
  w.u64(t.fields.size());
  for (const TypeSpec& f : t.fields) write_type(w, f);
  w.str(t.text);
}
std::string encode_meta(const Executable& exe) {
  ByteWriter w;
  w.str(exe.producer);
  w.str(exe.source_name);
  w.str(exe.target_triple);
  w.str(exe.target_cpu);
  w.u64(exe.target_features.size());
  for (const std::string& f : exe.target_features) w.str(f);
  return w.buffer();
}

std::string encode_functions(const Executable& exe) {
  ByteWriter w;
  w.u64(exe.functions.size());
  for (const VMFunction& f : exe.functions) {
    w.str(f.name);
    w.u64(f.params.size());
    for (const ParamSpec& p : f.params) {
      w.str(p.name);
      write_type(w, p.type);
      write_span(w, p.loc);
    }
    write_type(w, f.ret);
    w.i64(f.num_registers);
    w.i64(f.heap_size);
    w.u64(f.slot_names.size());
    for (const std::string& s : f.slot_names) w.str(s);
    w.i64(f.code_begin);
    w.i64(f.code_end);
    write_span(w, f.loc);
    w.u64(f.casts.size());
    for (const CastSpec& cast : f.casts) {
      write_type(w, cast.type);
      write_span(w, cast.loc);
    }
    w.u8(static_cast<uint8_t>((f.cache_results ? 1 : 0) | (f.prim_func_entry ? 2 : 0)));
  }
  return w.buffer();
}

std::string encode_constants(const Executable& exe) {
  ByteWriter w;
  w.u64(exe.constants.size());
  for (const ConstantEntry& c : exe.constants) {
    w.u8(static_cast<uint8_t>(c.kind));
    w.str(c.dtype);
    w.i64s(c.shape);
    w.u64(c.data_offset);
    w.u64(c.data_size);
    w.i64s(c.ints);
    w.str(c.text);
  }
  return w.buffer();
}

std::string encode_profile_info(const Executable& exe) {
  ByteWriter w;
  w.u64(exe.call_sites.size());
  for (const CallSite& site : exe.call_sites) {
    w.i64(site.address);
    write_span(w, site.loc);
    w.str(site.function);
    w.str(site.binding);
    w.i64(site.outputs);
  }
  w.u64(exe.kernel_costs.size());
  for (const KernelCost& cost : exe.kernel_costs) {
    w.str(cost.kernel);
    w.i64s(cost.slot_args);
    w.i64s(cost.slot_dims);
    w.i64s(cost.program);
  }
  return w.buffer();
}

}  // namespace

const VMFunction* Executable::find_function(const std::string& name) const {
  for (const VMFunction& f : functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string serialize_executable(const Executable& exe) {
  std::vector<std::pair<RxSection, std::string>> sections;
  sections.emplace_back(RxSection::Meta, encode_meta(exe));
  sections.emplace_back(RxSection::Functions, encode_functions(exe));
  {
    ByteWriter w;
    w.u64(exe.function_table.size());
    for (const FunctionRef& f : exe.function_table) {
      w.u8(static_cast<uint8_t>(f.kind));
      w.str(f.name);
    }
    sections.emplace_back(RxSection::FunctionTable, w.buffer());
  }
  {
    ByteWriter w;
    w.i64s(exe.bytecode);
    sections.emplace_back(RxSection::Bytecode, w.buffer());
  }
  sections.emplace_back(RxSection::Constants, encode_constants(exe));
  sections.emplace_back(RxSection::ConstantData, std::string(exe.constant_data));
  sections.emplace_back(RxSection::NativeCode, std::string(exe.native_code));
  {
    ByteWriter w;
    w.u64(exe.runtime_functions.size());
    for (const std::string& name : exe.runtime_functions) w.str(name);
    sections.emplace_back(RxSection::RuntimeFunctions, w.buffer());
  }
  sections.emplace_back(RxSection::ProfileInfo, encode_profile_info(exe));

  ByteWriter out;
  out.bytes(std::string_view(kRxMagic, sizeof kRxMagic));
  out.u32(exe.format_version);
  out.u32(static_cast<uint32_t>(sections.size()));
  size_t size_field = out.size();
  out.u64(0);
  size_t offset = kRxHeaderSize + sections.size() * kRxSectionEntrySize;
  for (const auto& [kind, bytes] : sections) {
    offset = (offset + kRxAlignment - 1) / kRxAlignment * kRxAlignment;
    out.u32(static_cast<uint32_t>(kind));
    out.u32(0);
    out.u64(offset);
    out.u64(bytes.size());
    offset += bytes.size();
  }
  for (const auto& section : sections) {
    out.align(kRxAlignment);
    out.bytes(section.second);
  }
  std::string& file = out.buffer();
  uint64_t total = file.size() + kRxTrailerSize;
  std::memcpy(&file[size_field], &total, 8);
  out.u32(rx_checksum(file));
  out.u32(0);
  return std::move(out.buffer());
}

}  // namespace relaxrt

#include "compiler/codegen/lower_relax_to_bytecode.h"

#include <cmath>
#include <limits>
#include <unordered_map>

#include "compiler/codegen/bytecode_builder.h"
#include "compiler/codegen/frozen_variant.h"
#include "compiler/codegen/plan_memory.h"
#include "compiler/codegen/prim_func_entry.h"
#include "compiler/codegen/shape_program.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::codegen {

using relaxrt::DimSpec;
using relaxrt::FunctionRef;
using relaxrt::TypeSpec;

namespace {

class FunctionLowering {
 public:
  FunctionLowering(const Module& module, const SourceFile& file, const relax::Function& func, BytecodeBuilder& out,
                   std::string& constant_data, std::unordered_map<int, int64_t>& metadata_constants, bool plan, std::string source_function)
      : module_(module), file_(file), func_(func), out_(out), constant_data_(constant_data), metadata_constants_(metadata_constants),
        source_function_(std::move(source_function)) {
    if (plan) plan_ = plan_memory(func);
  }

  relaxrt::VMFunction lower() {
    relaxrt::VMFunction vm;
    vm.name = func_.name;
    vm.loc = span(func_.loc);
    for (const auto& [key, value] : func_.attrs) {
      if (key == kWeightTransformAttr && value->kind == AttrValue::Kind::Bool) vm.cache_results = value->bool_value;
    }
    for (const tir::VarPtr& var : func_.size_vars) {
      slots_[var.get()] = static_cast<int64_t>(vm.slot_names.size());
      vm.slot_names.push_back(var->name);
    }
    vm.heap_size = static_cast<int64_t>(vm.slot_names.size());
    for (const relax::VarPtr& param : func_.params) {
      registers_[param.get()] = next_register_++;
      vm.params.push_back({param->name, type_spec(*param->sinfo), span(param->loc)});
    }
    vm.ret = type_spec(*func_.ret_sinfo);
    vm.code_begin = out_.position();
    dispatch_to_frozen_variant();
    heap_ = next_register_++;
    out_.call(heap_, out_.builtin("vm.builtin.alloc_shape_heap"), {BytecodeBuilder::imm(vm.heap_size)});
    for (size_t i = 0; i < func_.params.size(); ++i) {
      out_.call(relaxrt::kVoidRegister, out_.builtin("vm.builtin.match_shape"),
                {BytecodeBuilder::reg(static_cast<int64_t>(i)), BytecodeBuilder::reg(heap_), BytecodeBuilder::imm(static_cast<int64_t>(i))});
    }
    for (const relax::BindingBlock& block : func_.blocks) {
      for (const relax::Binding& binding : block.bindings) {
        if (binding.is_match_cast) {
          int64_t value = to_register(binding.value);
          int64_t dst = next_register_++;
          vm.casts.push_back({type_spec(*binding.annotation), span(binding.loc)});
          out_.call(dst, out_.builtin("vm.builtin.match_cast"),
                    {BytecodeBuilder::reg(value), BytecodeBuilder::reg(heap_), BytecodeBuilder::imm(static_cast<int64_t>(vm.casts.size()) - 1)});
          registers_[binding.var.get()] = dst;
          continue;
        }
        auto planned = plan_.token.find(binding.var.get());
        planned_ = planned == plan_.token.end() ? Planned{} : Planned{binding.value.get(), planned->second};
        binding_ = binding.var->name;
        registers_[binding.var.get()] = to_register(binding.value);
        binding_.clear();
        planned_ = Planned{};
      }
    }
    out_.ret(to_register(func_.body));
    vm.code_end = out_.position();
    vm.num_registers = next_register_;
    return vm;
  }

 private:
  // relaxc.frozen_variant (frozen_variant.h): the call goes to the variant that reads weights
  // packed when vm.builtin.use_frozen_variant says so.
  void dispatch_to_frozen_variant() {
    std::optional<FrozenVariant> variant = frozen_variant_of(func_, module_);
    if (!variant) return;
    int64_t rows_param = variant->rows_param >= 0 ? variant->rows_param : 0;
    std::vector<int64_t> guard = {BytecodeBuilder::imm(variant->rows_param >= 0 ? variant->min_rows : 0), BytecodeBuilder::reg(rows_param)};
    for (int64_t p : variant->frozen_params) guard.push_back(BytecodeBuilder::reg(p));
    std::vector<int64_t> all;
    for (size_t p = 0; p < func_.params.size(); ++p) all.push_back(BytecodeBuilder::reg(static_cast<int64_t>(p)));
    int64_t condition = next_register_++;
    out_.call(condition, out_.builtin("vm.builtin.use_frozen_variant"), guard);
    int64_t branch = out_.branch_if_zero(condition);
    int64_t result = next_register_++;
    out_.call(result, out_.function(FunctionRef::Kind::VM, variant->function), all);
    out_.ret(result);
    out_.land_here(branch);
  }

  relaxrt::SourceSpan span(SourceLoc loc) const {
    relaxrt::SourceSpan s;
    s.line = static_cast<int32_t>(loc.line);
    s.column = static_cast<int32_t>(loc.col);
    if (loc.valid()) s.line_text = std::string(file_.line_text(loc.line));
    return s;
  }

  // A shape expression over symbolic variables as a postfix program (runtime/bytecode.h).
  void shape_program(const tir::Expr& e, std::vector<int64_t>& program) const {
    auto slot_of = [&](const tir::Var* var) -> std::optional<int64_t> {
      auto it = slots_.find(var);
      if (it == slots_.end()) return std::nullopt;
      return it->second;
    };
    std::optional<ShapeProgramFailure> failure = append_shape_program(e, slot_of, program);
    if (!failure) return;
    if (failure->unbound_variable) {
      const auto* ref = failure->node->as<tir::VarRef>();
      throw CompileError(ref->loc, "the size '" + ref->var->name + "' is not a symbolic variable of @" + func_.name);
    }
    throw CompileError(e->loc, "this shape expression cannot be computed at run time: " + printing::print_tir_expr(e));
  }

  TypeSpec type_spec(const relax::StructInfo& sinfo) const {
    TypeSpec t;
    t.text = printing::print_sinfo(sinfo, true);
    switch (sinfo.kind) {
      case relax::StructInfoKind::Tensor: t.kind = TypeSpec::Kind::Tensor; break;
      case relax::StructInfoKind::Shape: t.kind = TypeSpec::Kind::Shape; break;
      case relax::StructInfoKind::Prim: t.kind = TypeSpec::Kind::Prim; break;
      case relax::StructInfoKind::Tuple: t.kind = TypeSpec::Kind::Tuple; break;
      default: t.kind = TypeSpec::Kind::Object; break;
    }
    if (sinfo.dtype != DataType::Void) t.dtype = dtype_name(sinfo.dtype);
    t.ndim = sinfo.rank();
    if (sinfo.shape) {
      t.has_shape = true;
      for (const tir::Expr& dim : *sinfo.shape) {
        DimSpec d;
        d.text = printing::print_dim(dim, false);
        if (auto* imm = dim->as<tir::IntImm>()) {
          d.kind = DimSpec::Kind::Constant;
          d.value = imm->value;
        } else if (auto* ref = dim->as<tir::VarRef>(); ref && slots_.count(ref->var.get())) {
          d.kind = DimSpec::Kind::Var;
          d.value = slots_.at(ref->var.get());
        } else {
          d.kind = DimSpec::Kind::Expr;
          shape_program(dim, d.program);
        }
        t.dims.push_back(std::move(d));
      }
    }
    for (const relax::StructInfoPtr& field : sinfo.fields) t.fields.push_back(type_spec(*field));
    return t;
  }

  // [ndim, (length, words...) per dimension]: the operand of make_shape and shape_value.
  int64_t dims_program(const std::vector<tir::Expr>& dims) {
    std::vector<int64_t> program = {static_cast<int64_t>(dims.size())};
    for (const tir::Expr& dim : dims) {
      std::vector<int64_t> part;
      shape_program(dim, part);
      program.push_back(static_cast<int64_t>(part.size()));
      program.insert(program.end(), part.begin(), part.end());
    }
    return out_.ints_constant(program);
  }

  int64_t make_shape(const std::vector<tir::Expr>& dims) {
    int64_t dst = next_register_++;
    out_.call(dst, out_.builtin("vm.builtin.make_shape"), {BytecodeBuilder::reg(heap_), BytecodeBuilder::constant(dims_program(dims))});
    return dst;
  }

  // A shape as an instruction operand: a constant when every dimension is one (no call per
  // run), else computed by make_shape into a register.
  int64_t shape_operand(const std::vector<tir::Expr>& dims) {
    std::vector<int64_t> values;
    for (const tir::Expr& dim : dims) {
      const auto* value = dim->as<tir::IntImm>();
      if (!value) return BytecodeBuilder::reg(make_shape(dims));
      values.push_back(value->value);
    }
    return BytecodeBuilder::constant(out_.ints_constant(values));
  }

  // An integer computed from the symbolic variables, in a register.
  int64_t shape_value(const tir::Expr& value) {
    int64_t dst = next_register_++;
    out_.call(dst, out_.builtin("vm.builtin.shape_value"), {BytecodeBuilder::reg(heap_), BytecodeBuilder::constant(dims_program({value}))});
    return dst;
  }

  int64_t string_constant(const std::string& text) {
    relaxrt::ConstantEntry entry;
    entry.kind = relaxrt::ConstantEntry::Kind::String;
    entry.text = text;
    return out_.add_constant(std::move(entry));
  }

  int64_t allocate_output(const relax::StructInfo& sinfo, SourceLoc loc, int64_t token = -1) {
    if (sinfo.kind != relax::StructInfoKind::Tensor || !sinfo.shape || sinfo.dtype == DataType::Void) {
      throw CompileError(loc, "the output of a destination-passing call needs a known shape and dtype, such as R.Tensor((1, n), \"float32\")");
    }
    int64_t shape = shape_operand(*sinfo.shape);
    int64_t dst = next_register_++;
    auto dtype = dtype_strings_.find(sinfo.dtype);
    if (dtype == dtype_strings_.end()) dtype = dtype_strings_.emplace(sinfo.dtype, string_constant(dtype_name(sinfo.dtype))).first;
    if (token >= 0) {
      out_.call(dst, out_.builtin("vm.builtin.alloc_planned"), {shape, BytecodeBuilder::constant(dtype->second), BytecodeBuilder::imm(token)});
    } else {
      out_.call(dst, out_.builtin("vm.builtin.alloc_tensor"), {shape, BytecodeBuilder::constant(dtype->second)});
    }
    return dst;
  }

  std::string callee_name(const relax::Expr& callee) const {
    if (auto* global = callee->as<relax::GlobalVar>()) return global->name;
    if (auto* extern_func = callee->as<relax::ExternFunc>()) return extern_func->name;
    if (auto* text = callee->as<relax::StringImm>()) return text->value;
    throw CompileError(callee->loc, "expected the name of a function to call");
  }

  int64_t lower_dps_call(const relax::Call& call) {
    std::string name = callee_name(call.args.at(0));
    FunctionRef::Kind kind = module_.find_prim_func(name) ? FunctionRef::Kind::Kernel : FunctionRef::Kind::Runtime;
    if (call.op == "call_tir" && kind != FunctionRef::Kind::Kernel) {
      throw CompileError(call.args[0]->loc, "R.call_tir calls a prim_func of this module, and there is no prim_func '" + name + "'");
    }
    std::vector<int64_t> args;
    if (call.args.size() > 1) {
      const relax::Expr& inputs = call.args[1];
      if (auto* tuple = inputs->as<relax::Tuple>()) {
        for (const relax::Expr& field : tuple->fields) args.push_back(operand(field));
      } else {
        args.push_back(operand(inputs));
      }
    }
    if (call.sinfo_args.empty()) throw CompileError(call.loc, "R." + call.op + " needs the struct info of its output");
    std::vector<int64_t> outputs;
    const relax::StructInfo& out_sinfo = *call.sinfo_args[0];
    if (out_sinfo.kind == relax::StructInfoKind::Tuple) {
      for (const relax::StructInfoPtr& field : out_sinfo.fields) outputs.push_back(allocate_output(*field, call.loc));
    } else {
      // The planned storage belongs to the binding's own call, not to calls nested in it.
      int64_t token = planned_.call == &call ? planned_.token : -1;
      for (const relax::StructInfoPtr& sinfo : call.sinfo_args) outputs.push_back(allocate_output(*sinfo, call.loc, token));
    }
    for (int64_t reg : outputs) args.push_back(BytecodeBuilder::reg(reg));
    if (call.args.size() > 2) {
      // tir_vars: each value computed from the shape heap, passed as an integer scalar.
      for (const tir::Expr& value : call.args[2]->as<relax::ShapeExpr>()->values) args.push_back(BytecodeBuilder::reg(shape_value(value)));
    }
    out_.call_site(span(call.loc), source_function_, binding_, static_cast<int64_t>(outputs.size()));
    out_.call(relaxrt::kVoidRegister, out_.function(kind, name), args);
    if (outputs.size() == 1 && out_sinfo.kind != relax::StructInfoKind::Tuple) return outputs[0];
    std::vector<int64_t> fields;
    for (int64_t reg : outputs) fields.push_back(BytecodeBuilder::reg(reg));
    int64_t dst = next_register_++;
    out_.call(dst, out_.builtin("vm.builtin.make_tuple"), fields);
    return dst;
  }

  int64_t tensor_constant(DataType dtype, const std::vector<int64_t>& shape, const std::string& bytes) {
    constant_data_.resize((constant_data_.size() + relaxrt::kRxAlignment - 1) / relaxrt::kRxAlignment * relaxrt::kRxAlignment, '\0');
    relaxrt::ConstantEntry entry;
    entry.kind = relaxrt::ConstantEntry::Kind::Tensor;
    entry.dtype = dtype_name(dtype);
    entry.shape = shape;
    entry.data_offset = constant_data_.size();
    entry.data_size = bytes.size();
    constant_data_ += bytes;
    return out_.add_constant(std::move(entry));
  }

  // R.const(v, dtype): a 0-d tensor; metadata["relax.expr.Constant"][i]: the module's tensor i.
  int64_t constant(const relax::Constant& c) {
    if (c.literal_shape) {
      std::string bytes;
      for (double v : c.values) bytes += scalar_bytes(v, c.dtype, c.loc);
      return tensor_constant(c.dtype, *c.literal_shape, bytes);
    }
    if (!c.metadata_index) {
      std::string bytes = scalar_bytes(c.scalar, c.dtype, c.loc);
      return tensor_constant(c.dtype, {}, bytes);
    }
    int index = *c.metadata_index;
    if (index < 0 || static_cast<size_t>(index) >= module_.constants.size()) {
      throw CompileError(c.loc, "metadata[\"relax.expr.Constant\"][" + std::to_string(index) +
                                    "] has no value: compile the module as printed with --show-meta, or bind it with --bind-params");
    }
    auto it = metadata_constants_.find(index);
    if (it != metadata_constants_.end()) return it->second;
    const ConstantTensor& tensor = module_.constants[static_cast<size_t>(index)];
    int64_t entry = tensor_constant(tensor.dtype, tensor.shape, tensor.bytes);
    metadata_constants_[index] = entry;
    return entry;
  }

  // The bits of the 16-bit float (`fraction` stored fraction bits, `exponent` exponent bits:
  // 10 and 5 for float16, 7 and 8 for bfloat16) nearest to `value`, ties to even, rounded once
  // from the double: scaling by a power of two is exact, so rint() does the only rounding. A
  // NaN becomes the quiet NaN of its sign; beyond the largest finite value is infinity.
  static uint16_t narrow_float_bits(double value, int fraction, int exponent) {
    const uint16_t sign = std::signbit(value) ? static_cast<uint16_t>(1u << (fraction + exponent)) : 0;
    const uint16_t infinity = static_cast<uint16_t>(((1u << exponent) - 1) << fraction);
    if (std::isnan(value)) return static_cast<uint16_t>(sign | infinity | (1u << (fraction - 1)));
    const int bias = (1 << (exponent - 1)) - 1;
    double magnitude = std::fabs(value);
    if (std::isinf(magnitude)) return sign | infinity;
    if (magnitude == 0) return sign;
    int e = 0;
    std::frexp(magnitude, &e);  // magnitude in [2^(e-1), 2^e)
    int spacing = std::max(e - 1 - fraction, 1 - bias - fraction);  // subnormals are no finer
    double units = std::rint(std::ldexp(magnitude, -spacing));      // default rounding: ties to even
    double rounded = std::ldexp(units, spacing);
    if (rounded >= std::ldexp(1.0, bias + 1)) return sign | infinity;
    if (rounded < std::ldexp(1.0, 1 - bias)) return static_cast<uint16_t>(sign | static_cast<uint16_t>(units));  // subnormal
    std::frexp(rounded, &e);
    auto stored_fraction = static_cast<uint16_t>(std::ldexp(rounded, fraction + 1 - e) - std::ldexp(1.0, fraction));
    return static_cast<uint16_t>(sign | ((e - 1 + bias) << fraction) | stored_fraction);
  }

  // An integer constant is the value truncated toward zero, as numpy's astype; one that is not
  // finite or does not fit the type is an error rather than a wrapped (undefined) cast.
  template <typename Int>
  static std::string integer_bytes(double value, DataType dtype, SourceLoc loc) {
    double truncated = std::trunc(value);
    if (!std::isfinite(value) || truncated < static_cast<double>(std::numeric_limits<Int>::min()) ||
        truncated >= static_cast<double>(std::numeric_limits<Int>::max()) + 1.0) {
      throw CompileError(loc, "R.const: " + printing::format_float(value) + " is not a value of " + dtype_name(dtype));
    }
    auto v = static_cast<Int>(truncated);
    return std::string(reinterpret_cast<const char*>(&v), sizeof v);
  }

  static std::string scalar_bytes(double value, DataType dtype, SourceLoc loc) {
    auto raw = [](auto v) { return std::string(reinterpret_cast<const char*>(&v), sizeof v); };
    switch (dtype) {
      case DataType::Float16: return raw(narrow_float_bits(value, 10, 5));
      case DataType::BFloat16: return raw(narrow_float_bits(value, 7, 8));
      case DataType::Float32: return raw(static_cast<float>(value));
      case DataType::Float64: return raw(value);
      case DataType::Int32: return integer_bytes<int32_t>(value, dtype, loc);
      case DataType::Int64: return integer_bytes<int64_t>(value, dtype, loc);
      case DataType::Int16: return integer_bytes<int16_t>(value, dtype, loc);
      case DataType::Int8: return integer_bytes<int8_t>(value, dtype, loc);
      case DataType::UInt8: return integer_bytes<uint8_t>(value, dtype, loc);
      case DataType::Bool: return raw(static_cast<uint8_t>(value != 0));
      default: throw CompileError(loc, std::string("R.const of dtype ") + dtype_name(dtype) + " is not supported by the VM code generator");
    }
  }

  // R.call_packed: a runtime function called by name. With a tensor result of known shape it is
  // called destination-passing style (the output allocated and passed last); otherwise it is
  // called for its effect and the result is nothing (R.Object).
  int64_t lower_packed_call(const relax::Call& call) {
    std::string name = callee_name(call.args.at(0));
    std::vector<int64_t> args;
    for (size_t i = 1; i < call.args.size(); ++i) args.push_back(operand(call.args[i]));
    const relax::StructInfo* out = call.sinfo_args.empty() ? nullptr : call.sinfo_args[0].get();
    if (out && out->kind == relax::StructInfoKind::Tensor && out->shape && out->dtype != DataType::Void) {
      int64_t result = allocate_output(*out, call.loc);
      args.push_back(BytecodeBuilder::reg(result));
      out_.call_site(span(call.loc), source_function_, binding_, 1);
      out_.call(relaxrt::kVoidRegister, out_.function(FunctionRef::Kind::Runtime, name), args);
      return result;
    }
    int64_t dst = next_register_++;
    out_.call_site(span(call.loc), source_function_, binding_, 0);
    out_.call(dst, out_.function(FunctionRef::Kind::Runtime, name), args);
    return dst;
  }

  // An argument word for `e`: a register, or a constant used in place.
  int64_t operand(const relax::Expr& e) {
    if (auto* text = e->as<relax::StringImm>()) return BytecodeBuilder::constant(string_constant(text->value));
    if (auto* c = e->as<relax::Constant>()) return BytecodeBuilder::constant(constant(*c));
    return BytecodeBuilder::reg(to_register(e));
  }

  int64_t to_register(const relax::Expr& e) {
    switch (e->kind) {
      case relax::ExprKind::Var: {
        auto it = registers_.find(static_cast<const relax::Var*>(e.get()));
        if (it == registers_.end()) throw CompileError(e->loc, "'" + e->as<relax::Var>()->name + "' has no value here");
        return it->second;
      }
      case relax::ExprKind::Tuple: {
        std::vector<int64_t> fields;
        for (const relax::Expr& field : e->as<relax::Tuple>()->fields) fields.push_back(operand(field));
        int64_t dst = next_register_++;
        out_.call(dst, out_.builtin("vm.builtin.make_tuple"), fields);
        return dst;
      }
      case relax::ExprKind::TupleGetItem: {
        auto* item = e->as<relax::TupleGetItem>();
        int64_t tuple = to_register(item->tuple);
        int64_t dst = next_register_++;
        out_.call(dst, out_.builtin("vm.builtin.tuple_getitem"), {BytecodeBuilder::reg(tuple), BytecodeBuilder::imm(item->index)});
        return dst;
      }
      case relax::ExprKind::ShapeExpr: return make_shape(e->as<relax::ShapeExpr>()->values);
      case relax::ExprKind::PrimValue: {
        const tir::Expr& value = e->as<relax::PrimValue>()->value;
        if (!is_int(value->dtype) && value->dtype != DataType::Bool) {
          throw CompileError(e->loc, "R.prim_value of a float is not supported by the VM code generator yet");
        }
        return shape_value(value);
      }
      case relax::ExprKind::Constant: {
        int64_t dst = next_register_++;
        out_.call(dst, out_.builtin("vm.builtin.copy"), {operand(e)});
        return dst;
      }
      case relax::ExprKind::Call: {
        auto* call = e->as<relax::Call>();
        if (call->op == "call_dps_packed" || call->op == "call_tir") return lower_dps_call(*call);
        if (call->op == "call_packed" || call->op == "call_pure_packed") return lower_packed_call(*call);
        if (call->op == "shape_of" || call->op == "tensor_to_shape") {
          int64_t tensor = operand(call->args[0]);
          int64_t dst = next_register_++;
          out_.call(dst, out_.builtin("vm.builtin." + call->op), {tensor});
          return dst;
        }
        if (call->op == "reshape" && call->args.size() == 2 && call->args[1]->as<relax::ShapeExpr>()) {
          int64_t source = operand(call->args[0]);
          int64_t shape = shape_operand(call->args[1]->as<relax::ShapeExpr>()->values);
          int64_t dst = next_register_++;
          out_.call(dst, out_.builtin("vm.builtin.reshape"), {source, shape});
          return dst;
        }
        if (call->op.empty()) {
          std::string name = callee_name(call->callee);
          if (!module_.find_function(name)) throw CompileError(call->loc, "there is no Relax function '" + name + "' to call");
          std::vector<int64_t> args;
          for (const relax::Expr& arg : call->args) args.push_back(operand(arg));
          int64_t dst = next_register_++;
          out_.call(dst, out_.function(FunctionRef::Kind::VM, name), args);
          return dst;
        }
        throw CompileError(e->loc, "R." + call->op + " is not supported by the VM code generator yet");
      }
      default: break;
    }
    throw CompileError(e->loc, "this kind of Relax value is not supported by the VM code generator yet");
  }

  const Module& module_;
  const SourceFile& file_;
  const relax::Function& func_;
  BytecodeBuilder& out_;
  std::string& constant_data_;
  std::unordered_map<int, int64_t>& metadata_constants_;  // metadata index -> constant pool entry
  std::unordered_map<const tir::Var*, int64_t> slots_;
  std::unordered_map<const relax::Var*, int64_t> registers_;
  std::unordered_map<DataType, int64_t> dtype_strings_;
  int64_t next_register_ = 0;
  int64_t heap_ = 0;
  MemoryPlan plan_;
  struct Planned {
    const relax::ExprNode* call = nullptr;  // the value of the binding being lowered
    int64_t token = -1;                     // its storage token, if planned
  };
  Planned planned_;
  std::string source_function_;  // the function as written (a frozen-weight variant's original)
  std::string binding_;          // the variable of the binding being lowered
};

}  // namespace

void lower_relax_to_bytecode(const Module& module, const SourceFile& file, relaxrt::Executable& exe, std::string& constant_data,
                             bool plan_memory) {
  BytecodeBuilder builder(exe);
  std::unordered_map<int, int64_t> metadata_constants;
  // A frozen-weight variant's bindings are its original's, as written (--dump-intermediates
  // names them so, whichever of the two ran).
  std::unordered_map<std::string, std::string> original_of;
  for (const relax::FunctionPtr& func : module.functions) {
    if (std::optional<FrozenVariant> variant = frozen_variant_of(*func, module)) original_of[variant->function] = func->name;
  }
  for (const relax::FunctionPtr& func : module.functions) {
    auto original = original_of.find(func->name);
    std::string source = original == original_of.end() ? func->name : original->second;
    exe.functions.push_back(FunctionLowering(module, file, *func, builder, constant_data, metadata_constants, plan_memory, source).lower());
  }
  for (const PrimFuncEntry& entry : prim_func_entries(module)) {
    if (!entry.function) continue;
    exe.functions.push_back(
        FunctionLowering(module, file, *entry.function, builder, constant_data, metadata_constants, plan_memory, entry.prim_func).lower());
    exe.functions.back().prim_func_entry = true;
  }
  for (const FunctionRef& ref : exe.function_table) {
    if (ref.kind == FunctionRef::Kind::Builtin || ref.kind == FunctionRef::Kind::Runtime) exe.runtime_functions.push_back(ref.name);
  }
}

}  // namespace relaxc::codegen

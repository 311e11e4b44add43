#include "compiler/passes/relax/fold_batch_norm.h"

#include <set>

#include "compiler/check/infer_struct_info.h"
#include "compiler/ir/distinct_names.h"
#include "compiler/ir/relax_uses.h"
#include "compiler/ir/struct_info.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

const AttrValue* attr(const Call& call, const std::string& key) { return find_attr(call.attrs, key); }

bool string_attr_is(const Call& call, const std::string& key, const std::string& wanted) {
  const AttrValue* v = attr(call, key);
  return !v || v->kind == AttrValue::Kind::None || (v->kind == AttrValue::Kind::String && v->string_value == wanted);
}

// The struct info of a variable or constant (a metadata constant's from the module's table).
StructInfoPtr sinfo_of(const Expr& e, const Module& module) {
  if (const auto* v = e->as<Var>()) return v->sinfo;
  const auto* c = e->as<Constant>();
  if (!c) return nullptr;
  if (c->sinfo || !c->metadata_index) return c->sinfo;
  return metadata_constant_sinfo(module, static_cast<size_t>(*c->metadata_index));
}

bool float_tensor(const Expr& e, int rank, const Module& module) {
  StructInfoPtr s = sinfo_of(e, module);
  return s && s->kind == StructInfoKind::Tensor && s->shape && s->rank() == rank && is_float(s->dtype);
}

// A value the fold may read at the start of the function: a parameter or a constant.
bool available_at_start(const Expr& e, const Function& f) {
  if (e->as<Constant>()) return true;
  for (const VarPtr& p : f.params) {
    if (p.get() == e.get()) return true;
  }
  return false;
}

// conv2d in the layouts the fold's per-channel scale assumes, its weight known at the start.
bool foldable_conv(const Call& conv, const Function& f, const Module& module) {
  if (conv.op != "nn.conv2d" || conv.args.size() != 2 || !float_tensor(conv.args[1], 4, module) || !available_at_start(conv.args[1], f)) return false;
  return string_attr_is(conv, "data_layout", "NCHW") && string_attr_is(conv, "kernel_layout", "OIHW") && string_attr_is(conv, "out_layout", "NCHW");
}

bool foldable_batch_norm(const Call& bn, const Var* conv, const Function& f, const Module& module) {
  if (bn.op != "nn.batch_norm" || bn.args.size() != 5 || bn.args[0].get() != conv) return false;
  const AttrValue* axis = attr(bn, "axis");
  if (!axis || axis->kind != AttrValue::Kind::Int || axis->int_value != 1) return false;
  for (size_t i = 1; i < 5; ++i) {
    if (!float_tensor(bn.args[i], 1, module) || !available_at_start(bn.args[i], f)) return false;
  }
  return true;
}

bool bool_attr(const Call& call, const std::string& key, bool fallback) {
  const AttrValue* v = attr(call, key);
  return v && v->kind == AttrValue::Kind::Bool ? v->bool_value : fallback;
}

double epsilon_of(const Call& bn) {
  const AttrValue* v = attr(bn, "epsilon");
  if (!v) return 1e-5;
  return v->kind == AttrValue::Kind::Float ? v->float_value : static_cast<double>(v->int_value);
}

// Appends the bindings of a function body in A-normal form.
class BodyBuilder {
 public:
  BodyBuilder(SourceLoc loc, bool dataflow) : loc_(loc) { block_.is_dataflow = dataflow, block_.loc = loc, block_.output_loc = loc; }

  VarPtr bind(const std::string& name, Expr value, StructInfoPtr sinfo) {
    auto var = std::make_shared<Var>(name, std::move(sinfo), loc_);
    block_.bindings.push_back(Binding{var, std::move(value), nullptr, false, loc_});
    return var;
  }
  Expr op(const std::string& name, std::vector<Expr> args) const {
    auto call = std::make_shared<Call>(loc_);
    call->op = name;
    call->args = std::move(args);
    return call;
  }
  Expr scalar(double value, DataType dtype) const {
    auto c = std::make_shared<Constant>(loc_);
    c->scalar = value;
    c->dtype = dtype;
    c->sinfo = make_tensor_sinfo(std::vector<tir::Expr>{}, dtype);
    return c;
  }
  Expr shape(std::vector<tir::Expr> dims) const { return std::make_shared<ShapeExpr>(std::move(dims), loc_); }
  BindingBlock take() { return std::move(block_); }

 private:
  SourceLoc loc_;
  BindingBlock block_;
};

class Folder {
 public:
  explicit Folder(const Module& module) : out_(module), names_(tir::function_names(module)) {}

  Module run() {
    for (FunctionPtr& f : out_.functions) f = fold(*f);
    for (const FunctionPtr& t : transforms_) out_.functions.push_back(t);
    return std::move(out_);
  }

 private:
  // `<weight>_bn_folded(w, gamma, beta, mean, var)` -> (w * s[o], (beta - mean * s)[1, O, 1, 1]).
  std::string transform_for(const std::string& weight_name, const Call& conv, const Call& bn) {
    SourceLoc loc = bn.loc;
    auto fn = std::make_shared<Function>();
    fn->name = names_.take(weight_name + "_bn_folded");
    fn->loc = fn->return_loc = loc;
    const char* names[] = {"w", "gamma", "beta", "moving_mean", "moving_var"};
    std::vector<Expr> operands = {conv.args[1], bn.args[1], bn.args[2], bn.args[3], bn.args[4]};
    std::vector<VarPtr> params;
    for (size_t i = 0; i < operands.size(); ++i) params.push_back(std::make_shared<Var>(names[i], sinfo_of(operands[i], out_), loc));
    fn->params = params;
    StructInfoPtr w = params[0]->sinfo, channel = params[1]->sinfo;
    DataType dtype = w->dtype;
    const tir::Expr& out_channels = (*w->shape)[0];
    tir::Expr one = std::make_shared<tir::IntImm>(1, DataType::Int64, loc);
    BodyBuilder b(loc, true);
    VarPtr shifted = b.bind("var_eps", b.op("add", {params[4], b.scalar(epsilon_of(bn), dtype)}), channel);
    VarPtr s = b.bind("inv_std", b.op("rsqrt", {shifted}), channel);
    if (bool_attr(bn, "scale", true)) s = b.bind("s", b.op("multiply", {params[1], s}), channel);
    StructInfoPtr per_filter = make_tensor_sinfo(std::vector<tir::Expr>{out_channels, one, one, one}, dtype);
    VarPtr s4 = b.bind("s4", b.op("reshape", {s, b.shape({out_channels, one, one, one})}), per_filter);
    VarPtr scaled = b.bind("w_folded", b.op("multiply", {params[0], s4}), w);
    VarPtr shift = b.bind("mean_s", b.op("multiply", {params[3], s}), channel);
    Expr minuend = bool_attr(bn, "center", true) ? Expr(params[2]) : b.scalar(0.0, dtype);
    VarPtr bias = b.bind("b_folded", b.op("subtract", {minuend, shift}), channel);
    StructInfoPtr bias_type = make_tensor_sinfo(std::vector<tir::Expr>{one, out_channels, one, one}, dtype);
    VarPtr bias4 = b.bind("bias", b.op("reshape", {bias, b.shape({one, out_channels, one, one})}), bias_type);
    StructInfoPtr result_type = make_tuple_sinfo({w, bias_type});
    VarPtr result = b.bind("folded", std::make_shared<Tuple>(std::vector<Expr>{scaled, bias4}, loc), result_type);
    BindingBlock block = b.take();
    block.outputs.push_back(result);
    fn->blocks.push_back(std::move(block));
    fn->body = result;
    fn->ret_annotation = fn->ret_sinfo = result_type;
    fn->attrs.emplace_back(kWeightTransformAttr, bool_attr_value(true));
    transforms_.push_back(fn);
    return fn->name;
  }

  // `e` with every t[0] in it replaced by `by` (or counted, when `by` is null). Expressions
  // nest no deeper than the source wrote them.
  static Expr replace_field_0(const Expr& e, const Var* t, const Expr& by, int& count) {
    if (!e) return e;
    if (const auto* item = e->as<TupleGetItem>(); item && item->tuple.get() == t && item->index == 0) {
      ++count;
      return by ? by : e;
    }
    const auto* call = e->as<Call>();
    if (!call) return e;
    auto copy = std::make_shared<Call>(*call);
    bool changed = false;
    for (Expr& arg : copy->args) {
      Expr rewritten = replace_field_0(arg, t, by, count);
      changed = changed || rewritten != arg;
      arg = rewritten;
    }
    return changed ? Expr(copy) : e;
  }

  // Whether every use of `t` is a t[0] in a binding of `block`.
  static bool used_only_as_field_0(const Var* t, const BindingBlock& block, const Function& f) {
    int count = 0;
    for (const Binding& b : block.bindings) replace_field_0(b.value, t, nullptr, count);
    return count > 0 && uses_in_function(t, f) == count;
  }

  FunctionPtr fold(const Function& original);

  Module out_;
  tir::NameTable names_;
  std::vector<FunctionPtr> transforms_;
};

// The batch_norm folds of `original`: the transforms called in a first block, each conv reading
// the folded weight, each t[0] the convolution plus the folded bias.
FunctionPtr Folder::fold(const Function& original) {
  auto f = std::make_shared<Function>(original);
  BodyBuilder prologue(f->loc, false);
  bool changed = false;
  for (BindingBlock& block : f->blocks) {
    for (size_t ci = 0; ci < block.bindings.size(); ++ci) {
      const Binding& conv_binding = block.bindings[ci];
      const auto* conv = conv_binding.value ? conv_binding.value->as<Call>() : nullptr;
      if (conv_binding.is_match_cast || !conv || !foldable_conv(*conv, *f, out_) || uses_in_function(conv_binding.var.get(), *f) != 1) continue;
      size_t bi = ci + 1;
      for (; bi < block.bindings.size(); ++bi) {
        const auto* bn = block.bindings[bi].value ? block.bindings[bi].value->as<Call>() : nullptr;
        if (bn && foldable_batch_norm(*bn, conv_binding.var.get(), *f, out_)) break;
      }
      if (bi == block.bindings.size() || !used_only_as_field_0(block.bindings[bi].var.get(), block, *f)) continue;
      const Call& bn = *block.bindings[bi].value->as<Call>();
      const auto* weight_var = conv->args[1]->as<Var>();
      std::string fn_name = transform_for(weight_var ? weight_var->name : "conv_weight", *conv, bn);
      auto call = std::make_shared<Call>(bn.loc);
      call->callee = std::make_shared<GlobalVar>(fn_name, bn.loc);
      call->args = {conv->args[1], bn.args[1], bn.args[2], bn.args[3], bn.args[4]};
      const StructInfoPtr& folded_type = transforms_.back()->ret_sinfo;
      std::string base = weight_var ? weight_var->name : "conv_weight";
      VarPtr folded = prologue.bind(base + "_folded", call, folded_type);
      VarPtr weight = prologue.bind(base + "_bn", std::make_shared<TupleGetItem>(folded, 0, bn.loc), folded_type->fields[0]);
      VarPtr bias = prologue.bind(base + "_bn_bias", std::make_shared<TupleGetItem>(folded, 1, bn.loc), folded_type->fields[1]);
      auto new_conv = std::make_shared<Call>(*conv);
      new_conv->args[1] = weight;
      block.bindings[ci].value = new_conv;
      const Var* t = block.bindings[bi].var.get();
      auto add = std::make_shared<Call>(bn.loc);
      add->op = "add";
      add->args = {conv_binding.var, bias};
      for (Binding& b : block.bindings) {
        int replaced = 0;
        b.value = replace_field_0(b.value, t, add, replaced);
      }
      block.bindings.erase(block.bindings.begin() + static_cast<std::ptrdiff_t>(bi));
      changed = true;
    }
  }
  if (!changed) return f;
  f->blocks.insert(f->blocks.begin(), prologue.take());
  return f;
}

}  // namespace

Module fold_batch_norm(const Module& module) { return Folder(module).run(); }

}  // namespace relaxc

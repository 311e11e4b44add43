#include "compiler/passes/relax/pack_weights.h"

#include <map>
#include <set>

#include "compiler/check/infer_struct_info.h"
#include "compiler/ir/distinct_names.h"
#include "compiler/ir/relax_copy.h"
#include "compiler/ir/relax_uses.h"
#include "compiler/passes/relax/weight_layouts.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

constexpr const char* kFrozenVariant = "relaxc.frozen_variant";  // read by codegen/frozen_variant.cc
constexpr int64_t kPackedFromRows = 32;

std::optional<int64_t> num_input(const Function& f) {
  const AttrValue* value = find_attr(f.attrs, "num_input");
  return value && value->kind == AttrValue::Kind::Int ? std::optional<int64_t>(value->int_value) : std::nullopt;
}


StructInfoPtr constant_matrix(const StructInfoPtr& sinfo) {
  if (!sinfo || sinfo->kind != StructInfoKind::Tensor || !sinfo->shape || sinfo->shape->size() != 2 || !is_float(sinfo->dtype)) return nullptr;
  for (const tir::Expr& dim : *sinfo->shape) {
    if (!dim->as<tir::IntImm>()) return nullptr;
  }
  return sinfo;
}

class Packer {
 public:
  Packer(const Module& module, const schedule::Target& target) : out_(module), names_(tir::function_names(module)), target_(target) {}

  Module run() {
    std::set<std::string> called_before = names_referenced(out_);
    std::vector<FunctionPtr> functions;
    for (const FunctionPtr& f : out_.functions) {
      std::set<const Var*> weights = weight_params(*f);
      if (num_input(*f) || f->is_private || !packs_a_parameter(*f)) {
        functions.push_back(pack(*f, weights));
        continue;
      }
      // No "num_input": any parameter may be a weight. The function itself stays as written for
      // tensors that may change; a private variant reads every such parameter packed, and the
      // VM calls it instead when they are all frozen or the batch is large (frozen_variant.h).
      std::vector<size_t> packed_params;
      FunctionPtr copy = copy_with_fresh_vars(*f, names_.take(f->name + "_frozen"));
      FunctionPtr variant = pack(*copy, all_params(*copy), &packed_params);
      functions.push_back(with_frozen_variant(pack(*f, weights), variant->name, packed_params));
      functions.push_back(as_private(*variant));
    }
    for (const FunctionPtr& t : transforms_) functions.push_back(t);
    out_.functions = std::move(functions);
    // Kernels whose every call now goes to their k-major variant.
    drop_kernels_no_longer_named(out_, called_before);
    return std::move(out_);
  }

 private:
  // The parameters TVM's convention makes weights: from num_input on.
  static std::set<const Var*> weight_params(const Function& f) {
    std::set<const Var*> weights;
    if (std::optional<int64_t> first = num_input(f)) {
      for (size_t p = static_cast<size_t>(std::max<int64_t>(0, *first)); p < f.params.size(); ++p) weights.insert(f.params[p].get());
    }
    return weights;
  }
  static std::set<const Var*> all_params(const Function& f) {
    std::set<const Var*> params;
    for (const VarPtr& p : f.params) params.insert(p.get());
    return params;
  }

  // The weight behind a call argument, with its type: one of `weights` or a metadata
  // constant; null otherwise.
  static StructInfoPtr weight_type(const Expr& arg, const std::set<const Var*>& weights) {
    if (const auto* c = arg->as<Constant>(); c && c->metadata_index) return constant_matrix(c->sinfo);
    const auto* var = arg->as<Var>();
    return var && weights.count(var) ? constant_matrix(var->sinfo) : nullptr;
  }

  // The kernel behind a call_tir / call_dps_packed of the module, if any.
  const tir::PrimFunc* kernel_called(const Call& call) const {
    if ((call.op != "call_tir" && call.op != "call_dps_packed") || call.args.size() != 2) return nullptr;
    // call_dps_packed("linear0", ...) names a kernel of the module as call_tir(cls.linear0) does.
    const auto* global = call.args[0]->as<GlobalVar>();
    const auto* external = call.args[0]->as<ExternFunc>();
    const tir::PrimFunc* kernel = global ? out_.find_prim_func(global->name) : external ? out_.find_prim_func(external->name) : nullptr;
    const auto* inputs = call.args[1]->as<Tuple>();
    return kernel && inputs && kernel->params.size() == inputs->fields.size() + 1 ? kernel : nullptr;
  }

  // The type of the argument of `kernel`'s parameter `a`, when it is one of `weights` (or a
  // metadata constant) that the kernel reads as W[j, k] and the packed kernel reads faster:
  // the outer-product tiles of a k-major W_t fill whole vectors only when the columns (W's
  // rows) are a multiple of the vector's lanes (the CNN's 5408 -> 100 layer runs 1.6x slower
  // packed; with 128 columns packing is what makes the MLP fast).
  StructInfoPtr packable(const Expr& arg, const std::set<const Var*>& weights, const tir::PrimFunc& kernel, size_t a) const {
    StructInfoPtr type = weight_type(arg, weights);
    const tir::BufferPtr& buffer = kernel.params[a].buffer;
    if (!type || !buffer || !reads_as_dot_weight(kernel, buffer.get())) return nullptr;
    int64_t columns = (*type->shape)[0]->as<tir::IntImm>()->value;
    return columns % target_.lanes(type->dtype) == 0 ? type : nullptr;
  }

  // Whether some kernel call of `f` reads a parameter as a packable weight.
  bool packs_a_parameter(const Function& f) const {
    std::set<const Var*> params = all_params(f);
    for (const BindingBlock& block : f.blocks) {
      for (const Binding& binding : block.bindings) {
        const auto* call = binding.value ? binding.value->as<Call>() : nullptr;
        const tir::PrimFunc* kernel = call ? kernel_called(*call) : nullptr;
        const std::vector<Expr>* fields = kernel ? &call->args[1]->as<Tuple>()->fields : nullptr;
        for (size_t a = 0; fields && a < fields->size(); ++a) {
          if ((*fields)[a]->as<Var>() && packable((*fields)[a], params, *kernel, a)) return true;
        }
      }
    }
    return false;
  }

  // `f` with the attribute naming its frozen-weight variant and the parameters that variant
  // reads packed: {"function": name, "frozen_params": [positions]}.
  static FunctionPtr with_frozen_variant(const FunctionPtr& f, const std::string& variant, const std::vector<size_t>& params) {
    auto out = std::make_shared<Function>(*f);
    auto dict = std::make_shared<AttrValue>();
    dict->kind = AttrValue::Kind::Dict;
    dict->entries = {{"function", string_attr_value(variant)}, {"frozen_params", int_list_attr_value(std::vector<int64_t>(params.begin(), params.end()))}};
    // A first parameter with a symbolic number of rows (a batch): from 32 rows on, packing the
    // weights on the call costs a few percent of the layers that read them.
    const StructInfoPtr& first = f->params.empty() ? nullptr : f->params[0]->sinfo;
    if (first && first->kind == StructInfoKind::Tensor && first->shape && !first->shape->empty() && !(*first->shape)[0]->as<tir::IntImm>()) {
      dict->entries.emplace_back("packed_from_rows", int_list_attr_value({0, kPackedFromRows}));
    }
    out->attrs.emplace_back(kFrozenVariant, dict);
    return out;
  }

  static FunctionPtr as_private(const Function& f) {
    auto out = std::make_shared<Function>(f);
    out->is_private = true;
    AttrDict kept;
    for (const auto& attr : f.attrs) {
      if (attr.first != "global_symbol") kept.push_back(attr);
    }
    out->attrs = std::move(kept);
    return out;
  }

  // `<weight>_kmajor(w)`: R.permute_dims(w), its result kept by the VM for frozen weights.
  std::string transform_for(const std::string& weight_name, const StructInfoPtr& type, SourceLoc loc) {
    auto fn = std::make_shared<Function>();
    fn->name = names_.take(weight_name + "_kmajor");
    fn->loc = loc;
    fn->return_loc = loc;
    auto param = std::make_shared<Var>("w", type, loc);
    fn->params.push_back(param);
    auto transposed = make_tensor_sinfo(std::vector<tir::Expr>{(*type->shape)[1], (*type->shape)[0]}, type->dtype);
    auto call = std::make_shared<Call>(loc);
    call->op = "permute_dims";
    call->args.push_back(param);
    auto result = std::make_shared<Var>("w_t", transposed, loc);
    BindingBlock block;
    block.is_dataflow = true;
    block.loc = loc;
    block.output_loc = loc;
    block.bindings.push_back(Binding{result, call, nullptr, false, loc});
    block.outputs.push_back(result);
    fn->blocks.push_back(std::move(block));
    fn->body = result;
    fn->ret_annotation = transposed;
    fn->ret_sinfo = transposed;
    fn->attrs.emplace_back(kWeightTransformAttr, bool_attr_value(true));
    transforms_.push_back(fn);
    return fn->name;
  }

  // The kernel reading the weights at `positions` k-major, made once per kernel and positions.
  std::string variant_of(const tir::PrimFunc& kernel, const std::vector<std::pair<size_t, StructInfoPtr>>& weights) {
    std::vector<size_t> positions;
    std::string key_shapes;
    for (const auto& [index, type] : weights) {
      positions.push_back(index);
      for (const tir::Expr& dim : *type->shape) key_shapes += std::to_string(dim->as<tir::IntImm>()->value) + ",";
    }
    auto key = std::make_pair(kernel.name + "/" + key_shapes, positions);
    auto it = variants_.find(key);
    if (it != variants_.end()) return it->second;
    tir::PrimFuncPtr variant = specialize(kernel, weights);
    std::string name = names_.take(kernel.name + "_kmajor");
    for (size_t a : positions) variant = kmajor_variant(*variant, a, name);
    // A symbol name the kernel gave itself follows the new name.
    auto renamed = std::make_shared<tir::PrimFunc>(*variant);
    for (auto& [attr, value] : renamed->attrs) {
      if (attr != "global_symbol" || value->kind != AttrValue::Kind::String) continue;
      auto symbol = std::make_shared<AttrValue>(*value);
      symbol->string_value = name;
      value = symbol;
    }
    variant = renamed;
    out_.prim_funcs.push_back(variant);
    variants_.emplace(key, name);
    return name;
  }

  // `original` with its calls reading `weight_set` (and metadata constants) packed; the
  // positions of the parameters it packed go to `packed_params`.
  FunctionPtr pack(const Function& original, const std::set<const Var*>& weight_set, std::vector<size_t>* packed_params = nullptr) {
    auto f = std::make_shared<Function>(original);
    std::map<const ExprNode*, VarPtr> packed;  // weight -> its transposed value in f
    std::vector<Binding> prologue;
    std::set<std::string> var_names;
    for (const VarPtr& p : f->params) var_names.insert(p->name);
    for (const BindingBlock& block : f->blocks) {
      for (const Binding& b : block.bindings) var_names.insert(b.var->name);
    }
    for (BindingBlock& block : f->blocks) {
      for (Binding& binding : block.bindings) {
        const auto* call = binding.value ? binding.value->as<Call>() : nullptr;
        const tir::PrimFunc* kernel = call ? kernel_called(*call) : nullptr;
        if (!kernel) continue;
        const auto* global = call->args[0]->as<GlobalVar>();
        const auto* external = call->args[0]->as<ExternFunc>();
        const auto* inputs = call->args[1]->as<Tuple>();
        auto rewritten = std::make_shared<Call>(*call);
        std::vector<Expr> fields = inputs->fields;
        std::vector<std::pair<size_t, StructInfoPtr>> weights;
        for (size_t a = 0; a < fields.size(); ++a) {
          StructInfoPtr type = packable(fields[a], weight_set, *kernel, a);
          if (!type) continue;
          weights.emplace_back(a, type);
          auto it = packed.find(fields[a].get());
          if (it == packed.end()) {
            std::string weight_name = fields[a]->as<Var>() ? fields[a]->as<Var>()->name : "weight";
            std::string fn_name = transform_for(weight_name, type, call->loc);
            std::string var_name = weight_name + "_t";
            for (int i = 1; !var_names.insert(var_name).second; ++i) var_name = weight_name + "_t" + std::to_string(i);
            auto use = std::make_shared<Call>(call->loc);
            use->callee = std::make_shared<GlobalVar>(fn_name, call->loc);
            use->args.push_back(fields[a]);
            auto var = std::make_shared<Var>(var_name, transforms_.back()->ret_sinfo, call->loc);
            prologue.push_back(Binding{var, use, nullptr, false, call->loc});
            it = packed.emplace(fields[a].get(), var).first;
          }
          fields[a] = it->second;
        }
        if (weights.empty()) continue;
        std::string variant = variant_of(*kernel, weights);
        if (global) rewritten->args[0] = std::make_shared<GlobalVar>(variant, global->loc);
        else rewritten->args[0] = std::make_shared<ExternFunc>(variant, external->loc);
        rewritten->args[1] = std::make_shared<Tuple>(std::move(fields), inputs->loc);
        binding.value = rewritten;
      }
    }
    for (size_t p = 0; packed_params && p < f->params.size(); ++p) {
      if (packed.count(f->params[p].get())) packed_params->push_back(p);
    }
    if (prologue.empty()) return f;
    // At the start, outside any dataflow block, so every block may use the packed weights.
    BindingBlock first;
    first.bindings = std::move(prologue);
    first.loc = f->loc;
    f->blocks.insert(f->blocks.begin(), std::move(first));
    return f;
  }

  Module out_;
  tir::NameTable names_;
  schedule::Target target_;
  std::vector<FunctionPtr> transforms_;
  std::map<std::pair<std::string, std::vector<size_t>>, std::string> variants_;
};

}  // namespace

Module pack_weights(const Module& module, const schedule::Target& target) { return Packer(module, target).run(); }

}  // namespace relaxc

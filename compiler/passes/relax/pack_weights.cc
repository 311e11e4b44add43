#include "compiler/passes/relax/pack_weights.h"

#include <algorithm>
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


// A float matrix (a matmul's weight) or 4-d tensor (a convolution's) of constant shape.
StructInfoPtr constant_weight(const StructInfoPtr& sinfo) {
  if (!sinfo || sinfo->kind != StructInfoKind::Tensor || !sinfo->shape || !is_float(sinfo->dtype)) return nullptr;
  if (sinfo->shape->size() != 2 && sinfo->shape->size() != 4) return nullptr;
  for (const tir::Expr& dim : *sinfo->shape) {
    if (!dim->as<tir::IntImm>()) return nullptr;
  }
  return sinfo;
}

// How a packed kernel reads a weight: transposed (a matmul's W[j, k] as W_t[k, j]), or a
// convolution's OIHW weight with its output channels blocked by the vector's lanes.
enum class WeightLayout { KMajor, ChannelBlocked };

struct PackedWeight {
  StructInfoPtr type;  // of the weight as the kernel reads it now
  WeightLayout layout;
};

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
    if (const auto* c = arg->as<Constant>(); c && c->metadata_index) return constant_weight(c->sinfo);
    const auto* var = arg->as<Var>();
    return var && weights.count(var) ? constant_weight(var->sinfo) : nullptr;
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

  // How to pack the argument of `kernel`'s parameter `a`, when it is one of `weights` (or a
  // metadata constant) that the packed kernel reads faster:
  // - a matmul's W[j, k], k-major: the outer-product tiles of W_t fill whole vectors only when
  //   the columns (W's rows) are a multiple of the vector's lanes (the CNN's 5408 -> 100 layer
  //   runs 1.6x slower packed; with 128 columns packing is what makes the MLP fast);
  // - a convolution's OIHW weight whose output channels fill whole vectors, blocked by them:
  //   the channel-blocked rule then loads one vector of weights for a row of outputs.
  std::optional<PackedWeight> packable(const Expr& arg, const std::set<const Var*>& weights, const tir::PrimFunc& kernel, size_t a) const {
    StructInfoPtr type = weight_type(arg, weights);
    const tir::BufferPtr& buffer = kernel.params[a].buffer;
    if (!type || !buffer || buffer->shape.size() != type->shape->size()) return std::nullopt;
    int64_t rows = (*type->shape)[0]->as<tir::IntImm>()->value;
    int64_t lanes = target_.lanes(type->dtype);
    if (rows % lanes != 0 || lanes < 2) return std::nullopt;
    if (type->shape->size() == 2 && reads_as_dot_weight(kernel, buffer.get())) return PackedWeight{type, WeightLayout::KMajor};
    if (type->shape->size() == 4 && reads_as_conv_weight(kernel, buffer.get())) return PackedWeight{type, WeightLayout::ChannelBlocked};
    return std::nullopt;
  }

  // `weights` and the values computed from them alone by weight transforms (a batch_norm folded
  // into a convolution's weight, fold_batch_norm.h): frozen when they are, and kept by the VM.
  // Only those bound outside dataflow blocks, where a packed value may follow them.
  std::set<const Var*> with_transformed(const Function& f, std::set<const Var*> weights) const {
    for (const BindingBlock& block : f.blocks) {
      for (const Binding& b : block.bindings) {
        if (block.is_dataflow || b.is_match_cast || !b.value) continue;
        const auto* item = b.value->as<TupleGetItem>();
        const auto* tuple = item ? item->tuple->as<Var>() : nullptr;
        if (tuple && weights.count(tuple)) weights.insert(b.var.get());
        const auto* call = b.value->as<Call>();
        const auto* callee = call && call->callee ? call->callee->as<GlobalVar>() : nullptr;
        const Function* fn = callee ? out_.find_function(callee->name) : nullptr;
        const AttrValue* transform = fn ? find_attr(fn->attrs, kWeightTransformAttr) : nullptr;
        if (!transform || transform->kind != AttrValue::Kind::Bool || !transform->bool_value) continue;
        bool frozen = std::all_of(call->args.begin(), call->args.end(), [&](const Expr& arg) {
          const auto* var = arg->as<Var>();
          const auto* c = arg->as<Constant>();
          return (var && weights.count(var)) || (c && c->metadata_index);
        });
        if (frozen) weights.insert(b.var.get());
      }
    }
    return weights;
  }

  // Whether some kernel call of `f` reads a parameter as a packable weight.
  bool packs_a_parameter(const Function& f) const {
    std::set<const Var*> params = with_transformed(f, all_params(f));
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

  // The weight transform that packs a weight, its result kept by the VM for frozen weights:
  // `<weight>_kmajor(w)`, R.permute_dims(w); or `<weight>_oihw<L>o(w)`, w's output channels
  // blocked by L lanes: R.permute_dims(R.reshape(w, (O / L, L, I, KH, KW)), [0, 2, 3, 4, 1]).
  std::string transform_for(const std::string& weight_name, const PackedWeight& weight, SourceLoc loc) {
    const StructInfoPtr& type = weight.type;
    const std::vector<tir::Expr>& shape = *type->shape;
    bool blocked = weight.layout == WeightLayout::ChannelBlocked;
    int64_t lanes = target_.lanes(type->dtype);
    auto fn = std::make_shared<Function>();
    fn->name = names_.take(weight_name + (blocked ? "_oihw" + std::to_string(lanes) + "o" : "_kmajor"));
    fn->loc = loc;
    fn->return_loc = loc;
    auto param = std::make_shared<Var>("w", type, loc);
    fn->params.push_back(param);
    BindingBlock block;
    block.is_dataflow = true;
    block.loc = loc;
    block.output_loc = loc;
    auto bind = [&](const std::string& name, const std::string& op, std::vector<Expr> args, std::vector<tir::Expr> dims) {
      auto call = std::make_shared<Call>(loc);
      call->op = op;
      call->args = std::move(args);
      auto var = std::make_shared<Var>(name, make_tensor_sinfo(std::move(dims), type->dtype), loc);
      block.bindings.push_back(Binding{var, call, nullptr, false, loc});
      return std::make_pair(var, call);
    };
    VarPtr result;
    if (blocked) {
      auto dim = [&](int64_t v) -> tir::Expr { return std::make_shared<tir::IntImm>(v, DataType::Int64, loc); };
      int64_t o = shape[0]->as<tir::IntImm>()->value;
      std::vector<tir::Expr> split = {dim(o / lanes), dim(lanes), shape[1], shape[2], shape[3]};
      VarPtr w5 = bind("w_split", "reshape", {param, std::make_shared<ShapeExpr>(split, loc)}, split).first;
      auto [packed, call] = bind("w_blocked", "permute_dims", {w5}, {split[0], shape[1], shape[2], shape[3], split[1]});
      call->attrs.emplace_back("axes", int_list_attr_value({0, 2, 3, 4, 1}));
      result = packed;
    } else {
      result = bind("w_t", "permute_dims", {param}, {shape[1], shape[0]}).first;
    }
    block.outputs.push_back(result);
    fn->blocks.push_back(std::move(block));
    fn->body = result;
    fn->ret_annotation = result->sinfo;
    fn->ret_sinfo = result->sinfo;
    fn->attrs.emplace_back(kWeightTransformAttr, bool_attr_value(true));
    transforms_.push_back(fn);
    return fn->name;
  }

  // The kernel reading the weights at `positions` packed, made once per kernel and positions.
  std::string variant_of(const tir::PrimFunc& kernel, const std::vector<std::pair<size_t, PackedWeight>>& weights) {
    std::vector<size_t> positions;
    std::vector<std::pair<size_t, StructInfoPtr>> types;
    std::string key_shapes;
    bool blocked = false;
    for (const auto& [index, weight] : weights) {
      positions.push_back(index);
      types.emplace_back(index, weight.type);
      blocked = blocked || weight.layout == WeightLayout::ChannelBlocked;
      for (const tir::Expr& dim : *weight.type->shape) key_shapes += std::to_string(dim->as<tir::IntImm>()->value) + ",";
    }
    auto key = std::make_pair(kernel.name + "/" + key_shapes, positions);
    auto it = variants_.find(key);
    if (it != variants_.end()) return it->second;
    tir::PrimFuncPtr variant = specialize(kernel, types);
    std::string name = names_.take(kernel.name + (blocked ? "_blocked" : "_kmajor"));
    for (const auto& [index, weight] : weights) {
      variant = weight.layout == WeightLayout::KMajor ? kmajor_variant(*variant, index, name)
                                                      : channel_blocked_variant(*variant, index, target_.lanes(weight.type->dtype), name);
    }
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

  // `original` with its calls reading `weight_set` (and metadata constants, and values weight
  // transforms make of them) packed; the positions of the parameters it packed go to
  // `packed_params`.
  FunctionPtr pack(const Function& original, const std::set<const Var*>& weight_set, std::vector<size_t>* packed_params = nullptr) {
    auto f = std::make_shared<Function>(original);
    const std::set<const Var*> weights = with_transformed(original, weight_set);
    std::map<const ExprNode*, VarPtr> packed;  // weight -> its packed value in f
    std::vector<Binding> prologue;
    std::map<const Var*, std::vector<Binding>> after;  // a transformed weight -> its packing
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
        std::vector<std::pair<size_t, PackedWeight>> packed_here;
        for (size_t a = 0; a < fields.size(); ++a) {
          std::optional<PackedWeight> weight = packable(fields[a], weights, *kernel, a);
          if (!weight) continue;
          packed_here.emplace_back(a, *weight);
          auto it = packed.find(fields[a].get());
          if (it == packed.end()) {
            const auto* var = fields[a]->as<Var>();
            std::string weight_name = var ? var->name : "weight";
            std::string fn_name = transform_for(weight_name, *weight, call->loc);
            std::string suffix = weight->layout == WeightLayout::KMajor ? "_t" : "_blocked";
            std::string var_name = weight_name + suffix;
            for (int i = 1; !var_names.insert(var_name).second; ++i) var_name = weight_name + suffix + std::to_string(i);
            auto use = std::make_shared<Call>(call->loc);
            use->callee = std::make_shared<GlobalVar>(fn_name, call->loc);
            use->args.push_back(fields[a]);
            auto packed_var = std::make_shared<Var>(var_name, transforms_.back()->ret_sinfo, call->loc);
            bool transformed = var && !weight_set.count(var);
            (transformed ? after[var] : prologue).push_back(Binding{packed_var, use, nullptr, false, call->loc});
            it = packed.emplace(fields[a].get(), packed_var).first;
          }
          fields[a] = it->second;
        }
        if (packed_here.empty()) continue;
        std::string variant = variant_of(*kernel, packed_here);
        if (global) rewritten->args[0] = std::make_shared<GlobalVar>(variant, global->loc);
        else rewritten->args[0] = std::make_shared<ExternFunc>(variant, external->loc);
        rewritten->args[1] = std::make_shared<Tuple>(std::move(fields), inputs->loc);
        binding.value = rewritten;
      }
    }
    for (size_t p = 0; packed_params && p < f->params.size(); ++p) {
      if (packed.count(f->params[p].get())) packed_params->push_back(p);
    }
    // A transformed weight is packed right after it is made (outside dataflow blocks).
    for (BindingBlock& block : f->blocks) {
      if (after.empty()) break;
      std::vector<Binding> bindings;
      for (Binding& b : block.bindings) {
        bindings.push_back(std::move(b));
        auto it = after.find(bindings.back().var.get());
        if (it == after.end()) continue;
        for (Binding& packing : it->second) bindings.push_back(std::move(packing));
        after.erase(it);
      }
      block.bindings = std::move(bindings);
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

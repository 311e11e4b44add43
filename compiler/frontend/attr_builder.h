// Parse tree → attribute values for T.func_attr / T.block_attr / R.func_attr dicts and for
// operator keywords (`axis=1`, `strides=[1, 1]`).
#pragma once

#include "compiler/frontend/syntax.h"
#include "compiler/ir/attrs.h"

namespace relaxc::frontend {

AttrValuePtr build_attr_value(P::ExprContext* ctx);
// `{"key": value, ...}`; keys must be strings.
// Keys in `skip` (checked by the caller) are left out.
AttrDict build_attr_dict(P::ExprContext* ctx, const std::string& what, const std::vector<std::string>& skip = {});

}  // namespace relaxc::frontend

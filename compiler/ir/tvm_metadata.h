// TVM's metadata section: what `mod.script(show_meta=True)` prints before a module whose Relax
// constants are too large to write inline,
//
//     metadata = tvm.ir.load_json("""{ ...a JSON object graph... }""")
//
// and what `metadata["relax.expr.Constant"][i]` indexes. Three JSON layouts are read: TVM's
// object graph of 0.22 and later ({"root_index", "nodes", ...}, Relax types as struct info up to
// 0.25 and as `ty` from 0.26) and the older SaveJSON form ({"root", "nodes", "b64ndarrays"}).
// In each, a tensor is the base64 of TVM's tensor serialization (magic, device, dtype, shape,
// bytes). Two are written, one for each spelling of TVMScript.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/module.h"

namespace relaxc {

// The constants of metadata["relax.expr.Constant"], in index order; "" in `error` on success,
// otherwise what is wrong (naming the node), and no constants.
std::vector<ConstantTensor> read_tvm_metadata(const std::string& json, std::string& error);

enum class MetadataLayout {
  StructInfo,  // TVM 0.22-0.25: a Constant's `struct_info_` is a relax.TensorStructInfo
  Type,        // TVM 0.26 and later: a Constant's `ty` is a relax.TensorType
};
// The JSON text of `constants` as metadata["relax.expr.Constant"] in `layout`.
std::string write_tvm_metadata(const std::vector<ConstantTensor>& constants, MetadataLayout layout);
// The whole statement, with the JSON escaped as TVM's printer escapes it in a Python literal.
std::string tvm_metadata_statement(const std::vector<ConstantTensor>& constants, MetadataLayout layout);

}  // namespace relaxc

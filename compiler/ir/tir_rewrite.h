// Rebuilds TensorIR with some expressions or buffers replaced, sharing every node that does
// not change. `replace` is asked about each expression before its operands; returning null
// means "keep it, and look inside". Integer arithmetic whose operands become constants folds.
#pragma once

#include <functional>
#include <vector>
#include <unordered_map>

#include "compiler/ir/tir.h"

namespace relaxc::tir {

using ExprReplacer = std::function<Expr(const Expr&)>;
using BufferMap = std::unordered_map<const Buffer*, BufferPtr>;
// Asked about each store once its parts are rewritten: a replacement, or null to keep it.
using StoreReplacer = std::function<Stmt(const Store&)>;
using IndexMapper = std::function<std::vector<Expr>(const std::vector<Expr>&)>;

Expr rewrite_expr(const Expr& expr, const ExprReplacer& replace);

// Every expression of `stmt` (loop bounds, block bindings and domains, predicates, regions,
// indices, values) through rewrite_expr, and every buffer in `buffers` by its replacement, in
// loads and stores alike.
Stmt rewrite_stmt(const Stmt& stmt, const ExprReplacer& replace, const BufferMap& buffers = {}, const StoreReplacer& stores = nullptr);

// `stmt` with every load and store of `old` an access of `replacement`, at the indices `indices`
// gives for the old ones (T.reads/T.writes regions are left to the caller).
Stmt rewrite_buffer_accesses(const Stmt& stmt, const Buffer* old, const BufferPtr& replacement, const IndexMapper& indices);

}  // namespace relaxc::tir

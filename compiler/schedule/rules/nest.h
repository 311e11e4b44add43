// What the rules of the default schedule read off a prim_func: its top-level perfect loop nests
// (as LegalizeOps and FuseOps write them) and their constant extents.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::schedule {

// A perfect nest: its loops outermost first and the one block inside.
struct Nest {
  std::vector<const tir::For*> loops;
  const tir::Block* block = nullptr;
};

// The value of a constant expression (LegalizeOps writes some extents as sums: T.int64(56) + T.int64(2)).
std::optional<int64_t> constant_value(const tir::Expr& e);

// `stmt` as serial loops from 0 around one block with no predicate, allocation or inner block.
std::optional<Nest> perfect_nest(const tir::Stmt& stmt);

// The top-level statements of `func`, each a perfect nest; nullopt when one is not.
std::optional<std::vector<Nest>> perfect_nests(const tir::PrimFunc& func);

// A loop's extent; 0 when it is known only at run time.
int64_t extent_of(const tir::For* f);

// Iterations of a nest, saturating; a symbolic extent counts as large (a batch).
int64_t iterations(const Nest& nest);

// Bytes of one element the nest's block stores (at least 1: a bool's is a byte); the block's
// body must be a store.
int64_t stored_element_bytes(const Nest& nest);

int64_t largest_divisor_at_most(int64_t n, int64_t limit);

// A register tile's extent along an axis of `extent` (0: symbolic): `ideal`, leaving a
// remainder for partition_loops to separate, unless the axis is shorter or has a divisor of at
// least three quarters of it.
int64_t tile_extent(int64_t extent, int64_t ideal);

// For a block storing one element at its spatial axes (in any order): the nest's loops in the
// order of the output's dimensions; nullopt when some loop binds anything but one axis or the
// store is not at exactly those axes. Then iterations write distinct elements.
std::optional<std::vector<size_t>> output_order(const Nest& nest, size_t spatial);

}  // namespace relaxc::schedule

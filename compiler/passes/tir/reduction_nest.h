// Recognises the loop nests the default schedule rewrites: a perfect nest around one reduction
// block `Out[.., i, j] = Out[.., i, j] + E` (with T.init) whose term reads some reduction axis k
// contiguously, and the elementwise nests after it that only transform its output element by
// element (bias, activation) and can run inside its tiles.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/schedule/target.h"

namespace relaxc::tir {

struct Axis {
  VarPtr iter;           // the block's iteration variable
  VarPtr loop_var;       // the loop that binds it
  Expr extent;
  IterKind kind;
};

// The nest to tile: its axes in loop order and the pieces of the block.
struct Reduction {
  const Block* block = nullptr;
  const Store* update = nullptr;
  Expr init_value;
  Expr term;              // E in Out = Out + E
  std::vector<Axis> axes;
  int i = -1, j = -1, k = -1;  // positions in axes; i is -1 for a rank-1 output, k -1 when no
                               // reduction axis is read contiguously
};

// An elementwise nest over the reduction's output domain: `Z[v..] = f(Out[v..], other[..])`.
struct Epilogue {
  const Block* block = nullptr;
  const Store* store = nullptr;
  std::vector<VarPtr> axes;  // its iteration variables, by position in the output's indices
};

std::optional<Reduction> match_reduction(const For& outer);

// Whether no reduction loop encloses a spatial one (an output element is then done in one go).
bool spatial_axes_first(const Reduction& r);

// Whether register tiles pay off: a contiguous reduction axis k of at least two of the
// target's vectors, or of a length known only at run time.
bool worth_tiling(const Reduction& r, const schedule::Target& target);

// `nest` as an epilogue of r when every read of a buffer in `chain` (the reduction's output and
// the outputs of epilogues before it) is of the element being written, and its domain is the
// reduction's output domain.
std::optional<Epilogue> match_epilogue(const Stmt& nest, const Reduction& r, const std::set<const Buffer*>& chain);

// The buffers of a reduction's chain that live only where its outputs are computed (a tile, or
// one element): reads and writes of them go to a local copy at `at`; epilogue axes are renamed
// to the reduction's.
struct LocalChain {
  std::unordered_map<const Buffer*, BufferPtr> local;
  std::vector<Expr> at;
  SourceLoc loc;

  Expr localize(const Expr& e, const VarMap& renamed = {}) const;
  Stmt store(const BufferPtr& buffer, const std::vector<Expr>& indices, const Expr& value) const;
  // The epilogues as blocks over `axes` (the reduction's output axes, already bound).
  std::vector<Stmt> epilogue_blocks(const std::vector<Epilogue>& epilogues, const Reduction& r, const std::vector<IterVar>& axes,
                                    const std::string& suffix) const;
};

}  // namespace relaxc::tir

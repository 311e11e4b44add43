// The loop-and-block tree of a prim_func as schedule primitives see it: finding a block or a
// loop with the statements above it, and rebuilding the (immutable) tree with one statement
// replaced or removed, sharing every node off the path.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::schedule {

// A precondition of a primitive that does not hold; the message names the block or loop and
// the condition. The schedule-file reader gives it the position of the call.
class ScheduleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The module has no prim_func of the name a primitive was given.
class UnknownFunctionError : public ScheduleError {
 public:
  using ScheduleError::ScheduleError;
};

// The statements from `root` down to the first one `match` accepts, both included; empty when
// none matches. Walks with an explicit stack: trees may be deep.
std::vector<tir::Stmt> find_path(const tir::Stmt& root, const std::function<bool(const tir::StmtNode&)>& match);

// The direct children of a statement, and a copy of it with other children (same count).
std::vector<tir::Stmt> children_of(const tir::Stmt& stmt);
tir::Stmt with_children(const tir::Stmt& stmt, const std::vector<tir::Stmt>& children);

// `root` with the last statement of `path` (a path from root) replaced by `replacement`; a null
// replacement removes it, and then every loop left without a body, and every Seq left with one
// statement is that statement.
tir::Stmt replace_at(const std::vector<tir::Stmt>& path, const tir::Stmt& replacement);

// `stmt` with each block for which `rewrite` returns a statement replaced by it (inner blocks
// first; a replaced block's own children are not visited again).
tir::Stmt map_blocks(const tir::Stmt& stmt, const std::function<tir::Stmt(const tir::Block&)>& rewrite);

// The blocks directly under `stmt` (not inside another block), in order.
std::vector<const tir::Block*> child_blocks(const tir::Stmt& stmt);
// The loops above `path`'s last statement up to the block enclosing it (its scope), outermost
// first.
std::vector<const tir::For*> loops_on(const std::vector<tir::Stmt>& path);

}  // namespace relaxc::schedule

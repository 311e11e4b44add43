// Recognises a consumer that reads a reduction's output in non-overlapping windows of rows —
// max or average pooling after a convolution — so that the default schedule can compute the
// producer's rows inside the consumer's loops (compute_at in TVM's terms) and the producer's
// output never exists as a whole. FuseOps asks the same question before fusing the two, so
// that it only fuses what the schedule then computes row by row.
#pragma once

#include <optional>
#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/passes/tir/reduction_nest.h"

namespace relaxc::tir {

// A perfect nest whose block reads `input` (rank R + 2) only as
//     input[a_0, .., a_{R-1}, s * a_R + w, f]
// with a_0..a_R bound to the nest's outermost R + 1 loops in this order, w an axis of constant
// extent E <= s bound to an inner loop, and f any index that does not use a_0..a_R.
struct WindowConsumer {
  std::vector<const For*> loops;  // outermost first
  const Block* block = nullptr;
  size_t outer = 0;               // loops[0, outer) enclose one window row of the producer
  int64_t stride = 0;             // s
  int64_t window = 0;             // E: producer rows per consumer row
  Expr row_in_window;             // the row index minus s * a_R (w, as written)
  Expr column;                    // f
};

std::optional<WindowConsumer> match_window_consumer(const For& nest, const Buffer* input);

// The reduction and epilogue chain of a producer that the default schedule computes element by
// element (too short to tile), a row at a time, ending in the function's output buffer.
struct RowProducer {
  Reduction reduction;
  std::vector<Epilogue> epilogues;
};
std::optional<RowProducer> match_row_producer(const std::vector<Stmt>& parts, const Buffer* output, const schedule::Target& target);

// Whether `consumer`'s body starts with a window consumer of its parameter 0 (nothing after it
// reads that parameter) and `producer` is one row producer of its output: fusing them lets the
// schedule compute rows inside the windows.
bool computes_rows_in_windows(const PrimFunc& producer, const PrimFunc& consumer, const schedule::Target& target);

}  // namespace relaxc::tir

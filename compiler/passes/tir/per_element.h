// The default schedule for a reduction too short to tile (a 3x3 convolution) whose output
// feeds elementwise epilogues: each output element is summed in a local and its epilogues run
// right after it, so the chain's intermediates need no buffer of their own. When the output's
// last axis has a small constant extent and everything reads along it contiguously (a
// convolution's row), that axis becomes one vector: a row of outputs at once. With a window
// consumer of the chain's last buffer (pooling), the rows each window needs are computed inside
// the consumer's loops into a local block of rows, and the consumer reads them there.
#pragma once

#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/passes/tir/reduction_nest.h"
#include "compiler/passes/tir/window_consumer.h"

namespace relaxc::tir {

// `local`: the chain's buffers used nowhere else. Null when a reduction loop encloses a spatial
// one (an element is then not done in one go).
Stmt per_element(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local);

// The same, computed window by window inside `consumer`, whose reads of `windowed` (the chain's
// last buffer, in `local` with all of the chain) go to the local rows.
Stmt per_element_in_windows(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local,
                            const WindowConsumer& consumer, const Buffer* windowed);

}  // namespace relaxc::tir

// How a TensorIR buffer is written: T.match_buffer(x, shape, dtype, ...), T.alloc_buffer(shape,
// ...), a T.Buffer((shape), dtype) parameter or the pre-2023 T.Buffer[(shape), dtype], with the
// keywords TVM's printer adds (scope=, and the layout ones, which must describe the row-major
// buffers relaxc has).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/frontend/syntax.h"
#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/ir/tir.h"

namespace relaxc::frontend {

// The keywords a buffer declaration accepts.
extern const std::vector<std::string> kBufferKeywords;

// `T.Buffer((128,), "float32")`, or `T.Buffer[(128,), "float32"]`, as the arguments of a call;
// nullopt for any other annotation.
std::optional<CallSyntax> buffer_annotation(P::ExprContext* annotation);

// The buffer a declaration describes (`has_source`: T.match_buffer's first argument is the
// handle, not the shape); CompileError at the argument that is wrong.
tir::BufferPtr build_buffer(const std::string& name, const CallSyntax& call, SourceLoc loc, bool has_source, TirExprBuilder& exprs);

}  // namespace relaxc::frontend

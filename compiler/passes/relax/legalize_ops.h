// LegalizeOps: takes a checked module and replaces every high-level operator call (R.add,
// R.matmul, R.nn.conv2d, ... — tier 3 of LANGUAGE.md) by R.call_tir of a TensorIR kernel it
// adds to the module, as TVM's relax.transform.LegalizeOps does. Operator calls nested in
// other calls get bindings of their own (lv, lv1, ...). Identical kernels are shared.
// Guarantees: the result is a checked module with no operator calls left, except, with
// `reshape_as_view`, R.reshape(x, R.shape([...])) with the result's dimensions written out
// (R.flatten becomes one too), which the VM runs as a view of x's storage as TVM's
// RewriteDataflowReshape arranges; an operator or attribute value without a kernel is a
// CompileError at the call, never a wrong kernel.
#pragma once

#include "compiler/ir/module.h"

namespace relaxc {

struct LegalizeOptions {
  bool reshape_as_view = false;
};

Module legalize_ops(const Module& module, const LegalizeOptions& options = {});

}  // namespace relaxc

// fold_batch_norm: takes a checked module (before legalize) and folds each inference batch_norm
// of a convolution's output into the convolution, as every inference compiler does:
//     c = R.nn.conv2d(x, w, ...)                     (NCHW data, OIHW kernel, NCHW output)
//     t = R.nn.batch_norm(c, gamma, beta, mean, var, axis=1, epsilon=e)
//     y = t[0]
// becomes, with s = gamma / sqrt(var + e) per output channel,
//     f = cls.<w>_bn_folded(w, gamma, beta, mean, var)   -> (w * s[o], beta - mean * s)
//     c = R.nn.conv2d(x, f[0], ...)
//     y = R.add(c, f[1])                                 (the bias, shaped (1, O, 1, 1))
// <w>_bn_folded is a relaxc.weight_transform: the VM keeps its result for frozen weights (the
// .rx's constants, relaxrun's --params), so the fold runs once, at the first call; for tensors
// that may change it runs per call, which costs one pass over the weights. The convolution and
// the bias (with a relu or residual add after it) then fuse into one kernel, and the
// normalized tensor is never written.
// Requires: c used only by the batch_norm, t only through t[0] (the moving statistics it
// returns unused: batch_norm is inference-mode here, nn_norm.cc), float tensors.
// Guarantees: results are unchanged up to rounding (s is applied to the weights instead of
// to the sums); every other batch_norm is left as it is.
#pragma once

#include "compiler/ir/module.h"

namespace relaxc {

Module fold_batch_norm(const Module& module);

}  // namespace relaxc

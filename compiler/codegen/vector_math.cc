#include "compiler/codegen/vector_math.h"

#include <cmath>
#include <initializer_list>

#include <llvm/IR/Intrinsics.h>

namespace relaxc::codegen {

namespace {

llvm::Value* constant(llvm::Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

llvm::Value* call(llvm::IRBuilder<>& b, llvm::Intrinsic::ID id, std::initializer_list<llvm::Value*> args) {
  return b.CreateIntrinsic(id, {(*args.begin())->getType()}, args);
}

llvm::Value* fma(llvm::IRBuilder<>& b, llvm::Value* x, llvm::Value* y, llvm::Value* z) { return call(b, llvm::Intrinsic::fma, {x, y, z}); }

// c[0] * x^(n-1) + ... + c[n-1], by Horner's rule with fused multiply-adds.
llvm::Value* polynomial(llvm::IRBuilder<>& b, llvm::Value* x, std::initializer_list<double> c) {
  auto it = c.begin();
  llvm::Value* acc = constant(x, *it++);
  for (; it != c.end(); ++it) acc = fma(b, acc, x, constant(x, *it));
  return acc;
}

// 2^n for integer-valued float lanes n in [-150, 128], as two factors so that each stays a
// normal number: their product rounds once, to a subnormal or to infinity where exp does.
llvm::Value* scale_by_power_of_two(llvm::IRBuilder<>& b, llvm::Value* y, llvm::Value* n) {
  auto* type = llvm::cast<llvm::FixedVectorType>(n->getType());
  llvm::Type* ints = llvm::FixedVectorType::get(b.getInt32Ty(), type->getNumElements());
  llvm::Value* whole = b.CreateFPToSI(n, ints);
  llvm::Value* half = b.CreateAShr(whole, llvm::ConstantInt::get(ints, 1));
  llvm::Value* rest = b.CreateSub(whole, half);
  auto power = [&](llvm::Value* e) {
    llvm::Value* biased = b.CreateAdd(e, llvm::ConstantInt::get(ints, 127));
    return b.CreateBitCast(b.CreateShl(biased, llvm::ConstantInt::get(ints, 23)), type);
  };
  return b.CreateFMul(b.CreateFMul(y, power(half)), power(rest));
}

}  // namespace

bool float32_vector(const llvm::Value* x) {
  const auto* type = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
  return type && type->getElementType()->isFloatTy();
}

// exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2) / 2; exp(r) = 1 + r + r^2 P(r) with
// Cephes' minimax coefficients for expf; ln 2 in two parts so that r is exact.
llvm::Value* vector_exp(llvm::IRBuilder<>& b, llvm::Value* x) {
  // Beyond [-104, 89] the result is 0 or infinity whatever the fraction.
  llvm::Value* clamped = call(b, llvm::Intrinsic::minnum, {call(b, llvm::Intrinsic::maxnum, {x, constant(x, -104.0)}), constant(x, 89.0)});
  llvm::Value* n = call(b, llvm::Intrinsic::rint, {b.CreateFMul(clamped, constant(x, 1.44269504088896341))});
  llvm::Value* r = fma(b, n, constant(x, -0.693359375), clamped);
  r = fma(b, n, constant(x, 2.12194440e-4), r);
  llvm::Value* p = polynomial(b, r, {1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1});
  llvm::Value* y = b.CreateFAdd(fma(b, p, b.CreateFMul(r, r), r), constant(x, 1.0));
  llvm::Value* result = scale_by_power_of_two(b, y, n);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, result);  // maxnum and minnum drop NaN
}

// |x| < 0.5: x times erf's Taylor series to x^13 (the first term left out is below 2e-8 of
// erf(x)); beyond: 1 - t P(t) exp(-x^2), t = 1 / (1 + p|x|) (Abramowitz and Stegun 7.1.26,
// absolute error 1.5e-7, with exp's rounding at most 6e-7 of erf(x) there), with x's sign.
llvm::Value* vector_erf(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Value* ax = call(b, llvm::Intrinsic::fabs, {x});
  llvm::Value* x2 = b.CreateFMul(x, x);
  const double k = 2.0 / std::sqrt(M_PI);
  llvm::Value* series =
      b.CreateFMul(x, polynomial(b, x2, {k / (720.0 * 13), -k / (120.0 * 11), k / (24.0 * 9), -k / (6.0 * 7), k / (2.0 * 5), -k / 3.0, k}));
  llvm::Value* t = b.CreateFDiv(constant(x, 1.0), fma(b, ax, constant(x, 0.3275911), constant(x, 1.0)));
  llvm::Value* tail = b.CreateFMul(t, polynomial(b, t, {1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592}));
  llvm::Value* far = b.CreateFSub(constant(x, 1.0), b.CreateFMul(tail, vector_exp(b, b.CreateFNeg(x2))));
  llvm::Value* signed_far = call(b, llvm::Intrinsic::copysign, {far, x});
  return b.CreateSelect(b.CreateFCmpOLT(ax, constant(x, 0.5)), series, signed_far);
}

// |x| < 0.625: x + x^3 P(x^2) (Cephes' tanhf); beyond: 1 - 2 / (exp(2|x|) + 1), with x's sign.
llvm::Value* vector_tanh(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Value* ax = call(b, llvm::Intrinsic::fabs, {x});
  llvm::Value* x2 = b.CreateFMul(x, x);
  llvm::Value* p = polynomial(b, x2, {-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1});
  llvm::Value* near = fma(b, b.CreateFMul(ax, x2), p, ax);
  llvm::Value* e = vector_exp(b, b.CreateFAdd(ax, ax));
  llvm::Value* far = b.CreateFSub(constant(x, 1.0), b.CreateFDiv(constant(x, 2.0), b.CreateFAdd(e, constant(x, 1.0))));
  // tanh is odd: computed for |x|, given x's sign (-0 stays -0).
  return call(b, llvm::Intrinsic::copysign, {b.CreateSelect(b.CreateFCmpOLT(ax, constant(x, 0.625)), near, far), x});
}

}  // namespace relaxc::codegen

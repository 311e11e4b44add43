#include "compiler/frontend/tir_names.h"

#include <algorithm>

#include "compiler/ops/tir_intrinsics.h"

namespace relaxc::frontend {

const std::vector<std::string>& all_dtype_names() {
  static const std::vector<std::string> names = {"float16", "float32", "float64", "int8", "int16",
                                                 "int32",   "int64",   "uint8",   "bool"};
  return names;
}

namespace {
const std::vector<std::string> kStatements = {
    "T.match_buffer", "T.alloc_buffer", "T.grid",        "T.serial",     "T.parallel",     "T.vectorized",
    "T.unroll",       "T.thread_binding", "T.block",     "T.init",       "T.axis.remap",   "T.axis.spatial",
    "T.axis.reduce",  "T.axis.S",       "T.axis.R",      "T.where",      "T.reads",        "T.writes",
    "T.block_attr",   "T.func_attr",    "T.evaluate",    "T.prim_func",  "T.handle",       "T.Buffer",
};
// The math intrinsics come from ops::tir_intrinsics().
const std::vector<std::string> kValues = {
    "T.max",      "T.min",       "T.if_then_else", "T.Select",   "T.Cast",     "T.cast",      "T.floordiv",  "T.floormod",
    "T.truncdiv", "T.truncmod",  "T.min_value",   "T.max_value", "T.Add",      "T.Sub",       "T.Mul",       "T.Div",
    "T.Mod",      "T.FloorDiv",  "T.FloorMod",    "T.Min",       "T.Max",      "T.EQ",        "T.NE",        "T.LT",
    "T.LE",       "T.GT",        "T.GE",          "T.And",       "T.Or",
};
}  // namespace

const std::vector<std::string>& all_tir_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = kStatements;
    out.insert(out.end(), kValues.begin(), kValues.end());
    for (const ops::TirIntrinsic& intrinsic : ops::tir_intrinsics()) out.push_back(std::string("T.") + intrinsic.name);
    for (const std::string& dtype : all_dtype_names()) out.push_back("T." + dtype);
    return out;
  }();
  return names;
}

bool is_tir_statement_name(const std::string& name) {
  return std::find(kStatements.begin(), kStatements.end(), name) != kStatements.end();
}

}  // namespace relaxc::frontend

// TensorIR expressions, literals and attribute values as TVMScript, with Python's operator
// precedence deciding the parentheses.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ir/spelling.h"

namespace relaxc::printing {

using namespace relaxc::tir;

namespace {
thread_local Spelling current = Spelling::Chapter;
}  // namespace

Spelling spelling() { return current; }
SpellingScope::SpellingScope(Spelling s) : saved_(current) { current = s; }
SpellingScope::~SpellingScope() { current = saved_; }

std::string spelled(const std::string& chapter_name) {
  if (current != Spelling::Current) return chapter_name;
  std::string name = current_spelling_of(kRenamedNames, chapter_name);
  return name != chapter_name ? name : current_spelling_of(kRenamedKeywords, chapter_name);
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string format_float(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (std::isnan(value)) return "nan";
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // The shortest text that reads back as the same double.
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

namespace {

enum Precedence { kOr = 1, kAnd, kNot, kCompare, kAdd, kMul, kUnary, kAtom };

struct OpSpelling {
  const char* text;  // infix spelling, or nullptr for function-call form
  const char* call;
  int precedence;
};

OpSpelling spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return {"+", nullptr, kAdd};
    case BinaryOp::Sub: return {"-", nullptr, kAdd};
    case BinaryOp::Mul: return {"*", nullptr, kMul};
    case BinaryOp::Div: return {"/", nullptr, kMul};
    case BinaryOp::FloorDiv: return {"//", nullptr, kMul};
    case BinaryOp::FloorMod: return {"%", nullptr, kMul};
    case BinaryOp::Mod: return {nullptr, "T.truncmod", kAtom};
    case BinaryOp::Min: return {nullptr, "T.min", kAtom};
    case BinaryOp::Max: return {nullptr, "T.max", kAtom};
    case BinaryOp::EQ: return {"==", nullptr, kCompare};
    case BinaryOp::NE: return {"!=", nullptr, kCompare};
    case BinaryOp::LT: return {"<", nullptr, kCompare};
    case BinaryOp::LE: return {"<=", nullptr, kCompare};
    case BinaryOp::GT: return {">", nullptr, kCompare};
    case BinaryOp::GE: return {">=", nullptr, kCompare};
    case BinaryOp::And: return {"and", nullptr, kAnd};
    case BinaryOp::Or: return {"or", nullptr, kOr};
  }
  return {"?", nullptr, kAtom};
}

int precedence_of(const Expr& expr) {
  if (const auto* binary = expr->as<Binary>()) return spelling(binary->op).precedence;
  if (expr->as<Not>()) return kNot;
  if (const auto* integer = expr->as<IntImm>()) {
    if (integer->value < 0 && integer->dtype == DataType::Int32) return kUnary;
  }
  return kAtom;
}

std::string print_with_parens(const Expr& expr, bool parens) {
  std::string text = print_tir_expr(expr);
  return parens ? "(" + text + ")" : text;
}

std::string print_args(const std::vector<Expr>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += print_tir_expr(args[i]);
  }
  return out;
}

}  // namespace

std::string print_tir_expr(const Expr& expr) {
  switch (expr->kind) {
    case ExprKind::IntImm: {
      const auto* integer = expr->as<IntImm>();
      if (integer->dtype == DataType::Bool) return integer->value ? "True" : "False";
      if (integer->dtype == DataType::Int32) return std::to_string(integer->value);
      return std::string("T.") + dtype_name(integer->dtype) + "(" + std::to_string(integer->value) + ")";
    }
    case ExprKind::FloatImm: {
      const auto* number = expr->as<FloatImm>();
      std::string value = format_float(number->value);
      if (!std::isfinite(number->value)) value = quote(value);  // T.float32("inf"), as TVM prints it
      return std::string("T.") + dtype_name(number->dtype) + "(" + value + ")";
    }
    case ExprKind::StringImm: return quote(expr->as<StringImm>()->value);
    case ExprKind::VarRef: return expr->as<VarRef>()->var->name;
    case ExprKind::BufferRef: return expr->as<BufferRef>()->buffer->name;
    case ExprKind::Load: {
      const auto* load = expr->as<Load>();
      return load->buffer->name + "[" + (load->indices.empty() ? "()" : print_args(load->indices)) + "]";
    }
    case ExprKind::Binary: {
      const auto* binary = expr->as<Binary>();
      OpSpelling op = spelling(binary->op);
      if (op.call) return std::string(op.call) + "(" + print_tir_expr(binary->a) + ", " + print_tir_expr(binary->b) + ")";
      // Left-associative: the right operand needs parentheses at equal precedence too.
      bool left = precedence_of(binary->a) < op.precedence || (op.precedence == kCompare && precedence_of(binary->a) == kCompare);
      bool right = precedence_of(binary->b) <= op.precedence;
      return print_with_parens(binary->a, left) + " " + op.text + " " + print_with_parens(binary->b, right);
    }
    case ExprKind::Not: {
      const auto* negation = expr->as<Not>();
      return "not " + print_with_parens(negation->a, precedence_of(negation->a) < kNot);
    }
    case ExprKind::Cast: {
      const auto* cast = expr->as<Cast>();
      return std::string("T.Cast(\"") + dtype_name(cast->dtype) + "\", " + print_tir_expr(cast->value) + ")";
    }
    case ExprKind::Select: {
      const auto* select = expr->as<Select>();
      return "T.if_then_else(" + print_tir_expr(select->cond) + ", " + print_tir_expr(select->true_value) + ", " +
             print_tir_expr(select->false_value) + ")";
    }
    case ExprKind::Call: {
      const auto* call = expr->as<Call>();
      if (call->op == "min_value" || call->op == "max_value") {
        return "T." + call->op + "(\"" + dtype_name(call->dtype) + "\")";
      }
      return "T." + call->op + "(" + print_args(call->args) + ")";
    }
  }
  return "?";
}

namespace {

// A shape expression as Relax writes it: integers plain (n * 12, not n * T.int64(12)).
std::string relax_dim_text(const Expr& expr, int parent_precedence, bool right_side) {
  if (const auto* integer = expr->as<IntImm>()) return std::to_string(integer->value);
  if (const auto* ref = expr->as<VarRef>()) return ref->var->name;
  const auto* bin = expr->as<Binary>();
  const char* op = nullptr;
  int precedence = 0;
  if (bin) {
    switch (bin->op) {
      case BinaryOp::Add: op = " + "; precedence = 1; break;
      case BinaryOp::Sub: op = " - "; precedence = 1; break;
      case BinaryOp::Mul: op = " * "; precedence = 2; break;
      case BinaryOp::FloorDiv: op = " // "; precedence = 2; break;
      case BinaryOp::FloorMod: op = " % "; precedence = 2; break;
      default: break;
    }
  }
  if (bin && (bin->op == BinaryOp::Min || bin->op == BinaryOp::Max)) {
    // T.min(n, 3): what slicing a symbolic extent gives; the Relax dimension reader takes it.
    return std::string(bin->op == BinaryOp::Min ? "T.min(" : "T.max(") + relax_dim_text(bin->a, 0, false) + ", " + relax_dim_text(bin->b, 0, false) + ")";
  }
  if (!op) return print_tir_expr(expr);
  std::string text = relax_dim_text(bin->a, precedence, false) + op + relax_dim_text(bin->b, precedence, true);
  bool wrap = precedence < parent_precedence || (right_side && precedence == parent_precedence);
  return wrap ? "(" + text + ")" : text;
}

}  // namespace

std::string print_dim(const Expr& expr, bool quote_vars) {
  if (const auto* integer = expr->as<IntImm>()) return std::to_string(integer->value);
  std::string text = relax_dim_text(expr, 0, false);
  return quote_vars ? quote(text) : text;
}

std::string print_attr_value(const AttrValue& value) {
  if (!value.wrapper.empty()) {
    AttrValue inner = value;
    inner.wrapper.clear();
    return value.wrapper + "(" + print_attr_value(inner) + ")";
  }
  switch (value.kind) {
    case AttrValue::Kind::None: return "None";
    case AttrValue::Kind::Bool: return value.bool_value ? "T.bool(True)" : "T.bool(False)";
    case AttrValue::Kind::Int: return std::to_string(value.int_value);
    case AttrValue::Kind::Float: {
      std::string text = format_float(value.float_value);
      if (text.find_first_of(".eni") == std::string::npos) text += ".0";
      return text;
    }
    case AttrValue::Kind::String: return quote(value.string_value);
    case AttrValue::Kind::List: {
      std::string out = "[";
      for (size_t i = 0; i < value.items.size(); ++i) out += (i ? ", " : "") + print_attr_value(*value.items[i]);
      return out + "]";
    }
    case AttrValue::Kind::Dict: return print_attr_dict(value.entries);
  }
  return "None";
}

std::string print_attr_dict(const AttrDict& dict) {
  std::string out = "{";
  for (size_t i = 0; i < dict.size(); ++i) {
    out += (i ? ", " : "") + quote(dict[i].first) + ": " + print_attr_value(*dict[i].second);
  }
  return out + "}";
}

}  // namespace relaxc::printing

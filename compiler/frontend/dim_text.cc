#include "compiler/frontend/dim_text.h"

#include <cctype>

#include "compiler/frontend/indent_token_source.h"

namespace relaxc::frontend {
namespace {

class DimParser {
 public:
  DimParser(const std::string& text, SourceLoc loc, const std::function<tir::Expr(const std::string&)>& name_ref)
      : text_(text), loc_(loc), name_ref_(name_ref) {}

  tir::Expr parse() {
    tir::Expr dim = sum();
    skip();
    if (pos_ != text_.size()) bad(std::string("unexpected '") + text_[pos_] + "'");
    return dim;
  }

 private:
  [[noreturn]] void bad(const std::string& why) const {
    throw CompileError(loc_, "cannot read the dimension \"" + text_ + "\": " + why +
                                 "; write a name such as \"n\" or an expression such as \"n * 4\"");
  }
  void skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool eat(const char* token) {
    skip();
    size_t n = std::char_traits<char>::length(token);
    if (text_.compare(pos_, n, token) != 0) return false;
    pos_ += n;
    return true;
  }
  void expect(const char* token, const char* why) {
    if (!eat(token)) bad(why);
  }
  tir::Expr binary(tir::BinaryOp op, tir::Expr a, tir::Expr b) const {
    return std::make_shared<tir::Binary>(op, std::move(a), std::move(b), DataType::Int64, loc_);
  }

  tir::Expr sum() {
    tir::Expr left = product();
    while (true) {
      skip();
      if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return left;
      tir::BinaryOp op = text_[pos_++] == '+' ? tir::BinaryOp::Add : tir::BinaryOp::Sub;
      left = binary(op, left, product());
    }
  }

  tir::Expr product() {
    tir::Expr left = unary();
    while (true) {
      if (eat("//")) left = binary(tir::BinaryOp::FloorDiv, left, unary());
      else if (eat("*")) left = binary(tir::BinaryOp::Mul, left, unary());
      else if (eat("%")) left = binary(tir::BinaryOp::FloorMod, left, unary());
      else return left;
    }
  }

  tir::Expr unary() {
    if (!eat("-")) return atom();
    if (++depth_ > kMaxBracketDepth) bad("it nests too deeply");
    tir::Expr value = unary();
    --depth_;
    if (const auto* imm = value->as<tir::IntImm>()) return std::make_shared<tir::IntImm>(-imm->value, DataType::Int64, loc_);
    return binary(tir::BinaryOp::Sub, std::make_shared<tir::IntImm>(0, DataType::Int64, loc_), value);
  }

  tir::Expr nested() {
    if (++depth_ > kMaxBracketDepth) bad("it nests too deeply");
    tir::Expr inner = sum();
    --depth_;
    return inner;
  }

  tir::Expr atom() {
    skip();
    if (pos_ >= text_.size()) bad("it ends too early");
    if (eat("(")) {
      tir::Expr inner = nested();
      expect(")", "a '(' is not closed");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(text_[pos_]))) return integer();
    for (const char* typed : {"T.int64(", "T.int32("}) {
      if (eat(typed)) {  // T.int64(2), as the current printer writes a constant in a TensorIR shape
        skip();
        if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) bad(std::string(typed) + "...) takes an integer");
        tir::Expr value = integer();
        expect(")", "a '(' is not closed");
        return value;
      }
    }
    for (auto [spelling, op] : {std::pair{"T.min(", tir::BinaryOp::Min}, std::pair{"T.max(", tir::BinaryOp::Max}}) {
      if (!eat(spelling)) continue;
      tir::Expr a = nested();
      expect(",", "T.min/T.max take two arguments");
      tir::Expr b = nested();
      expect(")", "a '(' is not closed");
      return binary(op, a, b);
    }
    if (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_') {
      size_t end = pos_;
      while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) ++end;
      std::string name = text_.substr(pos_, end - pos_);
      pos_ = end;
      return name_ref_(name);
    }
    bad(std::string("unexpected '") + text_[pos_] + "'");
  }

  tir::Expr integer() {
    size_t end = pos_;
    while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
    if (end - pos_ > 18) bad("a number is too large");
    int64_t value = std::stoll(text_.substr(pos_, end - pos_));
    pos_ = end;
    return std::make_shared<tir::IntImm>(value, DataType::Int64, loc_);
  }

  const std::string& text_;
  SourceLoc loc_;
  const std::function<tir::Expr(const std::string&)>& name_ref_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

tir::Expr parse_dim_text(const std::string& text, SourceLoc loc, const std::function<tir::Expr(const std::string&)>& name_ref) {
  return DimParser(text, loc, name_ref).parse();
}

}  // namespace relaxc::frontend

#include "compiler/frontend/statement_source.h"

#include "compiler/frontend/build_prim_func.h"

namespace relaxc::frontend {

TreeStatements::TreeStatements(P::BlockContext* block) : items_(statements_of(block)) {}

antlr4::ParserRuleContext* TreeStatements::next() { return next_ < items_.size() ? items_[next_++] : nullptr; }

std::unique_ptr<StatementSource> TreeStatements::block_of(P::BlockContext* block) {
  return std::make_unique<TreeStatements>(block);
}

std::vector<antlr4::ParserRuleContext*> items_of(P::FileContext* file) {
  std::vector<antlr4::ParserRuleContext*> items;
  for (P::StatementContext* stmt : file->statement()) {
    if (P::SimpleStatementsContext* simple = stmt->simpleStatements()) {
      for (P::SimpleStatementContext* s : simple->simpleStatement()) items.push_back(s);
    } else {
      items.push_back(stmt->compoundStatement());
    }
  }
  return items;
}

antlr4::ParserRuleContext* ReadStatements::next() {
  while (next_ == items_.size()) {
    current_ = reader_.next();  // drops the tree of the statement before
    if (!current_) return nullptr;
    auto* file = dynamic_cast<P::FileContext*>(current_->parsed.tree());
    if (file == nullptr) throw CompileError({}, "internal error: a statement read is not a file");
    items_ = items_of(file);
    next_ = 0;
  }
  return items_[next_++];
}

std::unique_ptr<StatementSource> ReadStatements::block_of(P::BlockContext* block) {
  // An opened statement's tree has the body `pass`: its real block is what the reader reads
  // next, until that block closes. The caller reads it before asking this source for more.
  if (current_ && current_->opened && next_ == items_.size()) {
    return std::unique_ptr<StatementSource>(new ReadStatements(reader_, kept_));
  }
  return std::make_unique<TreeStatements>(block);
}

void ReadStatements::keep_current() {
  // Moving the ParsedFile moves only its handle: the items already returned stay valid.
  if (current_) kept_->push_back(std::move(current_->parsed));
}

}  // namespace relaxc::frontend

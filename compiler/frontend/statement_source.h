// The statements of a block as the builders take them, one at a time: from a parse tree, or
// from a StatementReader that parses each as it is asked for (so that a Relax function of
// 100,000 bindings is never one parse tree). An item is a simple statement or a compound one.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "compiler/frontend/statement_reader.h"
#include "compiler/frontend/syntax.h"

namespace relaxc::frontend {

class StatementSource {
 public:
  virtual ~StatementSource() = default;
  // The next item, valid until the next call; null at the end of the block.
  virtual antlr4::ParserRuleContext* next() = 0;
  // The items of the block of the compound statement next() just returned, whose tree has it
  // as `block`.
  virtual std::unique_ptr<StatementSource> block_of(P::BlockContext* block) = 0;
  // Keeps the tree of the item next() just returned for as long as the source that made this
  // one lives: the builder holds on to part of it (`x = I.meta_var(e)` keeps e).
  virtual void keep_current() {}
};

// The items of a block of a parse tree.
class TreeStatements : public StatementSource {
 public:
  explicit TreeStatements(P::BlockContext* block);
  antlr4::ParserRuleContext* next() override;
  std::unique_ptr<StatementSource> block_of(P::BlockContext* block) override;

 private:
  std::vector<antlr4::ParserRuleContext*> items_;
  size_t next_ = 0;
};

// The items of the block a StatementReader has open, parsed a statement at a time.
class ReadStatements : public StatementSource {
 public:
  explicit ReadStatements(StatementReader& reader)
      : reader_(reader), kept_(std::make_shared<std::vector<ParsedFile>>()) {}
  antlr4::ParserRuleContext* next() override;
  std::unique_ptr<StatementSource> block_of(P::BlockContext* block) override;
  void keep_current() override;

 private:
  ReadStatements(StatementReader& reader, std::shared_ptr<std::vector<ParsedFile>> kept)
      : reader_(reader), kept_(std::move(kept)) {}

  StatementReader& reader_;
  std::shared_ptr<std::vector<ParsedFile>> kept_;  // shared with the sources of inner blocks
  std::optional<ReadStatement> current_;  // the statement whose items next() returns
  std::vector<antlr4::ParserRuleContext*> items_;
  size_t next_ = 0;
};

// The items of a `file` context: its simple statements and compound statements, in order.
std::vector<antlr4::ParserRuleContext*> items_of(P::FileContext* file);

}  // namespace relaxc::frontend

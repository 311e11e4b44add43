#include "compiler/schedule/schedule_tree.h"

#include <memory>

namespace relaxc::schedule {

using namespace relaxc::tir;

std::vector<Stmt> children_of(const Stmt& stmt) {
  if (!stmt) return {};
  switch (stmt->kind) {
    case StmtKind::For: return {stmt->as<For>()->body};
    case StmtKind::Block: {
      const auto* block = stmt->as<Block>();
      std::vector<Stmt> out;
      if (block->init) out.push_back(block->init);
      out.push_back(block->body);
      return out;
    }
    case StmtKind::Seq: return stmt->as<Seq>()->stmts;
    case StmtKind::If: {
      const auto* branch = stmt->as<If>();
      std::vector<Stmt> out = {branch->then_case};
      if (branch->else_case) out.push_back(branch->else_case);
      return out;
    }
    case StmtKind::Let: return {stmt->as<Let>()->body};
    default: return {};
  }
}

Stmt with_children(const Stmt& stmt, const std::vector<Stmt>& children) {
  switch (stmt->kind) {
    case StmtKind::For: {
      auto copy = std::make_shared<For>(*stmt->as<For>());
      copy->body = children.at(0);
      return copy;
    }
    case StmtKind::Block: {
      auto copy = std::make_shared<Block>(*stmt->as<Block>());
      if (copy->init) copy->init = children.at(0);
      copy->body = children.back();
      return copy;
    }
    case StmtKind::Seq: return std::make_shared<Seq>(children, stmt->loc);
    case StmtKind::If: {
      const auto* branch = stmt->as<If>();
      return std::make_shared<If>(branch->cond, children.at(0), children.size() > 1 ? children[1] : nullptr, stmt->loc);
    }
    case StmtKind::Let: {
      auto copy = std::make_shared<Let>(*stmt->as<Let>());
      copy->body = children.at(0);
      return copy;
    }
    default: return stmt;
  }
}

std::vector<Stmt> find_path(const Stmt& root, const std::function<bool(const StmtNode&)>& match) {
  // Depth-first with an explicit stack of (statement, next child index).
  std::vector<std::pair<Stmt, size_t>> stack;
  if (!root) return {};
  stack.push_back({root, 0});
  if (match(*root)) return {root};
  while (!stack.empty()) {
    auto& [stmt, next] = stack.back();
    std::vector<Stmt> kids = children_of(stmt);
    if (next >= kids.size()) {
      stack.pop_back();
      continue;
    }
    Stmt child = kids[next++];
    if (!child) continue;
    stack.push_back({child, 0});
    if (match(*child)) {
      std::vector<Stmt> path;
      for (const auto& entry : stack) path.push_back(entry.first);
      return path;
    }
  }
  return {};
}

Stmt replace_at(const std::vector<Stmt>& path, const Stmt& replacement) {
  Stmt current = replacement;
  for (size_t i = path.size() - 1; i-- > 0;) {
    const Stmt& parent = path[i];
    std::vector<Stmt> kids = children_of(parent);
    std::vector<Stmt> updated;
    bool spliced = false;
    for (const Stmt& kid : kids) {
      if (kid != path[i + 1]) {
        updated.push_back(kid);
      } else if (current && current->kind == StmtKind::Seq && parent->kind == StmtKind::Seq) {
        // A sequence replacing a member of a sequence joins it, rather than nesting.
        for (const Stmt& s : current->as<Seq>()->stmts) updated.push_back(s);
        spliced = true;
      } else if (current) {
        updated.push_back(current);
      }
    }
    if (updated.size() == kids.size() || spliced) {
      current = with_children(parent, updated);
      continue;
    }
    // A statement was removed from `parent`.
    if (parent->kind == StmtKind::Seq && !updated.empty()) {
      current = updated.size() == 1 ? updated[0] : with_children(parent, updated);
    } else if (parent->kind == StmtKind::Block) {
      // A block keeps a body: an empty one is a no-op evaluate.
      updated.push_back(std::make_shared<Evaluate>(std::make_shared<IntImm>(0, DataType::Int32, parent->loc), parent->loc));
      current = with_children(parent, updated);
    } else {
      current = nullptr;  // a loop, branch or let with nothing left in it goes too
    }
  }
  return current;
}

Stmt map_blocks(const Stmt& stmt, const std::function<Stmt(const Block&)>& rewrite) {
  if (!stmt) return stmt;
  std::vector<Stmt> kids = children_of(stmt);
  bool changed = false;
  for (Stmt& kid : kids) {
    Stmt updated = map_blocks(kid, rewrite);
    changed = changed || updated != kid;
    kid = updated;
  }
  Stmt current = changed ? with_children(stmt, kids) : stmt;
  if (const auto* block = current->as<Block>()) {
    if (Stmt replaced = rewrite(*block)) return replaced;
  }
  return current;
}

std::vector<const Block*> child_blocks(const Stmt& stmt) {
  std::vector<const Block*> out;
  std::vector<Stmt> stack = {stmt};
  while (!stack.empty()) {
    Stmt s = stack.back();
    stack.pop_back();
    if (!s) continue;
    if (const auto* block = s->as<Block>(); block && s != stmt) {
      out.push_back(block);
      continue;
    }
    std::vector<Stmt> kids = children_of(s);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

std::vector<const For*> loops_on(const std::vector<Stmt>& path) {
  std::vector<const For*> loops;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (const auto* loop = path[i]->as<For>()) loops.push_back(loop);
    if (path[i]->kind == StmtKind::Block) loops.clear();  // the loops of the enclosing scope only
  }
  return loops;
}

}  // namespace relaxc::schedule

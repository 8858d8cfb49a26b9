// Design note: the expression is tokenized, parsed into a small tree (recursive descent, one
// function per precedence level of the grammar in docs/selection.md) and only then evaluated, so
// that a syntax error anywhere is reported before an unknown name earlier in the expression.
// Sets of assets are byte masks indexed by NodeId: every operator is then one linear pass, and
// the result comes out in topological order by walking AssetGraph::topological_order() once.
// Rejected: evaluating while parsing (reports "unknown asset" for input that does not even
// parse) and sorted id vectors (set operations need merges, `not` needs the complement anyway).

#include "graph/selection.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>

#include "cairn/error.hpp"
#include "core/suggest.hpp"

namespace cairn {

namespace {

using Mask = std::vector<char>;

/// Traversal depth of '*': every layer.
constexpr int kUnlimited = -1;
/// Parentheses and 'not' recurse; a hostile expression must not overflow the stack.
constexpr std::size_t kMaxNesting = 200;
/// Longer lists of names in messages are cut, so that a typo in a big graph stays readable.
constexpr std::size_t kMaxListed = 20;

/// A range of bytes of the expression: what the caret line underlines.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

enum class TokenKind { kWord, kOr, kAnd, kNot, kComma, kOpen, kClose, kEnd };

struct Token {
  TokenKind kind;
  Span span;
};

enum class AtomKind { kKey, kGroup, kTag };

/// `up? atom down?` of the grammar.
struct Term {
  AtomKind atom = AtomKind::kKey;
  std::string_view name;  ///< the key, the group or the tag key
  std::optional<std::string_view> tag_value;
  Span span;     ///< the atom without traversal marks
  int up = 0;    ///< layers of upstream to add, or kUnlimited
  int down = 0;  ///< layers of downstream to add, or kUnlimited
};

enum class ExprKind { kAll, kTerm, kNot, kAnd, kOr };

/// A parsed expression. `and` and `or` are n-ary so that a long list of terms does not make a
/// deep tree.
struct Expr {
  ExprKind kind = ExprKind::kAll;
  Term term;
  std::vector<Expr> operands;
};

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

[[noreturn]] void fail(std::string_view expression, Span span, const std::string& problem) {
  std::string text = "invalid selection: " + problem + "\n  ";
  for (char c : expression) text += (c == '\n' || c == '\r') ? ' ' : c;
  text += "\n  ";
  // Tabs are copied and multi-byte characters count once, so the carets line up on a terminal.
  for (std::size_t i = 0; i < span.begin && i < expression.size(); ++i) {
    if (!is_utf8_continuation(expression[i])) text += expression[i] == '\t' ? '\t' : ' ';
  }
  std::size_t width = 0;
  for (std::size_t i = span.begin; i < span.end && i < expression.size(); ++i) {
    if (!is_utf8_continuation(expression[i])) ++width;
  }
  text.append(std::max<std::size_t>(width, 1), '^');
  throw SelectionError(text);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    if (i > 0) text += ", ";
    text += "'" + names[i] + "'";
  }
  if (names.size() > kMaxListed) {
    text += " and " + std::to_string(names.size() - kMaxListed) + " more";
  }
  return text;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::vector<Token> tokenize(std::string_view e) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (true) {
    while (i < e.size() && is_space(e[i])) ++i;
    if (i == e.size()) break;
    TokenKind single = e[i] == '('   ? TokenKind::kOpen
                       : e[i] == ')' ? TokenKind::kClose
                       : e[i] == ',' ? TokenKind::kComma
                                     : TokenKind::kWord;
    if (single != TokenKind::kWord) {
      tokens.push_back({single, {i, i + 1}});
      ++i;
      continue;
    }
    std::size_t begin = i;
    while (i < e.size() && !is_space(e[i]) && e[i] != '(' && e[i] != ')' && e[i] != ',') ++i;
    std::string_view word = e.substr(begin, i - begin);
    TokenKind kind = word == "or"    ? TokenKind::kOr
                     : word == "and" ? TokenKind::kAnd
                     : word == "not" ? TokenKind::kNot
                                     : TokenKind::kWord;
    tokens.push_back({kind, {begin, i}});
  }
  tokens.push_back({TokenKind::kEnd, {e.size(), e.size()}});
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::string_view expression) : e_(expression), tokens_(tokenize(expression)) {}

  Expr parse() {
    if (peek().kind == TokenKind::kEnd) {
      fail(e_, {0, 0},
           "empty selection; write an asset key, group:NAME, tag:KEY=VALUE or '*' (see "
           "docs/selection.md)");
    }
    Expr expr = parse_or(0);
    const Token& next = peek();
    if (next.kind == TokenKind::kClose) {
      fail(e_, next.span, "unbalanced parentheses: this ')' has no matching '('");
    }
    if (next.kind != TokenKind::kEnd) missing_operator(next);
    return expr;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  std::string_view text(const Token& t) const {
    return e_.substr(t.span.begin, t.span.end - t.span.begin);
  }

  Expr parse_or(std::size_t depth) {
    auto is_or = [](const Token& t) {
      return t.kind == TokenKind::kOr || t.kind == TokenKind::kComma;
    };
    Expr first = parse_and(depth);
    if (!is_or(peek())) return first;
    Expr node{ExprKind::kOr, {}, {}};
    node.operands.push_back(std::move(first));
    while (is_or(peek())) {
      ++pos_;
      node.operands.push_back(parse_and(depth));
    }
    return node;
  }

  Expr parse_and(std::size_t depth) {
    Expr first = parse_not(depth);
    if (peek().kind != TokenKind::kAnd) return first;
    Expr node{ExprKind::kAnd, {}, {}};
    node.operands.push_back(std::move(first));
    while (peek().kind == TokenKind::kAnd) {
      ++pos_;
      node.operands.push_back(parse_not(depth));
    }
    return node;
  }

  Expr parse_not(std::size_t depth) {
    if (peek().kind != TokenKind::kNot) return parse_primary(depth);
    check_depth(depth);
    ++pos_;
    Expr node{ExprKind::kNot, {}, {}};
    node.operands.push_back(parse_not(depth + 1));
    return node;
  }

  Expr parse_primary(std::size_t depth) {
    const Token& t = peek();
    if (t.kind == TokenKind::kWord) {
      ++pos_;
      return parse_word(t.span);
    }
    if (t.kind != TokenKind::kOpen) missing_term(t);
    check_depth(depth);
    ++pos_;
    Expr inner = parse_or(depth + 1);
    const Token& next = peek();
    if (next.kind == TokenKind::kEnd) {
      fail(e_, t.span, "unbalanced parentheses: this '(' is never closed; add a ')'");
    }
    if (next.kind != TokenKind::kClose) missing_operator(next);
    ++pos_;
    return inner;
  }

  void check_depth(std::size_t depth) const {
    if (depth >= kMaxNesting) {
      fail(e_, peek().span,
           "selection is nested too deeply (more than " + std::to_string(kMaxNesting) +
               " levels of parentheses and 'not')");
    }
  }

  /// A term was expected at `t`, which is an operator, ')' or the end.
  [[noreturn]] void missing_term(const Token& t) const {
    if (pos_ == 0) {
      if (t.kind == TokenKind::kClose) {
        fail(e_, t.span, "unbalanced parentheses: this ')' has no matching '('");
      }
      fail(e_, t.span, "expected a term before '" + std::string(text(t)) + "'");
    }
    const Token& prev = tokens_[pos_ - 1];
    if (t.kind == TokenKind::kClose && prev.kind == TokenKind::kOpen) {
      fail(e_, {prev.span.begin, t.span.end}, "empty parentheses; put a selection inside them");
    }
    if (t.kind == TokenKind::kEnd) {
      fail(e_, prev.span, "expected a term after '" + std::string(text(prev)) + "'");
    }
    fail(e_, t.span,
         "expected a term after '" + std::string(text(prev)) + "', found '" + std::string(text(t)) +
             "'");
  }

  /// Two operands follow each other with no operator between them; `t` starts the second.
  [[noreturn]] void missing_operator(const Token& t) const {
    std::string problem = "expected 'or', ',' or 'and' between terms";
    if (t.kind == TokenKind::kNot) problem += " (did you mean 'and not'?)";
    if (t.kind == TokenKind::kWord) {
      std::string lower(text(t));
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "or" || lower == "and" || lower == "not") {
        problem += "; operators are written in lowercase: '" + lower + "'";
      }
    }
    fail(e_, t.span, problem);
  }

  Expr parse_word(Span span) const {
    std::string_view word = e_.substr(span.begin, span.end - span.begin);
    if (word == "*") return Expr{ExprKind::kAll, {}, {}};
    Term term;
    std::size_t begin = span.begin;
    std::size_t end = span.end;
    if (e_[begin] == '*') {
      term.up = kUnlimited;
      ++begin;
    } else {
      for (; begin < end && e_[begin] == '+'; ++begin) ++term.up;
    }
    if (end > begin && e_[end - 1] == '*') {
      term.down = kUnlimited;
      --end;
    } else {
      for (; end > begin && e_[end - 1] == '+'; --end) ++term.down;
    }
    if (begin == end) {
      fail(e_, span,
           "expected an asset key, group:NAME or tag:KEY=VALUE in '" + std::string(word) + "'");
    }
    std::string_view atom = e_.substr(begin, end - begin);
    term.span = {begin, end};
    if (atom.starts_with("group:")) {
      term.atom = AtomKind::kGroup;
      term.name = atom.substr(6);
      if (term.name.empty()) fail(e_, term.span, "expected a group name after 'group:'");
    } else if (atom.starts_with("tag:")) {
      term.atom = AtomKind::kTag;
      std::string_view rest = atom.substr(4);
      std::size_t equals = rest.find('=');
      term.name = rest.substr(0, equals);
      if (equals != std::string_view::npos) term.tag_value = rest.substr(equals + 1);
      if (term.name.empty()) {
        fail(e_, term.span, "expected a tag key after 'tag:', as in tag:KEY=VALUE or tag:KEY");
      }
    } else {
      check_key(atom, begin);
      term.name = atom;
    }
    return Expr{ExprKind::kTerm, term, {}};
  }

  /// `key` starts at byte `offset` of the expression.
  void check_key(std::string_view key, std::size_t offset) const {
    const std::string rule =
        "; keys are segments of letters, digits, '_' and '-' joined by '/', e.g. credit/raw_loans";
    std::size_t colon = key.find(':');
    if (colon != std::string_view::npos) {
      std::string prefix(key.substr(0, colon + 1));
      fail(e_, {offset, offset + colon + 1},
           "unknown prefix '" + prefix + "'; write group:NAME or tag:KEY=VALUE" +
               did_you_mean(prefix, {"group:", "tag:"}));
    }
    bool segment_empty = true;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (key[i] == '/') {
        if (segment_empty || i + 1 == key.size()) {
          fail(e_, {offset + i, offset + i + 1},
               "empty segment in asset key '" + std::string(key) + "'" + rule);
        }
        segment_empty = true;
      } else if (is_key_char(key[i])) {
        segment_empty = false;
      } else {
        std::size_t length = 1;
        while (i + length < key.size() && is_utf8_continuation(key[i + length])) ++length;
        fail(e_, {offset + i, offset + i + length},
             "character '" + std::string(key.substr(i, length)) +
                 "' is not allowed in asset key '" + std::string(key) + "'" + rule);
      }
    }
  }

  std::string_view e_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

class Evaluator {
 public:
  Evaluator(const AssetGraph& graph, std::string_view expression) : graph_(graph), e_(expression) {}

  Mask eval(const Expr& expr) const {
    const std::size_t n = graph_.size();
    switch (expr.kind) {
      case ExprKind::kAll:
        return Mask(n, 1);
      case ExprKind::kTerm:
        return eval_term(expr.term);
      case ExprKind::kNot: {
        Mask mask = eval(expr.operands.front());
        for (char& selected : mask) selected = !selected;
        return mask;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        Mask mask = eval(expr.operands.front());
        for (std::size_t i = 1; i < expr.operands.size(); ++i) {
          Mask other = eval(expr.operands[i]);
          for (std::size_t id = 0; id < n; ++id) {
            mask[id] =
                expr.kind == ExprKind::kAnd ? (mask[id] && other[id]) : (mask[id] || other[id]);
          }
        }
        return mask;
      }
    }
    return {};
  }

 private:
  Mask eval_term(const Term& term) const {
    std::vector<NodeId> seeds = atom(term);
    Mask mask(graph_.size(), 0);
    for (NodeId id : seeds) mask[id] = 1;
    if (term.up != 0) expand(seeds, term.up, /*upward=*/true, mask);
    if (term.down != 0) expand(seeds, term.down, /*upward=*/false, mask);
    return mask;
  }

  /// Adds to `selected` up to `layers` layers of up- or downstream of `frontier`. Visits are
  /// tracked apart from `selected`: an asset already selected by the other direction (a group's
  /// members can be upstream of each other) must still be traversed through.
  void expand(std::vector<NodeId> frontier, int layers, bool upward, Mask& selected) const {
    Mask visited(graph_.size(), 0);
    for (NodeId id : frontier) visited[id] = 1;
    std::vector<NodeId> next;
    for (int layer = 0; (layers == kUnlimited || layer < layers) && !frontier.empty(); ++layer) {
      next.clear();
      for (NodeId id : frontier) {
        for (NodeId other : upward ? graph_.upstream(id) : graph_.downstream(id)) {
          if (visited[other]) continue;
          visited[other] = 1;
          selected[other] = 1;
          next.push_back(other);
        }
      }
      frontier.swap(next);
    }
  }

  std::vector<NodeId> atom(const Term& term) const {
    const std::string name(term.name);
    std::vector<NodeId> ids;
    switch (term.atom) {
      case AtomKind::kKey:
        if (auto id = graph_.find(term.name)) return {*id};
        fail(e_, term.span, "unknown asset '" + name + "'" + did_you_mean(name, graph_.keys()));
      case AtomKind::kGroup:
        for (NodeId id = 0; id < graph_.size(); ++id) {
          if (graph_.definition(id).group == term.name) ids.push_back(id);
        }
        if (ids.empty()) {
          auto groups = graph_.groups();
          fail(e_, term.span,
               "unknown group '" + name + "'" + did_you_mean(name, groups) + "; the groups are " +
                   quoted_list(groups));
        }
        return ids;
      case AtomKind::kTag:
        for (NodeId id = 0; id < graph_.size(); ++id) {
          const auto& tags = graph_.definition(id).tags;
          auto it = tags.find(name);
          if (it != tags.end() && (!term.tag_value || it->second == *term.tag_value)) {
            ids.push_back(id);
          }
        }
        if (ids.empty()) unknown_tag(term);
        return ids;
    }
    return ids;
  }

  [[noreturn]] void unknown_tag(const Term& term) const {
    const std::string key(term.name);
    std::set<std::string> keys;
    std::set<std::string> values;
    for (NodeId id = 0; id < graph_.size(); ++id) {
      for (const auto& [k, v] : graph_.definition(id).tags) {
        keys.insert(k);
        if (k == key) values.insert(v);
      }
    }
    if (!values.empty()) {
      const std::string value(*term.tag_value);
      std::vector<std::string> known(values.begin(), values.end());
      fail(e_, term.span,
           "no asset has tag '" + key + "=" + value + "'" + did_you_mean(value, known) +
               "; the values of tag '" + key + "' are " + quoted_list(known));
    }
    std::vector<std::string> known(keys.begin(), keys.end());
    fail(e_, term.span,
         "no asset has a tag '" + key + "'" + did_you_mean(key, known) +
             (known.empty() ? "; no asset has any tag"
                            : "; the tags in use are " + quoted_list(known)));
  }

  const AssetGraph& graph_;
  std::string_view e_;
};

}  // namespace

std::vector<NodeId> resolve_selection(const AssetGraph& graph, std::string_view expression) {
  Expr expr = Parser(expression).parse();
  Mask mask = Evaluator(graph, expression).eval(expr);
  std::vector<NodeId> selected;
  for (NodeId id : graph.topological_order()) {
    if (mask[id]) selected.push_back(id);
  }
  return selected;
}

}  // namespace cairn

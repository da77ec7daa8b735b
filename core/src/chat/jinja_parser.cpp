// Recursive descent over the lexer's tokens, following Jinja2's grammar and operator precedence
// (or < and < not < comparisons < + - < ~ < * / // % < ** < unary < filters, tests, calls, postfix).
#include <set>

#include "jinja_ast.h"
#include "jinja_builtins.h"
#include "jinja_lexer.h"
#include "rw/core/util/error.h"

namespace rw::core::detail::jinja {
namespace {

// Jinja2 tags outside the subset; refused by name rather than reported as unknown.
const std::set<std::string, std::less<>> kRefusedTags = {
    "macro", "endmacro", "call",  "endcall", "include", "extends",    "import",  "from",  "block",  "endblock",
    "filter", "endfilter", "with", "endwith", "do",     "autoescape", "endautoescape", "trans", "endtrans"};

struct OpenBlock {
  std::string tag;  // "for", "if", ...
  int line;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& origin) : tokens_(std::move(tokens)), origin_(origin) {}

  std::vector<StmtPtr> parse() {
    std::vector<StmtPtr> body;
    parse_body(body, {});
    return body;
  }

 private:
  [[noreturn]] void error(int line, const std::string& what) const { fail("{}:{}: {}", origin_, line, what); }
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool at_op(std::string_view op, size_t ahead = 0) const {
    return peek(ahead).type == TokenType::Operator && peek(ahead).text == op;
  }
  bool at_name(std::string_view name, size_t ahead = 0) const {
    return peek(ahead).type == TokenType::Name && peek(ahead).text == name;
  }
  std::string describe(const Token& t) const {
    switch (t.type) {
      case TokenType::End: return "the end of the template";
      case TokenType::VarEnd: return "'}}'";
      case TokenType::BlockEnd: return "'%}'";
      case TokenType::String: return "a string";
      default: return "'" + t.text + "'";
    }
  }
  void expect_op(std::string_view op) {
    if (!at_op(op)) error(peek().line, fmt::format("expected '{}', found {}", op, describe(peek())));
    next();
  }
  std::string expect_name(std::string_view what) {
    if (peek().type != TokenType::Name) error(peek().line, fmt::format("expected {}, found {}", what, describe(peek())));
    return next().text;
  }
  void expect_block_end(std::string_view tag) {
    if (peek().type != TokenType::BlockEnd)
      error(peek().line, fmt::format("expected '%}}' to close '{{% {} %}}', found {}", tag, describe(peek())));
    next();
  }

  // --- statements ---------------------------------------------------------------------------------

  /// Parses statements until a block tag named in `ends`; returns that name with the tag's name consumed
  /// (the caller reads the rest of the tag), or "" at the end of the template when `ends` is empty.
  std::string parse_body(std::vector<StmtPtr>& out, const std::set<std::string>& ends, const OpenBlock* open = nullptr) {
    while (true) {
      const Token& t = peek();
      if (t.type == TokenType::End) {
        if (!open) return "";
        error(open->line, fmt::format("'{{% {} %}}' is not closed (expected '{{% {} %}}' before the end of the template)",
                                      open->tag, *ends.rbegin()));
      }
      if (t.type == TokenType::Text) {
        auto s = stmt(StmtKind::Text, next().line);
        s->text = t.text;
        out.push_back(std::move(s));
      } else if (t.type == TokenType::VarBegin) {
        auto s = stmt(StmtKind::Output, next().line);
        s->expr = parse_tuple(true);
        if (peek().type != TokenType::VarEnd) error(peek().line, fmt::format("expected '}}}}', found {}", describe(peek())));
        next();
        out.push_back(std::move(s));
      } else {  // BlockBegin
        next();
        const Token& name = peek();
        if (name.type != TokenType::Name) error(name.line, fmt::format("expected a tag name after '{{%', found {}", describe(name)));
        if (ends.count(name.text)) return next().text;
        out.push_back(parse_statement(open));
      }
    }
  }

  StmtPtr stmt(StmtKind kind, int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->line = line;
    return s;
  }

  StmtPtr parse_statement(const OpenBlock* open) {
    const Token tag = next();
    if (tag.text == "if") return parse_if(tag.line);
    if (tag.text == "for") return parse_for(tag.line);
    if (tag.text == "set") return parse_set(tag.line);
    if (tag.text == "break" || tag.text == "continue") {
      if (!in_loop_) error(tag.line, fmt::format("'{{% {} %}}' outside a for loop", tag.text));
      expect_block_end(tag.text);
      return stmt(tag.text == "break" ? StmtKind::Break : StmtKind::Continue, tag.line);
    }
    if (tag.text == "generation") {
      expect_block_end("generation");
      auto s = stmt(StmtKind::Generation, tag.line);
      const OpenBlock block{"generation", tag.line};
      parse_body(s->body, {"endgeneration"}, &block);
      expect_block_end("endgeneration");
      return s;
    }
    if (kRefusedTags.count(tag.text))
      error(tag.line, fmt::format("'{{% {} %}}' is not supported by Ropewalk's chat-template interpreter", tag.text));
    if (open)
      error(tag.line, fmt::format("unexpected '{{% {} %}}' inside '{{% {} %}}' opened at line {}", tag.text, open->tag, open->line));
    error(tag.line, fmt::format("unexpected or unknown tag '{{% {} %}}'", tag.text));
  }

  StmtPtr parse_if(int line) {
    auto s = stmt(StmtKind::If, line);
    s->expr = parse_expression(true);
    expect_block_end("if");
    const OpenBlock block{"if", line};
    const std::string end = parse_body(s->body, {"elif", "else", "endif"}, &block);
    if (end == "elif") {
      s->else_body.push_back(parse_if(peek().line));  // the nested if consumes the shared endif
      return s;
    }
    if (end == "else") {
      expect_block_end("else");
      parse_body(s->else_body, {"endif"}, &block);
    }
    expect_block_end("endif");
    return s;
  }

  StmtPtr parse_for(int line) {
    auto s = stmt(StmtKind::For, line);
    s->targets = parse_targets();
    if (!at_name("in")) error(peek().line, fmt::format("expected 'in' in '{{% for %}}', found {}", describe(peek())));
    next();
    s->expr = parse_tuple(false);
    if (at_name("if")) next(), s->loop_filter = parse_expression(true);
    if (at_name("recursive")) error(peek().line, "'{% for ... recursive %}' is not supported by Ropewalk's chat-template interpreter");
    expect_block_end("for");
    const OpenBlock block{"for", line};
    const bool was_in_loop = std::exchange(in_loop_, true);
    const std::string end = parse_body(s->body, {"else", "endfor"}, &block);
    in_loop_ = was_in_loop;  // break/continue in the else branch belong to an outer loop
    if (end == "else") {
      expect_block_end("else");
      parse_body(s->else_body, {"endfor"}, &block);
    }
    expect_block_end("endfor");
    return s;
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> names;
    const bool parenthesized = at_op("(");
    if (parenthesized) next();
    do {
      names.push_back(expect_name("a variable name"));
    } while (at_op(",") && (next(), peek().type == TokenType::Name));
    if (parenthesized) expect_op(")");
    return names;
  }

  StmtPtr parse_set(int line) {
    auto s = stmt(StmtKind::Set, line);
    if (peek().type == TokenType::Name && at_op(".", 1)) {
      s->targets.push_back(next().text);
      next();
      s->attribute = expect_name("an attribute name");
    } else {
      s->targets = parse_targets();
    }
    if (at_op("=")) {
      next();
      s->expr = parse_tuple(true);
      expect_block_end("set");
      return s;
    }
    if (s->targets.size() != 1 || !s->attribute.empty() || peek().type != TokenType::BlockEnd)
      error(peek().line, fmt::format("expected '=' in '{{% set %}}', found {}", describe(peek())));
    next();
    s->kind = StmtKind::SetBlock;
    const OpenBlock block{"set", line};
    parse_body(s->body, {"endset"}, &block);
    expect_block_end("endset");
    return s;
  }

  // --- expressions --------------------------------------------------------------------------------

  ExprPtr node(ExprKind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }
  ExprPtr node(ExprKind kind, int line, ExprPtr a, ExprPtr b = nullptr) {
    auto e = node(kind, line);
    e->args.push_back(std::move(a));
    if (b) e->args.push_back(std::move(b));
    return e;
  }

  /// "a, b" without brackets is a tuple, as in Jinja2's parse_tuple.
  ExprPtr parse_tuple(bool with_condexpr) {
    const int line = peek().line;
    ExprPtr first = parse_expression(with_condexpr);
    if (!at_op(",")) return first;
    auto list = node(ExprKind::List, line, std::move(first));
    list->name = "tuple";
    while (at_op(",")) {
      next();
      if (peek().type == TokenType::VarEnd || peek().type == TokenType::BlockEnd || at_op(")") || at_name("if")) break;
      list->args.push_back(parse_expression(with_condexpr));
    }
    return list;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    ExprPtr value = parse_or();
    while (with_condexpr && at_name("if")) {
      const int line = next().line;
      auto e = node(ExprKind::Conditional, line, std::move(value), parse_or());
      e->args.push_back(at_name("else") ? (next(), parse_expression(true)) : nullptr);
      value = std::move(e);
    }
    return value;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (at_name("or")) {
      const int line = next().line;  // before parsing the right side (argument order is unspecified)
      left = node(ExprKind::Or, line, std::move(left), parse_and());
    }
    return left;
  }
  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (at_name("and")) {
      const int line = next().line;
      left = node(ExprKind::And, line, std::move(left), parse_not());
    }
    return left;
  }
  ExprPtr parse_not() {
    if (at_name("not")) {
      const int line = next().line;
      return node(ExprKind::Not, line, parse_not());
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    const int line = peek().line;
    ExprPtr first = parse_math1();
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (peek().type == TokenType::Operator &&
          (peek().text == "==" || peek().text == "!=" || peek().text == "<" || peek().text == ">" ||
           peek().text == "<=" || peek().text == ">="))
        op = next().text;
      else if (at_name("in"))
        op = next().text;
      else if (at_name("not") && at_name("in", 1))
        next(), next(), op = "not in";
      else
        break;
      if (!cmp) cmp = node(ExprKind::Compare, line, std::move(first));
      cmp->ops.push_back(op);
      cmp->args.push_back(parse_math1());
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  ExprPtr parse_binary_level(const std::set<std::string>& ops, ExprPtr (Parser::*operand)()) {
    ExprPtr left = (this->*operand)();
    while (peek().type == TokenType::Operator && ops.count(peek().text)) {
      const Token op = next();
      auto e = node(ExprKind::Binary, op.line, std::move(left), (this->*operand)());
      e->name = op.text;
      left = std::move(e);
    }
    return left;
  }
  ExprPtr parse_math1() { return parse_binary_level({"+", "-"}, &Parser::parse_concat); }
  ExprPtr parse_concat() { return parse_binary_level({"~"}, &Parser::parse_math2); }
  ExprPtr parse_math2() { return parse_binary_level({"*", "/", "//", "%"}, &Parser::parse_pow); }
  ExprPtr parse_pow() { return parse_binary_level({"**"}, &Parser::parse_unary_filtered); }
  ExprPtr parse_unary_filtered() { return parse_unary(true); }

  ExprPtr parse_unary(bool with_filter) {
    ExprPtr value;
    if (at_op("-") || at_op("+")) {
      const Token op = next();
      value = node(op.text == "-" ? ExprKind::Negate : ExprKind::Positive, op.line, parse_unary(false));
    } else {
      value = parse_primary();
    }
    value = parse_postfix(std::move(value));
    return with_filter ? parse_filters(std::move(value)) : std::move(value);
  }

  ExprPtr parse_primary() {
    const Token t = next();
    switch (t.type) {
      case TokenType::Name: {
        auto e = node(ExprKind::Literal, t.line);
        if (t.text == "true" || t.text == "True") e->literal = Value(true);
        else if (t.text == "false" || t.text == "False") e->literal = Value(false);
        else if (t.text == "none" || t.text == "None") e->literal = Value(None{});
        else e->kind = ExprKind::Name, e->name = t.text;
        return e;
      }
      case TokenType::String: {
        std::string text = t.text;
        while (peek().type == TokenType::String) text += next().text;  // adjacent literals concatenate
        auto e = node(ExprKind::Literal, t.line);
        e->literal = Value(std::move(text));
        return e;
      }
      case TokenType::Integer:
      case TokenType::Float: {
        auto e = node(ExprKind::Literal, t.line);
        try {
          e->literal = t.type == TokenType::Integer ? Value(static_cast<int64_t>(std::stoll(t.text))) : Value(std::stod(t.text));
        } catch (const std::exception&) {
          error(t.line, fmt::format("number '{}' is out of range", t.text));
        }
        return e;
      }
      case TokenType::Operator:
        if (t.text == "(") return parse_parenthesized(t.line);
        if (t.text == "[") return parse_list(t.line);
        if (t.text == "{") return parse_dict(t.line);
        [[fallthrough]];
      default:
        error(t.line, fmt::format("unexpected {} in an expression", describe(t)));
    }
  }

  ExprPtr parse_parenthesized(int line) {
    if (at_op(")")) {
      next();
      auto empty = node(ExprKind::List, line);
      empty->name = "tuple";
      return empty;
    }
    ExprPtr inner = parse_tuple(true);
    expect_op(")");
    return inner;
  }

  ExprPtr parse_list(int line) {
    auto e = node(ExprKind::List, line);
    while (!at_op("]")) {
      if (!e->args.empty()) expect_op(",");
      if (at_op("]")) break;
      e->args.push_back(parse_expression(true));
    }
    next();
    return e;
  }

  ExprPtr parse_dict(int line) {
    auto e = node(ExprKind::Dict, line);
    while (!at_op("}")) {
      if (!e->args.empty()) expect_op(",");
      if (at_op("}")) break;
      e->args.push_back(parse_expression(true));
      expect_op(":");
      e->args.push_back(parse_expression(true));
    }
    next();
    return e;
  }

  ExprPtr parse_postfix(ExprPtr value) {
    while (true) {
      if (at_op(".")) {
        const int line = next().line;
        if (peek().type == TokenType::Integer) {
          auto index = node(ExprKind::Literal, line);
          index->literal = Value(static_cast<int64_t>(std::stoll(next().text)));
          value = node(ExprKind::Item, line, std::move(value), std::move(index));
        } else {
          auto e = node(ExprKind::Attribute, line, std::move(value));
          e->name = expect_name("an attribute name after '.'");
          value = std::move(e);
        }
      } else if (at_op("[")) {
        value = parse_subscript(std::move(value), next().line);
      } else if (at_op("(")) {
        value = parse_call(std::move(value));
      } else {
        return value;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr value, int line) {
    ExprPtr parts[3];
    bool is_slice = false;
    for (int part = 0; part < 3; ++part) {
      if (!at_op(":") && !at_op("]")) parts[part] = parse_expression(true);
      if (!at_op(":")) break;
      next();
      is_slice = true;
    }
    expect_op("]");
    if (!is_slice) {
      if (!parts[0]) error(line, "empty subscript '[]'");
      return node(ExprKind::Item, line, std::move(value), std::move(parts[0]));
    }
    auto e = node(ExprKind::Slice, line, std::move(value));
    for (auto& p : parts) e->args.push_back(std::move(p));
    return e;
  }

  /// "(a, b, key=c)" into e's args (after any already there) and named.
  void parse_call_args(Expr& e) {
    expect_op("(");
    while (!at_op(")")) {
      if (at_op("*") || at_op("**")) error(peek().line, "'*args' and '**kwargs' in calls are not supported by Ropewalk's chat-template interpreter");
      if (peek().type == TokenType::Name && at_op("=", 1)) {
        std::string key = next().text;
        next();
        e.named.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!e.named.empty()) error(peek().line, "a positional argument after a keyword argument");
        e.args.push_back(parse_expression(true));
      }
      if (!at_op(",")) break;
      next();
    }
    expect_op(")");
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = node(ExprKind::Call, peek().line, std::move(callee));
    parse_call_args(*e);
    return e;
  }

  ExprPtr parse_filters(ExprPtr value) {
    while (true) {
      if (at_op("|")) {
        const int line = next().line;
        auto e = node(ExprKind::Filter, line, std::move(value));
        e->name = expect_name("a filter name after '|'");
        if (!is_supported_filter(e->name))
          error(line, fmt::format("filter '{}' is unknown or not supported by Ropewalk's chat-template interpreter", e->name));
        if (at_op("(")) parse_call_args(*e);
        value = std::move(e);
      } else if (at_name("is")) {
        value = parse_test(std::move(value), next().line);
      } else if (at_op("(")) {
        value = parse_call(std::move(value));
      } else {
        return value;
      }
    }
  }

  ExprPtr parse_test(ExprPtr value, int line) {
    auto e = node(ExprKind::Test, line, std::move(value));
    if (at_name("not")) next(), e->negated = true;
    e->name = expect_name("a test name after 'is'");
    if (!is_supported_test(e->name))
      error(line, fmt::format("test '{}' is unknown or not supported by Ropewalk's chat-template interpreter", e->name));
    const Token& t = peek();
    const bool starts_argument = t.type == TokenType::String || t.type == TokenType::Integer || t.type == TokenType::Float ||
                                 at_op("[") || at_op("{") ||
                                 (t.type == TokenType::Name && t.text != "else" && t.text != "or" && t.text != "and");
    if (at_op("(")) {
      parse_call_args(*e);
    } else if (starts_argument) {
      if (at_name("is")) error(t.line, "tests cannot be chained with 'is'");
      e->args.push_back(parse_postfix(parse_primary()));
    }
    return e;
  }

  std::vector<Token> tokens_;
  const std::string& origin_;
  size_t pos_ = 0;
  bool in_loop_ = false;
};

}  // namespace

std::vector<StmtPtr> parse_template(std::string_view source, const std::string& origin) {
  return Parser(tokenize(source, origin), origin).parse();
}

}  // namespace rw::core::detail::jinja

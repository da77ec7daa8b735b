// The parsed form of a chat template: statements holding expressions. Private to core/chat.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja_value.h"

namespace rw::core::detail::jinja {

enum class ExprKind {
  Literal,      // literal
  Name,         // name
  List,         // args: items; name "tuple" for a tuple
  Dict,         // args: key, value, key, value, ...
  Attribute,    // args[0].name
  Item,         // args[0][args[1]]
  Slice,        // args[0][args[1]:args[2]:args[3]], omitted parts null
  Call,         // args[0](args[1..], named)
  Filter,       // args[0] | name(args[1..], named)
  Test,         // args[0] is [not] name(args[1..])
  Not,          // not args[0]
  Negate,       // -args[0]
  Positive,     // +args[0]
  Binary,       // args[0] name args[1], name one of + - * / // % ** ~
  Compare,      // args[0] ops[0] args[1] ops[1] args[2] ... (Python's chained comparison)
  And,          // args[0] and args[1]
  Or,           // args[0] or args[1]
  Conditional,  // args[0] if args[1] else args[2] (null: undefined)
};

struct Expr {
  ExprKind kind;
  int line = 0;
  Value literal;
  std::string name;
  std::vector<std::unique_ptr<Expr>> args;
  std::vector<std::pair<std::string, std::unique_ptr<Expr>>> named;
  std::vector<std::string> ops;
  bool negated = false;
};
using ExprPtr = std::unique_ptr<Expr>;

enum class StmtKind {
  Text,        // text
  Output,      // {{ expr }}
  If,          // {% if expr %} body {% else %} else_body (elif: a nested If in else_body)
  For,         // {% for targets in expr [if loop_filter] %} body {% else %} else_body
  Set,         // {% set targets = expr %} or {% set targets[0].attribute = expr %}
  SetBlock,    // {% set targets[0] %} body {% endset %}
  Break,
  Continue,
  Generation,  // {% generation %} body {% endgeneration %} (transformers' assistant-mask marker)
};

struct Stmt {
  StmtKind kind;
  int line = 0;
  std::string text;
  ExprPtr expr;
  std::vector<std::string> targets;
  std::string attribute;
  ExprPtr loop_filter;
  std::vector<std::unique_ptr<Stmt>> body, else_body;
};
using StmtPtr = std::unique_ptr<Stmt>;

/// Error "<origin>:<line>: ..." for syntax errors and constructs the interpreter refuses.
std::vector<StmtPtr> parse_template(std::string_view source, const std::string& origin);

}  // namespace rw::core::detail::jinja

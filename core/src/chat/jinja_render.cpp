// Runs a parsed chat template: Jinja2's scoping (a for loop's body is a fresh scope each iteration, so
// only a namespace carries values out of it), Python operators, and errors located at the template's line.
#include <unordered_map>

#include "jinja_builtins.h"
#include "jinja_render.h"
#include "rw/core/util/error.h"

namespace rw::core::detail::jinja {
namespace {

[[noreturn]] void unsupported_operands(std::string_view op, const Value& a, const Value& b) {
  raise("unsupported operand type(s) for {}: '{}' and '{}'", op, a.type_name(), b.type_name());
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Value repeat(const Value& seq, int64_t times) {
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.as_string();
    return out;
  }
  List out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), seq.as_list().begin(), seq.as_list().end());
  return out;
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return a.str() + b.str();
  a.require_defined(), b.require_defined();
  const bool numbers = a.is_number() && b.is_number(), floats = a.is_float() || b.is_float();
  if (op == "+") {
    if (numbers) return floats ? Value(a.as_float() + b.as_float()) : Value(a.as_int() + b.as_int());
    if (a.is_string() && b.is_string()) return a.as_string() + b.as_string();
    if (a.is_list() && b.is_list()) {
      List out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return out;
    }
  } else if (op == "-" && numbers) {
    return floats ? Value(a.as_float() - b.as_float()) : Value(a.as_int() - b.as_int());
  } else if (op == "*") {
    if (numbers) return floats ? Value(a.as_float() * b.as_float()) : Value(a.as_int() * b.as_int());
    if ((a.is_string() || a.is_list()) && b.is_number() && !b.is_float()) return repeat(a, b.as_int());
    if ((b.is_string() || b.is_list()) && a.is_number() && !a.is_float()) return repeat(b, a.as_int());
  } else if (numbers && (op == "/" || op == "//" || op == "%")) {
    if (b.as_float() == 0.0) raise("division by zero");
    if (op == "/") return a.as_float() / b.as_float();
    if (!floats) {
      const int64_t q = floor_div(a.as_int(), b.as_int());
      return op == "//" ? Value(q) : Value(a.as_int() - q * b.as_int());
    }
    const double q = std::floor(a.as_float() / b.as_float());
    return op == "//" ? Value(q) : Value(a.as_float() - q * b.as_float());
  } else if (op == "**" && numbers) {
    if (!floats && b.as_int() >= 0) {
      int64_t r = 1;
      for (int64_t i = 0; i < b.as_int(); ++i) r *= a.as_int();
      return r;
    }
    return std::pow(a.as_float(), b.as_float());
  }
  unsupported_operands(op, a, b);
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) raise("'in <string>' requires string as left operand, not {}", item.type_name());
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (!container.is_undefined() && !container.is_list() && !container.is_dict())
    raise("argument of type '{}' is not iterable", container.type_name());
  for (const Value& v : container.iterate())
    if (equals(v, item)) return true;
  return false;
}

bool compare_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return equals(a, b);
  if (op == "!=") return !equals(a, b);
  if (op == "in") return contains(b, a);
  if (op == "not in") return !contains(b, a);
  const int c = compare(a, b, op);
  return op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
}

enum class Flow { Normal, Break, Continue };

class Renderer {
 public:
  Renderer(const std::string& origin, Dict variables) : origin_(origin) {
    frames_.emplace_back();
    for (auto& [name, value] : variables) frames_.back()[name] = std::move(value);
  }

  void run(const std::vector<StmtPtr>& body, std::string& out) { exec(body, out); }

 private:
  using Frame = std::unordered_map<std::string, Value>;

  [[noreturn]] void located(int line, const EvalFailure& e) const { fail("{}:{}: {}", origin_, line, e.what()); }

  Flow exec(const std::vector<StmtPtr>& body, std::string& out) {
    for (const StmtPtr& s : body) {
      const Flow flow = exec(*s, out);
      if (flow != Flow::Normal) return flow;
    }
    return Flow::Normal;
  }

  Flow exec(const Stmt& s, std::string& out) {
    try {
      switch (s.kind) {
        case StmtKind::Text: out += s.text; return Flow::Normal;
        case StmtKind::Output: out += eval(*s.expr).str(); return Flow::Normal;
        case StmtKind::If: return exec(eval(*s.expr).truthy() ? s.body : s.else_body, out);
        case StmtKind::For: exec_for(s, out); return Flow::Normal;
        case StmtKind::Set: assign(s, eval(*s.expr)); return Flow::Normal;
        case StmtKind::SetBlock: {
          std::string captured;
          exec(s.body, captured);
          frames_.back()[s.targets[0]] = Value(std::move(captured));
          return Flow::Normal;
        }
        case StmtKind::Break: return Flow::Break;
        case StmtKind::Continue: return Flow::Continue;
        case StmtKind::Generation: return exec(s.body, out);
      }
    } catch (const EvalFailure& e) {
      located(s.line, e);
    }
    return Flow::Normal;
  }

  void bind(const std::vector<std::string>& targets, const Value& value) {
    if (targets.size() == 1) return void(frames_.back()[targets[0]] = value);
    const List items = value.iterate();
    if (items.size() != targets.size())
      raise("cannot unpack {} values into {} names", items.size(), targets.size());
    for (size_t i = 0; i < items.size(); ++i) frames_.back()[targets[i]] = items[i];
  }

  void assign(const Stmt& s, const Value& value) {
    if (s.attribute.empty()) return bind(s.targets, value);
    const Value target = lookup(s.targets[0]);
    if (!target.is_namespace()) raise("cannot assign attribute on non-namespace object ('{}')", s.targets[0]);
    if (s.attribute[0] == '_')
      raise("Chat templates cannot store underscore-prefixed attributes on a namespace, but got '{}'", s.attribute);
    Dict& attributes = target.as_namespace().attributes;
    for (auto& [key, v] : attributes)
      if (key == s.attribute) return void(v = value);
    attributes.emplace_back(s.attribute, value);
  }

  struct ScopedFrame {
    explicit ScopedFrame(std::vector<Frame>& f) : frames(f) { frames.emplace_back(); }
    ~ScopedFrame() { frames.pop_back(); }
    std::vector<Frame>& frames;
  };

  void exec_for(const Stmt& s, std::string& out) {
    List items = eval(*s.expr).iterate();
    if (s.loop_filter) {  // loop.length and loop.last count only the items the filter keeps
      List kept;
      for (const Value& item : items) {
        ScopedFrame frame(frames_);
        bind(s.targets, item);
        if (eval(*s.loop_filter).truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    if (items.empty()) {
      ScopedFrame frame(frames_);
      exec(s.else_body, out);
      return;
    }
    const auto n = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < n; ++i) {
      ScopedFrame frame(frames_);
      bind(s.targets, items[static_cast<size_t>(i)]);
      frames_.back()["loop"] = loop_object(items, i);
      if (exec(s.body, out) == Flow::Break) break;
    }
  }

  static Value loop_object(const List& items, int64_t i) {
    const auto n = static_cast<int64_t>(items.size());
    Dict loop = {{"index", Value(i + 1)},          {"index0", Value(i)},         {"revindex", Value(n - i)},
                 {"revindex0", Value(n - i - 1)},  {"first", Value(i == 0)},      {"last", Value(i == n - 1)},
                 {"length", Value(n)},             {"depth", Value(1)},           {"depth0", Value(0)}};
    loop.emplace_back("previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value::undefined("there is no previous item"));
    loop.emplace_back("nextitem", i + 1 < n ? items[static_cast<size_t>(i + 1)] : Value::undefined("there is no next item"));
    loop.emplace_back("cycle", Function{"loop.cycle", [i](const Args& a) -> Value {
                                          if (a.positional.empty()) raise("loop.cycle() needs at least one item");
                                          return a.positional[static_cast<size_t>(i) % a.positional.size()];
                                        }});
    return Value(std::move(loop));
  }

  Value lookup(const std::string& name) const {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
      if (auto found = it->find(name); found != it->end()) return found->second;
    return global_function(name);
  }

  Args eval_args(const Expr& e, size_t first) {
    Args args;
    for (size_t i = first; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i]));
    for (const auto& [key, value] : e.named) args.named.emplace_back(key, eval(*value));
    return args;
  }

  Value eval(const Expr& e) {
    try {
      return eval_unlocated(e);
    } catch (const EvalFailure& failure) {
      located(e.line, failure);
    }
  }

  Value eval_unlocated(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Literal: return e.literal;
      case ExprKind::Name: return lookup(e.name);
      case ExprKind::List: {
        List items;
        for (const auto& a : e.args) items.push_back(eval(*a));
        return e.name == "tuple" ? Value::tuple(std::move(items)) : Value(std::move(items));
      }
      case ExprKind::Dict: {
        Dict dict;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          const Value key = eval(*e.args[i]);
          if (!key.is_string()) raise("dict keys must be strings here, not '{}'", key.type_name());
          Value value = eval(*e.args[i + 1]);
          auto it = std::find_if(dict.begin(), dict.end(), [&](auto& kv) { return kv.first == key.as_string(); });
          if (it != dict.end()) it->second = std::move(value);
          else dict.emplace_back(key.as_string(), std::move(value));
        }
        return dict;
      }
      case ExprKind::Attribute: return get_attribute(eval(*e.args[0]), e.name);
      case ExprKind::Item: return get_item(eval(*e.args[0]), eval(*e.args[1]));
      case ExprKind::Slice: {
        auto part = [&](size_t i) { return e.args[i] ? eval(*e.args[i]) : Value(None{}); };
        return get_slice(eval(*e.args[0]), part(1), part(2), part(3));
      }
      case ExprKind::Call: {
        const Value callee = eval(*e.args[0]);
        callee.require_defined();
        if (!callee.is_function()) raise("'{}' object is not callable", callee.type_name());
        return callee.as_function().call(eval_args(e, 1));
      }
      case ExprKind::Filter: return apply_filter(e.name, eval(*e.args[0]), eval_args(e, 1));
      case ExprKind::Test: return apply_test(e.name, eval(*e.args[0]), eval_args(e, 1)) != e.negated;
      case ExprKind::Not: return !eval(*e.args[0]).truthy();
      case ExprKind::Negate:
      case ExprKind::Positive: {
        const Value v = eval(*e.args[0]);
        v.require_defined();
        if (!v.is_number()) raise("bad operand type for unary {}: '{}'", e.kind == ExprKind::Negate ? '-' : '+', v.type_name());
        if (e.kind == ExprKind::Positive) return v.is_float() ? v : Value(v.as_int());
        return v.is_float() ? Value(-v.as_float()) : Value(-v.as_int());
      }
      case ExprKind::Binary: return arithmetic(e.name, eval(*e.args[0]), eval(*e.args[1]));
      case ExprKind::Compare: {
        Value left = eval(*e.args[0]);
        for (size_t i = 0; i < e.ops.size(); ++i) {
          Value right = eval(*e.args[i + 1]);
          if (!compare_op(e.ops[i], left, right)) return false;
          left = std::move(right);
        }
        return true;
      }
      case ExprKind::And:
      case ExprKind::Or: {
        Value left = eval(*e.args[0]);
        if (left.truthy() == (e.kind == ExprKind::Or)) return left;
        return eval(*e.args[1]);
      }
      case ExprKind::Conditional:
        if (eval(*e.args[1]).truthy()) return eval(*e.args[0]);
        return e.args[2] ? eval(*e.args[2]) : Value::undefined("the conditional expression has no else branch");
    }
    raise("unknown expression");
  }

  const std::string& origin_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string render_template(const std::vector<StmtPtr>& body, const std::string& origin, Dict variables) {
  std::string out;
  Renderer(origin, std::move(variables)).run(body, out);
  return out;
}

}  // namespace rw::core::detail::jinja

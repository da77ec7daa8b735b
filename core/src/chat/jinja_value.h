// The values a chat template computes with, as Python objects behave under Jinja2's immutable sandbox:
// lists and dicts are shared and never modified, only a namespace() takes attribute assignments.
// Private to core/chat.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rw::core::detail::jinja {

/// A failure while evaluating, without a location yet; the evaluator adds "<origin>:<line>: " and throws
/// rw::core::Error.
struct EvalFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void raise(fmt::format_string<Args...> format, Args&&... args) {
  throw EvalFailure(fmt::format(format, std::forward<Args>(args)...));
}

class Value;
using List = std::vector<Value>;
/// Insertion-ordered like a Python dict; keys are strings (what JSON and templates use).
using Dict = std::vector<std::pair<std::string, Value>>;
struct Namespace {
  Dict attributes;
};
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
};
struct Function {
  std::string name;
  std::function<Value(const Args&)> call;
};
/// Jinja2's default Undefined: prints as "", is falsy and empty, and raises on any other use with `why`.
struct Undefined {
  std::string why;  // e.g. "'x' is undefined"
};
struct None {};

class Value {
 public:
  Value() : v_(Undefined{"a value is undefined"}) {}
  Value(None) : v_(None{}) {}
  Value(bool b) : v_(b) {}
  Value(int64_t i) : v_(i) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::make_shared<const List>(std::move(l))) {}
  /// A Python tuple: a list that prints as "(a, b)" (dict items, tuple literals).
  static Value tuple(List l) {
    Value v(std::move(l));
    v.tuple_ = true;
    return v;
  }
  Value(Dict d) : v_(std::make_shared<const Dict>(std::move(d))) {}
  Value(std::shared_ptr<Namespace> n) : v_(std::move(n)) {}
  Value(Function f) : v_(std::make_shared<const Function>(std::move(f))) {}
  static Value undefined(std::string why) { return Value(Undefined{std::move(why)}); }

  bool is_undefined() const { return std::holds_alternative<Undefined>(v_); }
  bool is_none() const { return std::holds_alternative<None>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }  // not bool
  bool is_float() const { return std::holds_alternative<double>(v_); }
  bool is_number() const { return is_bool() || is_int() || is_float(); }  // Python: bool is an int
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<const List>>(v_); }
  bool is_dict() const { return std::holds_alternative<std::shared_ptr<const Dict>>(v_); }
  bool is_namespace() const { return std::holds_alternative<std::shared_ptr<Namespace>>(v_); }
  bool is_function() const { return std::holds_alternative<std::shared_ptr<const Function>>(v_); }

  bool as_bool() const { return std::get<bool>(v_); }
  /// An int or bool as Python's int.
  int64_t as_int() const { return is_bool() ? (as_bool() ? 1 : 0) : std::get<int64_t>(v_); }
  double as_float() const { return is_float() ? std::get<double>(v_) : static_cast<double>(as_int()); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(v_); }
  const Dict& as_dict() const { return *std::get<std::shared_ptr<const Dict>>(v_); }
  Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(v_); }
  const Function& as_function() const { return *std::get<std::shared_ptr<const Function>>(v_); }
  const std::string& undefined_why() const { return std::get<Undefined>(v_).why; }

  /// Raises the undefined value's error when this is undefined (every use but printing, testing, iterating).
  const Value& require_defined() const;
  /// Python's type name, for error messages ("str", "int", "list", "dict", "NoneType", ...).
  std::string type_name() const;
  bool truthy() const;
  /// Python str(); undefined prints as "".
  std::string str() const;
  /// Python repr() (what str() of a list or dict shows for its items).
  std::string repr() const;
  /// The items a for loop visits: list items, dict keys, string characters; undefined is empty.
  List iterate() const;
  /// len(): code points of a string, items of a list or dict; undefined is 0.
  int64_t length() const;

 private:
  explicit Value(Undefined u) : v_(std::move(u)) {}
  std::variant<Undefined, None, bool, int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Dict>, std::shared_ptr<Namespace>, std::shared_ptr<const Function>>
      v_;
  bool tuple_ = false;
};

/// Python ==.
bool equals(const Value& a, const Value& b);
/// Python <, as -1/0/1; raises where Python's comparison raises (e.g. str with int).
int compare(const Value& a, const Value& b, std::string_view op);
/// Python repr(float).
std::string float_repr(double d);
/// The value a key holds, or nothing.
const Value* dict_find(const Dict& dict, std::string_view key);

struct JsonOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // None: one line
  std::string item_separator, key_separator;
  bool sort_keys = false;
};
/// Python's json.dumps with these options (transformers' tojson filter).
std::string to_json(const Value& v, const JsonOptions& options);
/// A JSON document as a value (objects become dicts, arrays lists).
Value from_json_text(const std::string& text, const std::string& what);

}  // namespace rw::core::detail::jinja

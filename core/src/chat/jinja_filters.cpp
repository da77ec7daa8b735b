// Jinja2's filters and tests as chat templates use them; tojson is transformers' json.dumps override.
#include <cmath>
#include <set>

#include "jinja_builtins.h"
#include "jinja_params.h"
#include "python_text.h"
#include "rw/core/util/utf8.h"

namespace rw::core::detail::jinja {
namespace {

const std::set<std::string, std::less<>> kFilters = {
    "trim",  "length", "count",      "upper",      "lower",  "capitalize", "title",  "replace", "join",
    "first", "last",   "default",    "d",          "string", "int",        "float",  "tojson",  "items",
    "list",  "select", "reject",     "selectattr", "rejectattr", "map",    "indent", "reverse", "abs", "safe"};
const std::set<std::string, std::less<>> kTests = {
    "defined", "undefined", "none",     "string", "mapping", "iterable", "sequence", "number", "integer",
    "float",   "boolean",   "true",     "false",  "equalto", "eq",       "==",       "ne",     "!=",
    "lt",      "<",         "le",       "<=",     "gt",      ">",        "ge",       ">=",     "in",
    "odd",     "even",      "divisibleby", "callable", "lower", "upper", "sameas"};

/// Jinja's attribute getter for selectattr/map/join: "a.b" walks nested attributes, "0" indexes.
Value attribute_path(const Value& item, const std::string& path) {
  Value v = item;
  for (const std::string& part : python_split(path, std::string("."))) {
    const bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    v = digits ? get_item(v, Value(static_cast<int64_t>(std::stoll(part)))) : get_item(v, Value(part));
  }
  return v;
}

Args rest_args(const Args& args, size_t from) {
  Args rest;
  for (size_t i = from; i < args.positional.size(); ++i) rest.positional.push_back(args.positional[i]);
  rest.named = args.named;
  return rest;
}

/// select/reject/selectattr/rejectattr.
Value select(std::string_view name, const Value& subject, const Args& args) {
  const bool by_attribute = name.size() > 6 && name.substr(name.size() - 4) == "attr";
  const bool keep_matches = name.substr(0, 6) == "select";
  size_t next = 0;
  std::string attribute;
  if (by_attribute) {
    if (args.positional.empty() || !args.positional[0].is_string()) raise("{} needs an attribute name", name);
    attribute = args.positional[next++].as_string();
  }
  std::string test;
  if (next < args.positional.size()) {
    if (!args.positional[next].is_string()) raise("{}: the test name must be a string", name);
    test = args.positional[next++].as_string();
    if (!is_supported_test(test)) raise("{}: test '{}' is unknown or not supported by Ropewalk's chat-template interpreter", name, test);
  }
  const Args test_args = rest_args(args, next);
  List out;
  for (const Value& item : subject.iterate()) {
    const Value probe = by_attribute ? attribute_path(item, attribute) : item;
    const bool match = test.empty() ? probe.truthy() : apply_test(test, probe, test_args);
    if (match == keep_matches) out.push_back(item);
  }
  return out;
}

Value map_filter(const Value& subject, const Args& args) {
  List out;
  if (args.positional.empty()) {
    Params p("map()", args, {"attribute", "default"});
    const Value* attr = p.get(0);
    if (!attr || !attr->is_string()) raise("map() needs a filter name or attribute='...'");
    for (const Value& item : subject.iterate()) {
      Value v = attribute_path(item, attr->as_string());
      out.push_back(v.is_undefined() && p.get(1) ? *p.get(1) : v);
    }
    return out;
  }
  if (!args.positional[0].is_string()) raise("map(): the filter name must be a string");
  const std::string filter = args.positional[0].as_string();
  if (!is_supported_filter(filter) || filter == "map")
    raise("map(): filter '{}' is unknown or not supported by Ropewalk's chat-template interpreter", filter);
  const Args filter_args = rest_args(args, 1);
  for (const Value& item : subject.iterate()) out.push_back(apply_filter(filter, item, filter_args));
  return out;
}

Value tojson(const Value& subject, const Args& args) {
  Params p("tojson()", args, {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonOptions o;
  o.ensure_ascii = p.flag(0, false);
  if (const Value* indent = p.get(1); indent && !indent->is_none()) {
    if (indent->is_string()) o.indent = indent->as_string();
    else o.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, p.integer(1))), ' ');
  }
  o.item_separator = o.indent ? "," : ", ";
  o.key_separator = ": ";
  if (const Value* seps = p.get(2); seps && !seps->is_none()) {
    if (!seps->is_list() || seps->as_list().size() != 2 || !seps->as_list()[0].is_string() || !seps->as_list()[1].is_string())
      raise("tojson(): separators must be a pair of strings");
    o.item_separator = seps->as_list()[0].as_string();
    o.key_separator = seps->as_list()[1].as_string();
  }
  o.sort_keys = p.flag(3, false);
  return to_json(subject, o);
}

/// Jinja's indent filter: every line after the first (and the first with first=True) gets the indent;
/// blank lines only with blank=True.
Value indent(const Value& subject, const Args& args) {
  Params p("indent()", args, {"width", "first", "blank"});
  std::string pad = "    ";
  if (const Value* w = p.get(0)) pad = w->is_string() ? w->as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, p.integer(0))), ' ');
  const std::vector<std::string> lines = python_splitlines(subject.str() + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\n";
    if (i && (p.flag(2, false) || !lines[i].empty())) out += pad;
    out += lines[i];
  }
  return p.flag(1, false) ? pad + out : out;
}

/// Jinja's title filter (not str.title): words start after "-", whitespace or an opening bracket.
std::string title_filter(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = i;
    auto is_break = [](char32_t c) { return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || python_isspace(c); };
    size_t next = end;
    const bool breaking = is_break(next_code_point(s, next));
    while (end < s.size()) {
      next = end;
      if (is_break(next_code_point(s, next)) != breaking) break;
      end = next;
    }
    const std::string part = s.substr(i, end - i);
    if (breaking) out += part;
    else {
      size_t first = 0;
      next_code_point(part, first);
      out += python_upper(part.substr(0, first)) + python_lower(part.substr(first));
    }
    i = end;
  }
  return out;
}

Value to_number(const Value& subject, const Args& args, bool integer) {
  Params p(integer ? "int()" : "float()", args, {"default", "base"});
  const Value fallback = p.get(0) ? *p.get(0) : integer ? Value(0) : Value(0.0);
  if (subject.is_number()) return integer ? Value(static_cast<int64_t>(subject.as_float())) : Value(subject.as_float());
  if (!subject.is_string()) return fallback;
  const std::string s = python_strip(subject.as_string());
  try {
    size_t used = 0;
    if (integer) {
      const int64_t v = std::stoll(s, &used, p.get(1) ? static_cast<int>(p.integer(1)) : 10);
      if (used == s.size()) return v;
    }
    const double d = std::stod(s, &used);  // Jinja falls back to int(float(s))
    if (used == s.size()) return integer ? Value(static_cast<int64_t>(d)) : Value(d);
  } catch (const std::exception&) {
  }
  return fallback;
}

}  // namespace

bool is_supported_filter(std::string_view name) { return kFilters.count(name) != 0; }
bool is_supported_test(std::string_view name) { return kTests.count(name) != 0; }

Value apply_filter(std::string_view name, const Value& subject, const Args& args) {
  const std::string where = fmt::format("filter '{}'", name);
  if (name == "default" || name == "d") {
    Params p(where, args, {"default_value", "boolean"});
    const bool use_default = subject.is_undefined() || (p.flag(1, false) && !subject.truthy());
    return use_default ? (p.get(0) ? *p.get(0) : Value("")) : subject;
  }
  if (name == "length" || name == "count") return Params(where, args, {}), Value(subject.length());
  if (name == "string" || name == "safe") return Params(where, args, {}), Value(subject.str());
  if (name == "trim") {
    Params p(where, args, {"chars"});
    const Value* chars = p.get(0);
    return python_strip(subject.str(), StripSide::Both, chars && !chars->is_none() ? std::optional(p.string(0)) : std::nullopt);
  }
  if (name == "upper") return python_upper(subject.str());
  if (name == "lower") return python_lower(subject.str());
  if (name == "capitalize") return python_capitalize(subject.str());
  if (name == "title") return title_filter(subject.str());
  if (name == "replace") {
    Params p(where, args, {"old", "new", "count"});
    return python_replace(subject.str(), p.required(0).str(), p.required(1).str(), p.get(2) && !p.get(2)->is_none() ? p.integer(2) : -1);
  }
  if (name == "join") {
    Params p(where, args, {"d", "attribute"});
    std::string out;
    bool first = true;
    for (const Value& item : subject.iterate()) {
      out += (first ? "" : p.get(0) ? p.get(0)->str() : "") + (p.get(1) ? attribute_path(item, p.string(1)) : item).str();
      first = false;
    }
    return out;
  }
  if (name == "first" || name == "last" || name == "reverse" || name == "list") {
    Params(where, args, {});
    List items = subject.iterate();
    if (name == "list") return items;
    if (name == "reverse") {
      std::reverse(items.begin(), items.end());
      return subject.is_string() ? apply_filter("join", Value(std::move(items)), Args{}) : Value(std::move(items));
    }
    if (items.empty()) return Value::undefined(fmt::format("No {} item, sequence was empty.", name));
    return name == "first" ? items.front() : items.back();
  }
  if (name == "int" || name == "float") return to_number(subject, args, name == "int");
  if (name == "abs") {
    if (!subject.is_number()) raise("bad operand type for abs(): '{}'", subject.type_name());
    return subject.is_float() ? Value(std::fabs(subject.as_float())) : Value(static_cast<int64_t>(std::llabs(subject.as_int())));
  }
  if (name == "tojson") return tojson(subject, args);
  if (name == "items") {
    if (subject.is_undefined()) return List{};
    if (!subject.is_dict()) raise("filter 'items' needs a dict, not '{}'", subject.type_name());
    List items;
    for (const auto& [key, value] : subject.as_dict()) items.push_back(Value::tuple(List{Value(key), value}));
    return items;
  }
  if (name == "map") return map_filter(subject, args);
  if (name == "indent") return indent(subject, args);
  return select(name, subject, args);
}

bool apply_test(std::string_view name, const Value& v, const Args& args) {
  Params p(fmt::format("test '{}'", name), args, {"other"});
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_dict();
  if (name == "iterable") return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
  if (name == "sequence") return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "callable") return v.is_function();
  if (name == "lower") return v.is_string() && python_lower(v.as_string()) == v.as_string();
  if (name == "upper") return v.is_string() && python_upper(v.as_string()) == v.as_string();
  if (name == "odd" || name == "even") {
    if (!v.is_number() || v.is_float()) raise("test '{}' needs an integer, not '{}'", name, v.type_name());
    return (v.as_int() % 2 != 0) == (name == "odd");
  }
  const Value& other = p.required(0);
  if (name == "divisibleby") {
    if (!v.is_number() || v.is_float() || !other.is_number() || other.is_float() || other.as_int() == 0)
      raise("test 'divisibleby' needs integers and a non-zero divisor");
    return v.as_int() % other.as_int() == 0;
  }
  if (name == "equalto" || name == "eq" || name == "==") return equals(v, other);
  if (name == "ne" || name == "!=") return !equals(v, other);
  if (name == "sameas") return equals(v, other) && v.type_name() == other.type_name() && !v.is_list() && !v.is_dict();
  if (name == "in") {
    for (const Value& item : other.iterate())
      if (equals(item, v)) return true;
    return other.is_string() && v.is_string() && other.as_string().find(v.as_string()) != std::string::npos;
  }
  const int c = compare(v, other, name);
  if (name == "lt" || name == "<") return c < 0;
  if (name == "le" || name == "<=") return c <= 0;
  if (name == "gt" || name == ">") return c > 0;
  return c >= 0;
}

}  // namespace rw::core::detail::jinja

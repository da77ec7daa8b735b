#include "jinja_value.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

namespace rw::core::detail::jinja {
namespace {

/// Python's str.isprintable() for one code point: not a separator (except ' ') nor in category C.
bool python_printable(char32_t c) {
  if (c == ' ') return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_SPACE_SEPARATOR: case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR: case U_CONTROL_CHAR:
    case U_FORMAT_CHAR: case U_SURROGATE: case U_PRIVATE_USE_CHAR: case U_UNASSIGNED:
      return false;
    default:
      return true;
  }
}

std::string python_string_repr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = next_code_point(s, i);
    if (c == '\\' || c == static_cast<char32_t>(quote)) out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (python_printable(c)) out += s.substr(start, i - start);
    else if (c < 0x100) out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    else if (c < 0x10000) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    else out += fmt::format("\\U{:08x}", static_cast<unsigned>(c));
  }
  return out + quote;
}

void json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = next_code_point(s, i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || (ensure_ascii && c >= 0x7F && c < 0x10000)) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else if (ensure_ascii && c >= 0x10000) {  // a UTF-16 surrogate pair, as Python writes it
          const char32_t v = c - 0x10000;
          out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        } else {
          out += s.substr(start, i - start);
        }
    }
  }
  out += '"';
}

void json_value(std::string& out, const Value& v, const JsonOptions& o, int level) {
  auto newline = [&](int depth) {
    if (!o.indent) return;
    out += '\n';
    for (int k = 0; k < depth; ++k) out += *o.indent;
  };
  if (v.is_none()) out += "null";
  else if (v.is_bool()) out += v.as_bool() ? "true" : "false";
  else if (v.is_int()) out += std::to_string(v.as_int());
  else if (v.is_float()) {
    const double d = v.as_float();
    out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : float_repr(d);
  } else if (v.is_string()) json_string(out, v.as_string(), o.ensure_ascii);
  else if (v.is_list()) {
    const List& list = v.as_list();
    if (list.empty()) return void(out += "[]");
    out += '[';
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out += o.item_separator;
      newline(level + 1);
      json_value(out, list[i], o, level + 1);
    }
    newline(level);
    out += ']';
  } else if (v.is_dict()) {
    Dict dict = v.as_dict();
    if (dict.empty()) return void(out += "{}");
    if (o.sort_keys)
      std::stable_sort(dict.begin(), dict.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < dict.size(); ++i) {
      if (i) out += o.item_separator;
      newline(level + 1);
      json_string(out, dict[i].first, o.ensure_ascii);
      out += o.key_separator;
      json_value(out, dict[i].second, o, level + 1);
    }
    newline(level);
    out += '}';
  } else {
    raise("tojson: Object of type {} is not JSON serializable", v.type_name());
  }
}

Value from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value(None{});
    case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned:
      if (j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Value(j.get<double>());
      return Value(static_cast<int64_t>(j.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List list;
      for (const auto& item : j) list.push_back(from_json(item));
      return Value(std::move(list));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict dict;
      for (const auto& [key, item] : j.items()) dict.emplace_back(key, from_json(item));
      return Value(std::move(dict));
    }
    default: fail("unsupported JSON value");
  }
}

}  // namespace

const Value& Value::require_defined() const {
  if (is_undefined()) throw EvalFailure(undefined_why());
  return *this;
}

std::string Value::type_name() const {
  if (is_undefined()) return "Undefined";
  if (is_none()) return "NoneType";
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_float()) return "float";
  if (is_string()) return "str";
  if (is_list()) return "list";
  if (is_dict()) return "dict";
  if (is_namespace()) return "Namespace";
  return "function";
}

bool Value::truthy() const {
  if (is_undefined() || is_none()) return false;
  if (is_bool()) return as_bool();
  if (is_int()) return as_int() != 0;
  if (is_float()) return as_float() != 0.0;
  if (is_string()) return !as_string().empty();
  if (is_list()) return !as_list().empty();
  if (is_dict()) return !as_dict().empty();
  return true;
}

std::string Value::str() const {
  if (is_undefined()) return "";
  if (is_string()) return as_string();
  return repr();
}

std::string Value::repr() const {
  if (is_undefined()) return "";
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_float()) return float_repr(as_float());
  if (is_string()) return python_string_repr(as_string());
  if (is_list()) {
    std::string out = tuple_ ? "(" : "[";
    for (size_t i = 0; i < as_list().size(); ++i) out += (i ? ", " : "") + as_list()[i].repr();
    return out + (tuple_ ? (as_list().size() == 1 ? ",)" : ")") : "]");
  }
  if (is_dict()) {
    std::string out = "{";
    for (size_t i = 0; i < as_dict().size(); ++i)
      out += (i ? ", " : "") + python_string_repr(as_dict()[i].first) + ": " + as_dict()[i].second.repr();
    return out + "}";
  }
  // Python would print an object address here, which no template output should depend on.
  raise("cannot print a {} ({})", type_name(), is_function() ? as_function().name : "namespace");
}

List Value::iterate() const {
  if (is_undefined()) return {};
  if (is_list()) return as_list();
  if (is_dict()) {
    List keys;
    for (const auto& [key, value] : as_dict()) keys.emplace_back(key);
    return keys;
  }
  if (is_string()) {
    List chars;
    const std::string& s = as_string();
    for (size_t i = 0; i < s.size();) {
      const size_t start = i;
      next_code_point(s, i);
      chars.emplace_back(s.substr(start, i - start));
    }
    return chars;
  }
  raise("'{}' object is not iterable", type_name());
}

int64_t Value::length() const {
  if (is_undefined()) return 0;
  if (is_list()) return static_cast<int64_t>(as_list().size());
  if (is_dict()) return static_cast<int64_t>(as_dict().size());
  if (is_string()) {
    int64_t n = 0;
    for (size_t i = 0; i < as_string().size(); ++n) next_code_point(as_string(), i);
    return n;
  }
  raise("object of type '{}' has no len()", type_name());
}

const Value* dict_find(const Dict& dict, std::string_view key) {
  for (const auto& [k, v] : dict)
    if (k == key) return &v;
  return nullptr;
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.is_undefined() || b.is_undefined()) return a.is_undefined() && b.is_undefined();
  if (a.is_none() || b.is_none()) return a.is_none() && b.is_none();
  if (a.is_string() && b.is_string()) return a.as_string() == b.as_string();
  if (a.is_list() && b.is_list()) {
    const List &x = a.as_list(), &y = b.as_list();
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), equals);
  }
  if (a.is_dict() && b.is_dict()) {
    if (a.as_dict().size() != b.as_dict().size()) return false;
    for (const auto& [key, value] : a.as_dict()) {
      const Value* other = dict_find(b.as_dict(), key);
      if (!other || !equals(value, *other)) return false;
    }
    return true;
  }
  if (a.is_namespace() && b.is_namespace()) return &a.as_namespace() == &b.as_namespace();
  if (a.is_function() && b.is_function()) return &a.as_function() == &b.as_function();
  return false;
}

int compare(const Value& a, const Value& b, std::string_view op) {
  a.require_defined(), b.require_defined();
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() < b.as_float() ? -1 : a.as_float() > b.as_float() ? 1 : 0;
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) return a.as_string().compare(b.as_string()) < 0 ? -1 : a.as_string() == b.as_string() ? 0 : 1;
  if (a.is_list() && b.is_list()) {
    const List &x = a.as_list(), &y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!equals(x[i], y[i])) return compare(x[i], y[i], op);
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  raise("'{}' not supported between instances of '{}' and '{}'", op, a.type_name(), b.type_name());
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);  // shortest round trip
  const std::string sci(buf, r.ptr);
  const size_t e = sci.find('e');
  const bool negative = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c >= '0' && c <= '9') digits += c;
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {  // Python's repr switches to exponent notation here
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    return out + fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  const size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) return out + digits + std::string(int_digits - digits.size(), '0') + ".0";
  return out + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

std::string to_json(const Value& v, const JsonOptions& options) {
  std::string out;
  json_value(out, v, options, 0);
  return out;
}

Value from_json_text(const std::string& text, const std::string& what) {
  try {
    return from_json(nlohmann::ordered_json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON ({})", what, e.what());
  }
}

}  // namespace rw::core::detail::jinja

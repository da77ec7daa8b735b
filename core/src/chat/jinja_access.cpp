// Attribute, item and slice access as Jinja2's sandboxed getattr/getitem, the str/dict methods chat
// templates call, and the template's globals (transformers' raise_exception, namespace, dict; range).
#include <algorithm>

#include "jinja_builtins.h"
#include "jinja_params.h"
#include "python_text.h"

namespace rw::core::detail::jinja {
namespace {

std::optional<std::string> optional_string(const Value* v, std::string_view what) {
  if (!v || v->is_none()) return std::nullopt;
  if (!v->is_string()) raise("{} must be a string or None, not '{}'", what, v->type_name());
  return v->as_string();
}

bool affix_match(const std::string& s, const Value& affix, bool prefix, std::string_view method) {
  const List candidates = affix.is_list() ? affix.as_list() : List{affix};
  for (const Value& c : candidates) {
    if (!c.is_string()) raise("{} first arg must be str or a tuple of str, not {}", method, c.type_name());
    const std::string& a = c.as_string();
    if (a.size() <= s.size() && s.compare(prefix ? 0 : s.size() - a.size(), a.size(), a) == 0) return true;
  }
  return false;
}

Value string_method(const std::string& s, const std::string& name, const Args& args) {
  const std::string method = "str." + name + "()";
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Params p(method, args, {"chars"});
    const StripSide side = name == "strip" ? StripSide::Both : name == "lstrip" ? StripSide::Left : StripSide::Right;
    return python_strip(s, side, optional_string(p.get(0), method));
  }
  if (name == "split") {
    Params p(method, args, {"sep", "maxsplit"});
    List parts;
    for (auto& part : python_split(s, optional_string(p.get(0), method), p.get(1) ? p.integer(1) : -1)) parts.emplace_back(part);
    return parts;
  }
  if (name == "startswith" || name == "endswith") {
    Params p(method, args, {"affix"});
    return affix_match(s, p.required(0), name == "startswith", method);
  }
  if (name == "replace") {
    Params p(method, args, {"old", "new", "count"});
    return python_replace(s, p.string(0), p.string(1), p.get(2) ? p.integer(2) : -1);
  }
  Params(method, args, {});
  if (name == "upper") return python_upper(s);
  if (name == "lower") return python_lower(s);
  if (name == "title") return python_title(s);
  if (name == "capitalize") return python_capitalize(s);
  raise("{} is not supported by Ropewalk's chat-template interpreter", method);
}

List dict_items(const Dict& d) {
  List items;
  for (const auto& [key, value] : d) items.push_back(Value::tuple(List{Value(key), value}));
  return items;
}

Value dict_method(const Value& dict, const std::string& name, const Args& args) {
  const std::string method = "dict." + name + "()";
  if (name == "get") {
    Params p(method, args, {"key", "default"});
    const Value& key = p.required(0);
    const Value* found = key.is_string() ? dict_find(dict.as_dict(), key.as_string()) : nullptr;
    return found ? *found : p.get(1) ? *p.get(1) : Value(None{});
  }
  Params(method, args, {});
  List out;
  for (const auto& [key, value] : dict.as_dict()) out.push_back(name == "keys" ? Value(key) : value);
  return name == "items" ? Value(dict_items(dict.as_dict())) : Value(std::move(out));
}

bool is_string_method(std::string_view n) {
  return n == "strip" || n == "lstrip" || n == "rstrip" || n == "split" || n == "startswith" || n == "endswith" ||
         n == "upper" || n == "lower" || n == "replace" || n == "title" || n == "capitalize";
}
bool is_dict_method(std::string_view n) { return n == "items" || n == "keys" || n == "values" || n == "get"; }

std::string missing(const Value& object, std::string_view what) {
  return fmt::format("'{} object' has no attribute '{}'", object.type_name(), what);
}

/// Python's slice.indices(): clamps start/stop for a sequence of `length` items.
void slice_indices(int64_t length, const Value& start, const Value& stop, const Value& step, int64_t& b, int64_t& e,
                   int64_t& s) {
  auto as_index = [](const Value& v, std::string_view what) {
    if (!v.is_number() || v.is_float()) raise("slice {} must be an integer or None, not '{}'", what, v.type_name());
    return v.as_int();
  };
  s = step.is_none() ? 1 : as_index(step, "step");
  if (s == 0) raise("slice step cannot be zero");
  auto clamp = [&](const Value& v, int64_t fallback, std::string_view what) {
    if (v.is_none()) return fallback;
    int64_t i = as_index(v, what);
    if (i < 0) i += length;
    if (s > 0) return std::clamp<int64_t>(i, 0, length);
    return std::clamp<int64_t>(i, -1, length - 1);
  };
  b = clamp(start, s > 0 ? 0 : length - 1, "start");
  e = clamp(stop, s > 0 ? length : -1, "stop");
}

}  // namespace

Value get_attribute(const Value& object, const std::string& name) {
  object.require_defined();
  if (object.is_dict()) {
    if (is_dict_method(name))
      return Function{"dict." + name, [object, name](const Args& a) { return dict_method(object, name, a); }};
    if (const Value* v = dict_find(object.as_dict(), name)) return *v;
  } else if (object.is_string() && is_string_method(name)) {
    return Function{"str." + name, [s = object.as_string(), name](const Args& a) { return string_method(s, name, a); }};
  } else if (object.is_namespace()) {
    if (const Value* v = dict_find(object.as_namespace().attributes, name)) return *v;
  }
  return Value::undefined(missing(object, name));
}

Value get_item(const Value& object, const Value& key) {
  object.require_defined();
  key.require_defined();
  if (object.is_dict() && key.is_string()) {
    if (const Value* v = dict_find(object.as_dict(), key.as_string())) return *v;
    return get_attribute(object, key.as_string());
  }
  if ((object.is_list() || object.is_string()) && key.is_number() && !key.is_float()) {
    const int64_t n = object.length();
    int64_t i = key.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n)
      return Value::undefined(fmt::format("'{} object' has no element {}", object.type_name(), key.as_int()));
    if (object.is_list()) return object.as_list()[static_cast<size_t>(i)];
    return from_code_points(std::u32string(1, to_code_points(object.as_string())[static_cast<size_t>(i)]));
  }
  if (key.is_string()) return get_attribute(object, key.as_string());
  return Value::undefined(fmt::format("'{} object' has no element {}", object.type_name(), key.repr()));
}

Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step) {
  object.require_defined();
  if (!object.is_list() && !object.is_string()) raise("'{}' object is not subscriptable", object.type_name());
  int64_t b = 0, e = 0, s = 1;
  slice_indices(object.length(), start, stop, step, b, e, s);
  if (object.is_list()) {
    List out;
    for (int64_t i = b; s > 0 ? i < e : i > e; i += s) out.push_back(object.as_list()[static_cast<size_t>(i)]);
    return out;
  }
  const std::u32string cps = to_code_points(object.as_string());
  std::u32string out;
  for (int64_t i = b; s > 0 ? i < e : i > e; i += s) out += cps[static_cast<size_t>(i)];
  return from_code_points(out);
}

Value global_function(std::string_view name) {
  if (name == "raise_exception")
    return Function{"raise_exception", [](const Args& a) -> Value {
                      Params p("raise_exception()", a, {"message"});
                      raise("the template raised an error: {}", p.required(0).str());
                    }};
  if (name == "range")
    return Function{"range", [](const Args& a) -> Value {
                      Params p("range()", a, {"start", "stop", "step"});
                      const int64_t start = p.get(1) ? p.integer(0) : 0, stop = p.get(1) ? p.integer(1) : p.integer(0);
                      const int64_t step = p.get(2) ? p.integer(2) : 1;
                      if (step == 0) raise("range() arg 3 must not be zero");
                      List out;
                      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
                        if (out.size() >= 100000) raise("range() is too big for the sandbox (over 100000 items)");
                        out.emplace_back(i);
                      }
                      return out;
                    }};
  if (name == "namespace" || name == "dict")
    return Function{std::string(name), [is_namespace = name == "namespace"](const Args& a) -> Value {
                      Dict attributes;
                      auto put = [&](const std::string& key, const Value& v) {
                        if (is_namespace && !key.empty() && key[0] == '_')
                          raise("Chat templates cannot store underscore-prefixed attributes on a namespace, but got '{}'", key);
                        auto it = std::find_if(attributes.begin(), attributes.end(), [&](auto& kv) { return kv.first == key; });
                        if (it != attributes.end()) it->second = v;
                        else attributes.emplace_back(key, v);
                      };
                      if (a.positional.size() > 1) raise("namespace()/dict() takes at most one positional argument");
                      if (!a.positional.empty()) {
                        if (!a.positional[0].is_dict()) raise("namespace()/dict() needs a dict as its positional argument");
                        for (const auto& [k, v] : a.positional[0].as_dict()) put(k, v);
                      }
                      for (const auto& [k, v] : a.named) put(k, v);
                      if (!is_namespace) return Value(std::move(attributes));
                      auto ns = std::make_shared<Namespace>();
                      ns->attributes = std::move(attributes);
                      return Value(std::move(ns));
                    }};
  if (name == "strftime_now")
    return Function{"strftime_now", [](const Args&) -> Value {
                      raise("strftime_now() is not supported by Ropewalk's chat-template interpreter (the output would "
                            "depend on the clock); pass the date as a variable instead");
                    }};
  return Value::undefined(fmt::format("'{}' is undefined", name));
}

}  // namespace rw::core::detail::jinja

// Binds a builtin's positional and keyword arguments to its Python parameter names. Private to core/chat.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "jinja_value.h"

namespace rw::core::detail::jinja {

class Params {
 public:
  /// Raises for more positional arguments than `names` or an unknown keyword.
  Params(std::string_view function, const Args& args, std::initializer_list<std::string_view> names)
      : function_(function), args_(args), names_(names) {
    if (args.positional.size() > names_.size())
      raise("{} takes at most {} arguments ({} given)", function_, names_.size(), args.positional.size());
    for (const auto& [key, value] : args.named)
      if (std::find(names_.begin(), names_.end(), key) == names_.end())
        raise("{} got an unexpected keyword argument '{}'", function_, key);
  }
  /// The i-th parameter, given by position or by name; null when not given.
  const Value* get(size_t i) const {
    if (i < args_.positional.size()) return &args_.positional[i];
    for (const auto& [key, value] : args_.named)
      if (key == names_[i]) return &value;
    return nullptr;
  }
  const Value& required(size_t i) const {
    const Value* v = get(i);
    if (!v) raise("{} missing required argument '{}'", function_, names_[i]);
    return *v;
  }
  int64_t integer(size_t i) const {
    const Value& v = required(i);
    if (!v.is_number() || v.is_float()) raise("{}: '{}' must be an integer, not '{}'", function_, names_[i], v.type_name());
    return v.as_int();
  }
  const std::string& string(size_t i) const {
    const Value& v = required(i);
    if (!v.is_string()) raise("{}: '{}' must be a string, not '{}'", function_, names_[i], v.type_name());
    return v.as_string();
  }
  bool flag(size_t i, bool fallback) const { return get(i) ? get(i)->truthy() : fallback; }

 private:
  std::string function_;
  const Args& args_;
  std::vector<std::string_view> names_;
};

}  // namespace rw::core::detail::jinja

// Jinja2's filters and tests, transformers' globals and the str/dict methods chat templates call, with
// Python semantics. Private to core/chat.
#pragma once
#include <string>
#include <string_view>

#include "jinja_value.h"

namespace rw::core::detail::jinja {

bool is_supported_filter(std::string_view name);
bool is_supported_test(std::string_view name);

/// subject | name(args); the name must be supported (checked at parse time).
Value apply_filter(std::string_view name, const Value& subject, const Args& args);
/// subject is name(args); the name must be supported (checked at parse time).
bool apply_test(std::string_view name, const Value& subject, const Args& args);

/// obj.name as Jinja2's getattr: a dict key or a str/dict method, a namespace attribute; undefined otherwise.
Value get_attribute(const Value& object, const std::string& name);
/// obj[key] as Jinja2's getitem: list/str index (negative counts from the end), dict key; undefined otherwise.
Value get_item(const Value& object, const Value& key);
Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step);
/// The template's globals: range, namespace, dict, raise_exception, strftime_now (refused when called).
Value global_function(std::string_view name);

}  // namespace rw::core::detail::jinja

// Enum values and their names in files and on the command line, from one table per enum:
//   constexpr std::pair<std::string_view, RopeType> kRopeTypes[] = {{"default", RopeType::Default}, ...};
// The first name of a value is its canonical name; later rows may add aliases ("half" for float16).
// strict_json's read_choice takes the same tables.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/util/error.h"

namespace rw::core {

template <typename E, std::size_t N>
using NameTable = std::pair<std::string_view, E>[N];

/// The canonical name of `value` ("unknown" for a value missing from the table).
template <typename E, std::size_t N>
constexpr std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

/// The value named `name` (canonical names and aliases), or nothing.
template <typename E, std::size_t N>
constexpr std::optional<E> find_value(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [n, v] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

/// The canonical names, in table order: "a, b or c".
template <typename E, std::size_t N>
std::string name_choices(const NameTable<E, N>& table) {
  std::vector<std::string_view> names;
  for (const auto& [name, v] : table) {
    if (name_of(table, v) == name) names.push_back(name);
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += i == 0 ? "" : i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

/// The value named `name`; Error "unknown <what> '<name>' (expected a, b or c)" otherwise.
template <typename E, std::size_t N>
E value_of(const NameTable<E, N>& table, std::string_view name, std::string_view what) {
  if (const auto v = find_value(table, name)) return *v;
  fail("unknown {} '{}' (expected {})", what, name, name_choices(table));
}

}  // namespace rw::core

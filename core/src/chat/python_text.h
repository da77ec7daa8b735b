// Python str semantics that chat templates rely on (Jinja calls Python's str methods): whitespace as
// str.isspace(), strip/split/splitlines, case mapping and code-point indexing. Private to core/chat.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rw::core::detail {

/// Python's str.isspace() for one code point (bidi class WS/B/S or category Zs).
bool python_isspace(char32_t c);

enum class StripSide { Both, Left, Right };
/// str.strip()/lstrip()/rstrip(); `chars` given: strips those code points instead of whitespace.
std::string python_strip(std::string_view s, StripSide side = StripSide::Both,
                         const std::optional<std::string>& chars = std::nullopt);
/// str.split(sep, maxsplit); no sep: runs of whitespace, empty parts dropped. Error for an empty sep.
std::vector<std::string> python_split(std::string_view s, const std::optional<std::string>& sep, long maxsplit = -1);
/// str.splitlines() without keepends.
std::vector<std::string> python_splitlines(std::string_view s);
std::string python_upper(std::string_view s);
std::string python_lower(std::string_view s);
/// str.title(): a cased character after an uncased one is title-cased, the others lowered.
std::string python_title(std::string_view s);
/// str.capitalize(): the first character title-cased, the rest lowered.
std::string python_capitalize(std::string_view s);
/// str.replace(old, new, count) (count < 0: all); an empty `old` inserts between code points.
std::string python_replace(std::string_view s, std::string_view old, std::string_view with, long count = -1);

std::u32string to_code_points(std::string_view s);
std::string from_code_points(std::u32string_view s);

}  // namespace rw::core::detail

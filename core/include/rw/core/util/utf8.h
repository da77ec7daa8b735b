// UTF-8 well-formedness (Unicode's definition: no overlongs, no surrogates, <= U+10FFFF), used by the
// tokenizers and by corpus import to refuse files that are not text, and code point iteration.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rw::core {

/// Length of the well-formed sequence starting at s[i], or the length of its maximal ill-formed
/// subpart (>= 1) negated (Unicode's "maximal subpart" rule, Table 3-7).
long utf8_sequence_length(std::string_view s, size_t i);

/// Byte offset of the first ill-formed sequence, or nothing when s is well-formed.
std::optional<size_t> find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) { return !find_invalid_utf8(s).has_value(); }

/// Decodes the code point starting at s[i] (s must be valid UTF-8) and advances i past it.
char32_t next_code_point(std::string_view s, size_t& i);
/// Decodes the code point that ends at s[end] (exclusive); sets start to its first byte.
char32_t prev_code_point(std::string_view s, size_t end, size_t& start);
void append_utf8(std::string& out, char32_t cp);

}  // namespace rw::core

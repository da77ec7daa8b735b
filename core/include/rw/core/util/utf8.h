// UTF-8 well-formedness (Unicode's definition: no overlongs, no surrogates, <= U+10FFFF), used by the
// tokenizers and by corpus import to refuse files that are not text.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

namespace rw::core {

/// Length of the well-formed sequence starting at s[i], or the length of its maximal ill-formed
/// subpart (>= 1) negated (Unicode's "maximal subpart" rule, Table 3-7).
long utf8_sequence_length(std::string_view s, size_t i);

/// Byte offset of the first ill-formed sequence, or nothing when s is well-formed.
std::optional<size_t> find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) { return !find_invalid_utf8(s).has_value(); }

}  // namespace rw::core

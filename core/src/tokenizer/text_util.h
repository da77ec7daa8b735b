// Internal text helpers for the tokenizers: UTF-8 validation/repair, code point iteration, Unicode
// normalization (ICU) and the character classes HF's added-token matching uses. Not a public header.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "rw/core/util/utf8.h"

namespace rw::core::detail {

using rw::core::is_valid_utf8;

/// s with every ill-formed subsequence replaced by U+FFFD, one per maximal subpart (the rule of Rust's
/// String::from_utf8_lossy and Python's errors="replace", so decode matches HF byte for byte).
std::string utf8_lossy(std::string_view s);

/// Decodes the code point starting at s[i] (s must be valid UTF-8) and advances i past it.
char32_t next_code_point(std::string_view s, size_t& i);
/// Decodes the code point that ends at s[end] (exclusive); sets start to its first byte.
char32_t prev_code_point(std::string_view s, size_t end, size_t& start);
void append_utf8(std::string& out, char32_t cp);

enum class NormalForm { None, NFC, NFD, NFKC, NFKD };
/// Unicode normalization of valid UTF-8 (ICU); ASCII input is returned as is.
std::string normalize(std::string_view s, NormalForm form);

/// Rust's char::is_alphanumeric (Alphabetic or Numeric N*), char::is_whitespace (White_Space).
bool is_alphanumeric(char32_t cp);
bool is_whitespace(char32_t cp);

}  // namespace rw::core::detail

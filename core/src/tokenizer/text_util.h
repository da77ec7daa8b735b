// Internal text helpers for the tokenizers: UTF-8 validation/repair, code point iteration, Unicode
// normalization (ICU) and the character classes HF's added-token matching uses. Not a public header.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "rw/core/util/utf8.h"

namespace rw::core::detail {

using rw::core::append_utf8;
using rw::core::is_valid_utf8;
using rw::core::next_code_point;
using rw::core::prev_code_point;

/// s with every ill-formed subsequence replaced by U+FFFD, one per maximal subpart (the rule of Rust's
/// String::from_utf8_lossy and Python's errors="replace", so decode matches HF byte for byte).
std::string utf8_lossy(std::string_view s);


enum class NormalForm { None, NFC, NFD, NFKC, NFKD };
/// Unicode normalization of valid UTF-8 (ICU); ASCII input is returned as is.
std::string normalize(std::string_view s, NormalForm form);

/// Rust's char::is_alphanumeric (Alphabetic or Numeric N*), char::is_whitespace (White_Space).
bool is_alphanumeric(char32_t cp);
bool is_whitespace(char32_t cp);

}  // namespace rw::core::detail

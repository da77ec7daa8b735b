// GPT-2's reversible byte <-> printable code point map used by byte-level BPE vocabularies
// (bytes 0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF map to themselves; the rest to U+0100..U+0143).
// Not a public header.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace rw::core::detail {

/// The code point that stands for byte b in byte-level vocabularies.
char32_t byte_to_unicode(unsigned char b);

/// The byte a code point stands for, or -1 when cp is not in the byte-level alphabet.
int unicode_to_byte(char32_t cp);

/// Maps raw bytes to their byte-level spelling (UTF-8 of the mapped code points), e.g. " a" -> "Ġa".
std::string to_byte_level(std::string_view bytes);

/// Inverse of to_byte_level; nullopt when a character is outside the byte-level alphabet.
/// token must be valid UTF-8.
std::optional<std::string> from_byte_level(std::string_view token);

}  // namespace rw::core::detail

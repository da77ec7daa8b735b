// GPT-2 byte-level alphabet (see byte_level.h). Built once from the rule, not from a copied table.
#include "byte_level.h"

#include <array>

#include "text_util.h"

namespace rw::core::detail {
namespace {

struct Tables {
  std::array<char32_t, 256> to_cp{};
  std::array<int, 324> to_byte{};  // mapped code points are all < 256 + 68

  Tables() {
    to_byte.fill(-1);
    // Printable bytes keep their own code point; the others take the next free one from U+0100 on,
    // in byte order, so every byte gets a visible, non-whitespace character.
    auto printable = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE); };
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const char32_t cp = printable(b) ? static_cast<char32_t>(b) : next++;
      to_cp[static_cast<size_t>(b)] = cp;
      to_byte[cp] = b;
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

char32_t byte_to_unicode(unsigned char b) { return tables().to_cp[b]; }

int unicode_to_byte(char32_t cp) { return cp < 324 ? tables().to_byte[cp] : -1; }

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(out, byte_to_unicode(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> from_byte_level(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size();) {
    const int b = unicode_to_byte(next_code_point(token, i));
    if (b < 0) return std::nullopt;
    out.push_back(static_cast<char>(b));
  }
  return out;
}

}  // namespace rw::core::detail

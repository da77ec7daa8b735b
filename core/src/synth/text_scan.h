// Whitespace helpers the generators share when they cut corpus text at word and sentence boundaries and tidy
// model replies. Private to core/synth.
#pragma once
#include <string>
#include <string_view>

namespace rw::core::synth_text {

/// The whitespace the generators cut at: space, tab, newline, carriage return.
inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/// `s` without leading and trailing whitespace.
inline std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace rw::core::synth_text

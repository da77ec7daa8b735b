#include "rw/core/tokenizer/token_pieces.h"

#include <string_view>

namespace rw::core {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD: what decode writes for a partial character
constexpr size_t kMaxBytesPerCharacter = 4;

// The text ids[i, j) add after ids[i - 1]: decoded behind that id and cut after its own text, because a
// decoder may write a piece differently at the start of a text (sentencepiece drops the leading space).
std::string piece_of(const Tokenizer& tokenizer, const std::vector<std::int32_t>& ids, size_t i, size_t j) {
  const std::vector<std::int32_t> alone(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                        ids.begin() + static_cast<std::ptrdiff_t>(j));
  if (i == 0) return tokenizer.decode(alone, false);
  std::vector<std::int32_t> behind{ids[i - 1]};
  const std::string before = tokenizer.decode(behind, false);
  behind.insert(behind.end(), alone.begin(), alone.end());
  const std::string both = tokenizer.decode(behind, false);
  if (both.starts_with(before)) return both.substr(before.size());
  return tokenizer.decode(alone, false);
}

}  // namespace

TokenPieces token_pieces(const Tokenizer& tokenizer, const std::vector<std::int32_t>& ids) {
  TokenPieces out;
  out.begin.reserve(ids.size());
  size_t i = 0;
  while (i < ids.size()) {
    size_t j = i + 1;
    std::string piece = piece_of(tokenizer, ids, i, j);
    // A character split over byte tokens decodes as U+FFFD until its last byte is in.
    while (piece.ends_with(kReplacement) && j < ids.size() && j - i < kMaxBytesPerCharacter)
      piece = piece_of(tokenizer, ids, i, ++j);
    for (size_t k = i; k < j; ++k) out.begin.push_back(static_cast<std::int64_t>(out.text.size()));
    out.text += piece;
    i = j;
  }
  return out;
}

}  // namespace rw::core

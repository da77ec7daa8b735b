// Where each token of an id sequence sits in its decoded text, for views that draw token boundaries (the
// sample inspector's token view). Not tokenizing (tokenizer.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

struct TokenPieces {
  std::string text;                 ///< the pieces joined: the ids decoded, special tokens written out
  std::vector<std::int64_t> begin;  ///< per id, the byte offset in text where its piece starts
};

/// Decodes every id as the text it adds after the id before it (so a sentencepiece word keeps its leading
/// space). Ids that each hold part of one UTF-8 character (byte-level tokens) are decoded together: the
/// first gets the character and the rest an empty piece at the same offset, so no boundary splits a
/// character. Each piece ends where the next begins; the last ends at text.size().
TokenPieces token_pieces(const Tokenizer& tokenizer, const std::vector<std::int32_t>& ids);

}  // namespace rw::core

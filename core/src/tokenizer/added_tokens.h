// Finds added tokens in text the way HF tokenizers' AddedVocabulary does: leftmost match, longest at
// that position, non-overlapping, with the lstrip/rstrip/single_word options. Not a public header.
#pragma once
#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core::detail {

class AddedTokenMatcher {
 public:
  /// A slice of the text: plain text (token < 0) or a matched added token (index into tokens()).
  struct Piece {
    size_t begin = 0, end = 0;
    int32_t token = -1;
  };

  /// content may differ from token.content (e.g. the normalized spelling); empty contents are ignored.
  void add(const AddedToken& token, std::string_view content);
  bool empty() const { return tokens_.empty(); }
  const AddedToken& token(int32_t index) const { return tokens_[static_cast<size_t>(index)]; }

  /// Splits text (valid UTF-8) into plain pieces and matches, in order; empty plain pieces are dropped.
  void split(std::string_view text, std::vector<Piece>& out) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;
    int32_t token = -1;
  };
  int32_t child(int32_t node, unsigned char byte) const;

  std::vector<Node> nodes_{Node{}};
  std::vector<AddedToken> tokens_;
  std::bitset<256> first_bytes_;
};

}  // namespace rw::core::detail

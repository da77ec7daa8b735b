// Added-token matching over a byte trie (see added_tokens.h).
#include "added_tokens.h"

#include <algorithm>

#include "text_util.h"

namespace rw::core::detail {

int32_t AddedTokenMatcher::child(int32_t node, unsigned char byte) const {
  for (const auto& [b, next] : nodes_[static_cast<size_t>(node)].children)
    if (b == byte) return next;
  return -1;
}

void AddedTokenMatcher::add(const AddedToken& token, std::string_view content) {
  if (content.empty()) return;
  int32_t node = 0;
  for (char c : content) {
    const auto b = static_cast<unsigned char>(c);
    int32_t next = child(node, b);
    if (next < 0) {
      next = static_cast<int32_t>(nodes_.size());
      nodes_[static_cast<size_t>(node)].children.emplace_back(b, next);
      nodes_.emplace_back();
    }
    node = next;
  }
  first_bytes_.set(static_cast<unsigned char>(content[0]));
  // A later token with the same spelling wins, as a later insert into HF's map does.
  nodes_[static_cast<size_t>(node)].token = static_cast<int32_t>(tokens_.size());
  tokens_.push_back(token);
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Piece>& out) const {
  size_t plain_begin = 0;  // end of the previous match
  size_t pos = 0;
  const size_t n = text.size();
  while (pos < n) {
    if (!first_bytes_.test(static_cast<unsigned char>(text[pos]))) {
      ++pos;
      continue;
    }
    int32_t node = 0, best = -1;
    size_t best_end = 0;
    for (size_t j = pos; j < n; ++j) {
      node = child(node, static_cast<unsigned char>(text[j]));
      if (node < 0) break;
      if (nodes_[static_cast<size_t>(node)].token >= 0) {
        best = nodes_[static_cast<size_t>(node)].token;
        best_end = j + 1;
      }
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    const AddedToken& tok = tokens_[static_cast<size_t>(best)];
    size_t start = pos, stop = best_end;
    if (tok.single_word) {
      size_t at = 0;
      const bool word_before = start > 0 && is_alphanumeric(prev_code_point(text, start, at));
      size_t after = stop;
      const bool word_after = stop < n && is_alphanumeric(next_code_point(text, after));
      if (word_before || word_after) {  // HF's matcher has consumed the span either way
        pos = stop;
        continue;
      }
    }
    if (tok.lstrip) {
      while (start > plain_begin) {
        size_t cp_start = 0;
        if (!is_whitespace(prev_code_point(text, start, cp_start))) break;
        start = cp_start;
      }
    }
    if (tok.rstrip) {
      while (stop < n) {
        size_t next = stop;
        if (!is_whitespace(next_code_point(text, next))) break;
        stop = next;
      }
    }
    if (start > plain_begin) out.push_back({plain_begin, start, -1});
    out.push_back({start, stop, best});
    plain_begin = stop;
    pos = stop;
  }
  if (plain_begin < n) out.push_back({plain_begin, n, -1});
}

}  // namespace rw::core::detail

// BPE merge loop (see bpe_model.h). The queue discipline mirrors HF so ties and stale entries resolve
// the same way: pop the lowest (rank, position), skip entries whose pair no longer yields that id.
#include "bpe_model.h"

#include <fmt/format.h>

#include <queue>

#include "byte_level.h"
#include "rw/core/util/error.h"
#include "text_util.h"

namespace rw::core::detail {

BpeModel::BpeModel(const std::unordered_map<std::string, int32_t>& vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeModelOptions options)
    : options_(std::move(options)) {
  auto lookup = [&](const std::string& token, size_t rank) {
    auto it = vocab.find(token);
    if (it == vocab.end()) fail("merge #{} uses token '{}', which is not in the vocab", rank, token);
    return it->second;
  };
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const int32_t a_id = lookup(a, rank), b_id = lookup(b, rank), merged = lookup(a + b, rank);
    merges_.insert_or_assign(pair_key(a_id, b_id), std::pair{static_cast<int32_t>(rank), merged});
  }
  if (options_.ignore_merges) {
    raw_vocab_.reserve(vocab.size());
    for (const auto& [token, id] : vocab)
      if (auto raw = from_byte_level(token)) raw_vocab_.emplace(std::move(*raw), id);
  }
  for (int b = 0; b < 256; ++b) {
    std::string symbol;
    append_utf8(symbol, byte_to_unicode(static_cast<unsigned char>(b)));
    auto it = vocab.find(symbol);
    byte_ids_[static_cast<size_t>(b)] = it == vocab.end() ? -1 : it->second;
    if (options_.byte_fallback && it == vocab.end()) {
      std::vector<int32_t> ids;
      for (char c : symbol) {
        auto fb = vocab.find(fmt::format("<0x{:02X}>", static_cast<unsigned char>(c)));
        if (fb == vocab.end()) {
          ids.clear();
          break;
        }
        ids.push_back(fb->second);
      }
      byte_fallback_ids_[static_cast<size_t>(b)] = std::move(ids);
    }
  }
  if (options_.unk_token) {
    auto it = vocab.find(*options_.unk_token);
    if (it == vocab.end()) fail("unk_token '{}' is not in the vocab", *options_.unk_token);
    unk_id_ = it->second;
  }
}

void BpeModel::encode_word(std::string_view bytes, std::vector<int32_t>& out) const {
  if (bytes.empty()) return;
  if (options_.ignore_merges) {
    if (auto it = raw_vocab_.find(std::string(bytes)); it != raw_vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  const bool cacheable = bytes.size() <= kMaxCachedWord;
  std::string key;
  if (cacheable) {
    key.assign(bytes);
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  merge_word(bytes, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.emplace(std::move(key), std::move(ids));
  }
}

void BpeModel::merge_word(std::string_view bytes, std::vector<int32_t>& out) const {
  struct Symbol {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(bytes.size());
  auto add = [&](int32_t id) {
    const auto index = static_cast<int32_t>(symbols.size());
    if (!symbols.empty()) symbols.back().next = index;
    symbols.push_back({id, index - 1, -1, true});
  };
  int32_t pending_unk = -1;  // HF adds an unknown symbol lazily so fuse_unk can extend it
  for (char c : bytes) {
    const auto b = static_cast<size_t>(static_cast<unsigned char>(c));
    if (byte_ids_[b] >= 0) {
      if (pending_unk >= 0) add(pending_unk), pending_unk = -1;
      add(byte_ids_[b]);
      continue;
    }
    if (!byte_fallback_ids_[b].empty()) {
      for (int32_t id : byte_fallback_ids_[b]) add(id);
      continue;
    }
    if (unk_id_) {
      if (pending_unk >= 0 && !options_.fuse_unk) add(pending_unk);
      pending_unk = *unk_id_;
    }
    // No unk token: HF drops the symbol.
  }
  if (pending_unk >= 0) add(pending_unk);

  struct Merge {
    int32_t rank, pos, new_id;
    bool operator>(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Merge, std::vector<Merge>, std::greater<>> queue;
  auto find = [&](int32_t a, int32_t b) -> const std::pair<int32_t, int32_t>* {
    auto it = merges_.find(pair_key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (auto m = find(symbols[i].id, symbols[i + 1].id))
      queue.push({m->first, static_cast<int32_t>(i), m->second});
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& left = symbols[static_cast<size_t>(top.pos)];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    auto current = find(left.id, right.id);
    if (current == nullptr || current->second != top.new_id) continue;  // stale entry
    left.id = top.new_id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = top.pos;
    if (left.prev >= 0)
      if (auto m = find(symbols[static_cast<size_t>(left.prev)].id, left.id))
        queue.push({m->first, left.prev, m->second});
    if (left.next >= 0)
      if (auto m = find(left.id, symbols[static_cast<size_t>(left.next)].id))
        queue.push({m->first, top.pos, m->second});
  }
  for (const auto& s : symbols)
    if (s.alive) out.push_back(s.id);
}

}  // namespace rw::core::detail

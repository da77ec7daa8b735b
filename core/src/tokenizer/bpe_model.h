// The BPE merge loop over raw bytes of one pre-token, with a rank map and a per-word cache, matching
// HF tokenizers' models::bpe (lowest rank first, leftmost on ties; ignore_merges; unk/fuse_unk;
// byte_fallback). The vocabulary is given in byte-level spelling. Not a public header.
#pragma once
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rw::core::detail {

struct BpeModelOptions {
  bool ignore_merges = false;  // a pre-token that is itself in the vocab is emitted whole (Llama-3)
  std::optional<std::string> unk_token;
  bool fuse_unk = false;
  bool byte_fallback = false;
};

class BpeModel {
 public:
  /// vocab and merges in byte-level spelling; Error naming the merge when one of its parts or its
  /// result is not in vocab.
  BpeModel(const std::unordered_map<std::string, int32_t>& vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeModelOptions options);

  /// Appends the ids of one pre-token given as raw bytes.
  void encode_word(std::string_view bytes, std::vector<int32_t>& out) const;

 private:
  void merge_word(std::string_view bytes, std::vector<int32_t>& out) const;
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  BpeModelOptions options_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (a,b) -> (rank, merged id)
  std::unordered_map<std::string, int32_t> raw_vocab_;  // raw bytes -> id, for ignore_merges
  std::array<int32_t, 256> byte_ids_{};                 // id of each single byte's symbol, -1 if absent
  std::array<std::vector<int32_t>, 256> byte_fallback_ids_;  // <0xXX> ids of the symbol's UTF-8 bytes
  std::optional<int32_t> unk_id_;

  static constexpr size_t kCacheCapacity = 100000;
  static constexpr size_t kMaxCachedWord = 256;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

}  // namespace rw::core::detail

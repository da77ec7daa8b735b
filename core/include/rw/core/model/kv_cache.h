// Key/value cache for incremental decoding: one buffer per layer, filled left to right, grown as needed.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace rw::core {

class KVCache {
 public:
  /// Buffers of [batch, kv_heads, capacity, head_dim] per layer, allocated on first append. `capacity` is the
  /// first allocation only: a buffer that fills up doubles, so memory follows the positions actually cached
  /// (a generation that stops at EOS never pays for its max_new_tokens).
  KVCache(int64_t num_layers, int64_t capacity);

  /// Appends this step's keys/values for `layer` and returns the full keys/values so far.
  /// All layers of one forward step append the same length; commit() advances the shared length.
  std::pair<at::Tensor, at::Tensor> append(int64_t layer,
                                           const at::Tensor& keys,     // [B, Hkv, T, D]
                                           const at::Tensor& values);  // [B, Hkv, T, D]
  /// Marks `steps` new positions as written (called once per forward, after all layers appended).
  void commit(int64_t steps);
  int64_t length() const { return length_; }
  /// Positions allocated in layer 0's buffer (the initial capacity before the first append).
  int64_t capacity() const;

 private:
  std::vector<at::Tensor> keys_, values_;
  int64_t initial_capacity_;
  int64_t length_ = 0;
};

}  // namespace rw::core

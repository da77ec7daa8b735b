#include "rw/core/model/kv_cache.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

// A buffer of `capacity` positions shaped like `like`, holding the first `length` positions of `old`.
at::Tensor regrown(const at::Tensor& old, const at::Tensor& like, int64_t capacity, int64_t length) {
  auto buffer = at::empty({like.size(0), like.size(1), capacity, like.size(3)}, like.options());
  if (old.defined() && length > 0) buffer.narrow(/*dim=*/2, 0, length).copy_(old.narrow(2, 0, length));
  return buffer;
}

}  // namespace

KVCache::KVCache(int64_t num_layers, int64_t capacity)
    : keys_(static_cast<size_t>(num_layers)), values_(static_cast<size_t>(num_layers)),
      initial_capacity_(std::max<int64_t>(capacity, 1)) {}

int64_t KVCache::capacity() const {
  return !keys_.empty() && keys_.front().defined() ? keys_.front().size(2) : initial_capacity_;
}

std::pair<at::Tensor, at::Tensor> KVCache::append(int64_t layer, const at::Tensor& keys, const at::Tensor& values) {
  RW_CHECK(layer >= 0 && layer < static_cast<int64_t>(keys_.size()), "layer {} out of range", layer);
  const int64_t steps = keys.size(2), needed = length_ + steps;
  auto& k = keys_[static_cast<size_t>(layer)];
  auto& v = values_[static_cast<size_t>(layer)];
  if (!k.defined() || k.size(2) < needed) {
    // Doubling keeps the copies amortised O(1) per position.
    const int64_t capacity = std::max(needed, k.defined() ? 2 * k.size(2) : initial_capacity_);
    k = regrown(k, keys, capacity, length_);
    v = regrown(v, values, capacity, length_);
  }
  k.narrow(/*dim=*/2, length_, steps).copy_(keys);
  v.narrow(/*dim=*/2, length_, steps).copy_(values);
  return {k.narrow(2, 0, needed), v.narrow(2, 0, needed)};
}

void KVCache::commit(int64_t steps) { length_ += steps; }

}  // namespace rw::core

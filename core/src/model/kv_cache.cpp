#include "rw/core/model/kv_cache.h"

#include <ATen/ATen.h>

#include "rw/core/util/error.h"

namespace rw::core {

KVCache::KVCache(int64_t num_layers, int64_t capacity)
    : keys_(static_cast<size_t>(num_layers)), values_(static_cast<size_t>(num_layers)), capacity_(capacity) {}

std::pair<at::Tensor, at::Tensor> KVCache::append(int64_t layer, const at::Tensor& keys, const at::Tensor& values) {
  RW_CHECK(layer >= 0 && layer < static_cast<int64_t>(keys_.size()), "layer {} out of range", layer);
  const int64_t steps = keys.size(2);
  if (length_ + steps > capacity_)
    fail("KV cache full: {} cached + {} new positions exceed its capacity of {}", length_, steps, capacity_);
  auto& k = keys_[static_cast<size_t>(layer)];
  auto& v = values_[static_cast<size_t>(layer)];
  if (!k.defined()) {
    k = at::empty({keys.size(0), keys.size(1), capacity_, keys.size(3)}, keys.options());
    v = at::empty({values.size(0), values.size(1), capacity_, values.size(3)}, values.options());
  }
  k.narrow(/*dim=*/2, length_, steps).copy_(keys);
  v.narrow(/*dim=*/2, length_, steps).copy_(values);
  return {k.narrow(2, 0, length_ + steps), v.narrow(2, 0, length_ + steps)};
}

void KVCache::commit(int64_t steps) { length_ += steps; }

}  // namespace rw::core

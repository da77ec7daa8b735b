#include "rw/kernels/rotary.h"

#include <ATen/ATen.h>

namespace rw::kernels {

std::pair<at::Tensor, at::Tensor> rotary_cos_sin(const at::Tensor& inv_freq, const at::Tensor& position_ids,
                                                 double attention_scale, at::ScalarType dtype) {
  auto inv = inv_freq.to(position_ids.device(), at::kFloat);
  auto pos = position_ids.to(at::kFloat);
  auto freqs = pos.unsqueeze(-1) * inv.view({1, 1, -1});  // [B, T, D/2]
  auto emb = at::cat({freqs, freqs}, /*dim=*/-1);          // [B, T, D]
  auto cos = emb.cos() * attention_scale;
  auto sin = emb.sin() * attention_scale;
  return {cos.to(dtype), sin.to(dtype)};
}

at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const auto half = x.size(-1) / 2;
  auto x1 = x.narrow(-1, 0, half);
  auto x2 = x.narrow(-1, half, half);
  auto rotated = at::cat({-x2, x1}, /*dim=*/-1);
  auto c = cos.unsqueeze(1);  // broadcast over heads
  auto s = sin.unsqueeze(1);
  return x * c + rotated * s;
}

}  // namespace rw::kernels

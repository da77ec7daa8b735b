// Rotary position embedding in the half-split layout used by HF Llama-family checkpoints.
#pragma once
#include <ATen/core/Tensor.h>

namespace rw::kernels {

/// Builds cos/sin tables for the given positions:
/// freqs = positions ⊗ inv_freq, emb = cat(freqs, freqs); cos = cos(emb) * scale, sin likewise.
/// Computed in fp32 (as HF does, autocast disabled) and returned in `dtype`.
std::pair<at::Tensor, at::Tensor> rotary_cos_sin(const at::Tensor& inv_freq,      // [D/2] fp32
                                                 const at::Tensor& position_ids,  // [B, T] int64
                                                 double attention_scale, at::ScalarType dtype);
// returns cos, sin: [B, T, D]

/// x * cos + rotate_half(x) * sin, where rotate_half(x) = cat(-x2, x1).
at::Tensor apply_rotary(const at::Tensor& x,    // [B, H, T, D]
                        const at::Tensor& cos,  // [B, T, D]
                        const at::Tensor& sin); // [B, T, D]

}  // namespace rw::kernels

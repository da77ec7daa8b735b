// How one forward pass masks attention: plain causal, a dense additive bias (padding, sliding windows,
// documents with a cache), or document masking computed chunk by chunk so no [B, 1, T, T] tensor exists.
// A chunk holds whole documents of one row, at most `chunk_tokens` tokens unless one document is longer
// (it is then its own chunk): a one-document chunk is plain causal attention (flash kernels apply), a
// chunk of several documents gets a block-diagonal causal bias of its own size only. Memory for masks
// is then O(T * chunk_tokens) instead of O(T^2). Not the attention modules themselves (llama.h).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace rw::core {

struct AttentionMask {
  /// Additive bias [B, 1, T, S] (0 where allowed, dtype-min where masked); undefined = plain causal
  /// attention, or `chunks` applies.
  at::Tensor bias;
  /// Document chunks [N, 3] int64 on the CPU: (batch row, begin, end), tiling every row in order.
  at::Tensor chunks;
  /// Per chunk: its block-diagonal causal bias [1, 1, L, L], or undefined for a one-document chunk.
  std::vector<at::Tensor> chunk_biases;
};

/// The additive bias [B, 1, T, S] combining causality, an optional sliding window, padding and document
/// segments; undefined when plain causal attention suffices.
at::Tensor build_attention_bias(const at::Tensor& attention_mask,  // [B, S] or undefined
                                const at::Tensor& segment_ids,     // [B, T] (past_len 0) or undefined
                                int64_t batch, int64_t query_len, int64_t past_len, int64_t window,
                                at::ScalarType dtype, at::Device device);

/// The mask for one window size. Document masking (segment ids, no padding, no cache, no window shorter
/// than the sequence) is chunked when chunk_tokens > 0 and every segment id is one contiguous run per
/// row (as packing writes them); anything else gets build_attention_bias.
AttentionMask build_attention_mask(const at::Tensor& attention_mask,  // [B, S] or undefined
                                   const at::Tensor& segment_ids,     // [B, T] (past_len 0) or undefined
                                   int64_t batch, int64_t query_len, int64_t past_len, int64_t window,
                                   int64_t chunk_tokens, at::ScalarType dtype, at::Device device);

/// Scaled dot-product attention under `mask` (q, k, v after RoPE; GQA when their head counts differ).
at::Tensor masked_attention(const at::Tensor& q,                       // [B, H, T, D]
                            const at::Tensor& k,                       // [B, Hkv, S, D]
                            const at::Tensor& v,                       // [B, Hkv, S, D]
                            const AttentionMask& mask, double scale);  // -> [B, H, T, D]

}  // namespace rw::core

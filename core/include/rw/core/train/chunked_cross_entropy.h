// Next-token cross-entropy through the LM head, computed a block of rows at a time so the [tokens, vocab]
// logits never exist in full (in fp32 or otherwise) — neither in forward nor in backward, which recomputes
// each block's logits instead of keeping them. With a 128K vocabulary at 16K tokens, full fp32 logits
// alone would be 8 GiB.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>

namespace rw::core {

enum class LossReduction { Mean, Sum };

struct ChunkedCrossEntropyOptions {
  std::int64_t chunk_rows = 4096;  // rows of logits materialized at a time
  std::int64_t ignore_index = -100;
  LossReduction reduction = LossReduction::Mean;  // Mean: over rows whose label is not ignore_index
};

/// loss of softmax(hidden @ weight^T) against labels, with logits and softmax in fp32 whatever the input
/// dtype. hidden [N, H] and weight [V, H] get gradients (autograd); labels [N] int64, ignore_index
/// skipped. Mean over zero counted rows is 0 (not NaN), so an all-masked batch contributes nothing.
/// Error naming the argument on shape, dtype or label-range mismatches.
at::Tensor chunked_cross_entropy(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& labels,
                                 const ChunkedCrossEntropyOptions& options = {});

}  // namespace rw::core

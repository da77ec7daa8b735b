// Perplexity by token position: truncated-window PPL in the YaRN style
// (each document cut to its first L tokens, BOS included, one forward, mean over documents) plus the
// per-position NLL curve averaged over documents and bucketed. One forward pass, no generation; the LM
// head is applied a block of rows at a time with log-softmax in fp32, so [T, V] fp32 logits never exist.
// Not a training loss (train/chunked_cross_entropy.h has gradients; this has none).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "rw/core/model/llama.h"

namespace rw::core {

/// Next-token NLL of every position: out[b, t] = -log p(ids[b, t+1] | ids[b, <=t]), fp32, in nats.
/// block_rows rows of logits are materialized at a time (in fp32). Runs under no-grad.
at::Tensor token_nll(LlamaForCausalLM& model,
                     const at::Tensor& ids,            // [B, T] int64
                     std::int64_t block_rows = 1024);  // -> [B, T-1] fp32

struct PerplexityBucket {
  std::int64_t start = 0;  ///< first position (index of the predicted token in the window) in the bucket
  std::int64_t end = 0;    ///< one past the last
  double mean_nll = 0;     ///< mean over positions in the bucket and documents
};

struct PerplexityResult {
  std::int64_t length = 0;           ///< window L in tokens (BOS included)
  std::int64_t documents = 0;        ///< documents with at least L tokens that were scored
  double mean_nll = 0;               ///< token mean over all scored positions and documents
  double mean_doc_ppl = 0;           ///< mean over documents of exp(document's token-mean NLL) (YaRN's figure)
  std::vector<double> position_nll;  ///< [L-1]: mean NLL of predicting the token at position t+1
  std::vector<PerplexityBucket> buckets;
};

/// Scores every document (token ids, BOS already prepended) that has at least `length` tokens, on its first
/// `length` tokens, one document per forward. Error naming the length and the longest document when none
/// is long enough.
PerplexityResult perplexity_by_position(LlamaForCausalLM& model,
                                        const std::vector<std::vector<std::int32_t>>& documents, std::int64_t length,
                                        std::int64_t bucket_tokens = 256, std::int64_t block_rows = 1024);

}  // namespace rw::core

// RoPE inverse frequencies and attention scaling for every rope type HF supports in the Llama family.
// Pure functions of the config, computed in fp32 with the same operation order as transformers so the
// results agree element for element. RotaryEmbedding holds the dynamic-NTK state on top of these.
#pragma once
#include <ATen/core/Tensor.h>

#include <optional>

#include "rw/core/config/model_config.h"

namespace rw::core {

struct RopeFrequencies {
  at::Tensor inv_freq;             // [head_dim / 2] fp32, CPU
  double attention_scaling = 1.0;  // multiplies cos and sin (yarn)
};

/// Frequencies for `config`. `seq_len` matters only for dynamic NTK (the current sequence length;
/// values at or below max_position_embeddings give the unscaled base).
RopeFrequencies rope_frequencies(const ModelConfig& config, std::optional<int64_t> seq_len = std::nullopt);

/// Rotary cos/sin for given positions, with HF's dynamic-NTK growth/reset behaviour: the frequencies
/// are recomputed when a batch reaches past the longest length seen, and reset once it is back within
/// the original length. One per model, like transformers' rotary embedding module.
class RotaryEmbedding {
 public:
  explicit RotaryEmbedding(const ModelConfig& config);
  /// cos, sin: [B, T, head_dim] in `dtype` on the device of position_ids.
  std::pair<at::Tensor, at::Tensor> operator()(const at::Tensor& position_ids,  // [B, T] int64
                                               at::ScalarType dtype);
  const RopeFrequencies& frequencies() const { return current_; }

 private:
  ModelConfig config_;
  RopeFrequencies original_;
  RopeFrequencies current_;
  int64_t max_seq_len_cached_ = 0;
};

}  // namespace rw::core

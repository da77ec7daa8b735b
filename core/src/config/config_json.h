// JSON pieces that config.json (model_config.cpp) and run configs (run_config.cpp) write alike: the decoder's
// shape, and a RopeConfig's scaling fields (config.json's rope_parameters and a stage's rope.scaling differ
// only in how they name the type and theta). Private to config/.
#pragma once
#include "rw/core/config/model_config.h"

namespace rw::core {

/// Writes the decoder's shape (ModelConfig and a run config's ScratchModel name these fields alike).
template <typename Shape, typename Json>
void write_shape(const Shape& m, Json& out) {
  out["hidden_size"] = m.hidden_size;
  out["intermediate_size"] = m.intermediate_size;
  out["num_hidden_layers"] = m.num_hidden_layers;
  out["num_attention_heads"] = m.num_attention_heads;
  out["num_key_value_heads"] = m.num_key_value_heads;
  out["max_position_embeddings"] = m.max_position_embeddings;
}

/// Writes factor, original_max_position_embeddings and the fields of the rope type (yarn: attention
/// factor, betas, mscales, truncate; llama3: frequency factors) into `out`; nothing for the default type.
template <typename Json>
void write_rope_scaling(const RopeConfig& rope, Json& out) {
  if (rope.type == RopeType::Default) return;
  out["factor"] = rope.factor;
  if (rope.original_max_position_embeddings) out["original_max_position_embeddings"] = *rope.original_max_position_embeddings;
  if (rope.type == RopeType::Yarn) {
    if (rope.attention_factor) out["attention_factor"] = *rope.attention_factor;
    if (rope.beta_fast) out["beta_fast"] = *rope.beta_fast;
    if (rope.beta_slow) out["beta_slow"] = *rope.beta_slow;
    if (rope.mscale) out["mscale"] = *rope.mscale;
    if (rope.mscale_all_dim) out["mscale_all_dim"] = *rope.mscale_all_dim;
    if (!rope.truncate) out["truncate"] = false;
  }
  if (rope.type == RopeType::Llama3) {
    out["low_freq_factor"] = rope.low_freq_factor;
    out["high_freq_factor"] = rope.high_freq_factor;
  }
}

}  // namespace rw::core

// What a user wants to know about a model before loading it: size, context, RoPE, memory.
#pragma once
#include <cstdint>
#include <string>

#include "rw/core/config/model_config.h"

namespace rw::core {

struct ModelSummary {
  int64_t parameters = 0;
  int64_t weight_bytes = 0;        ///< parameters x bytes of the stored dtype
  int64_t kv_bytes_per_token = 0;  ///< K and V over all layers, in the stored dtype
  int64_t context_length = 0;      ///< max_position_embeddings
  std::string rope;                ///< e.g. "yarn factor 4 over 8192 (theta 500000)"
};

ModelSummary summarize(const ModelConfig& config);
/// The longest sequence (prompt + generated tokens) the model is configured for: max_position_embeddings, times
/// the factor for dynamic NTK, whose configs state the original length and which exists to run past it.
int64_t context_limit(const ModelConfig& config);
/// Multi-line human-readable report (ropewalk-cli model info).
std::string format_summary(const ModelConfig& config);
/// The same as one JSON object (ropewalk-cli model info --json; the GUI reads this).
std::string summary_json(const ModelConfig& config);

}  // namespace rw::core

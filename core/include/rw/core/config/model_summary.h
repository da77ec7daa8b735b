// What a user wants to know about a model before loading it: size, context, RoPE, memory; and whether its
// sizes can be allocated at all, checked before anything is.
#pragma once
#include <cstdint>
#include <optional>
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
/// Bytes for people: "1.5 GiB".
std::string human_bytes(double bytes);

/// Refuses sizes no machine can hold, so that config.json is the error rather than the allocator: a vocab_size
/// past 32-bit token ids, more than 65536 layers, weights beyond 1 PiB (which also keeps every size product
/// inside int64). The Error names `origin`, the key that accounts for most of the weights, and their bytes.
/// parse_model_config calls this.
void check_model_sizes(const ModelConfig& config, const std::string& origin);

/// Refuses weights of `element_bytes` per parameter that do not fit in `available_bytes` of `where` (e.g.
/// "cpu"); nothing to check when the available memory is unknown. The Error names `origin`, the key that
/// accounts for most of the weights, the bytes they need and the bytes available.
void check_weights_fit(const ModelConfig& config, int64_t element_bytes, std::optional<int64_t> available_bytes,
                       const std::string& where, const std::string& origin);

/// Multi-line human-readable report (ropewalk-cli model info).
std::string format_summary(const ModelConfig& config);
/// The same as one JSON object (ropewalk-cli model info --json; the GUI reads this).
std::string summary_json(const ModelConfig& config);

}  // namespace rw::core

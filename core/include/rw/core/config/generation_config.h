// Decoding settings: HF generation_config.json fields Ropewalk honours, plus stop strings and seed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rw/core/config/model_config.h"

namespace rw::core {

struct GenerationConfig {
  int64_t max_new_tokens = 64;
  bool do_sample = false;          ///< false = greedy
  double temperature = 1.0;
  int64_t top_k = 0;               ///< 0 = off
  double top_p = 1.0;              ///< 1 = off
  double repetition_penalty = 1.0; ///< 1 = off (HF/CTRL rule: divide positive logits, multiply negative)
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;
  std::optional<int64_t> bos_token_id;
  std::vector<std::string> stop_strings;
  uint64_t seed = 0;
};

/// Greedy decoding with config.json's special token ids (eos, pad, bos).
GenerationConfig generation_defaults(const ModelConfig& model);
/// generation_defaults, overridden by generation_config.json when `dir` has one.
/// Errors name the file and the key.
GenerationConfig read_generation_config(const std::filesystem::path& dir, const ModelConfig& model);
std::string generation_config_to_json(const GenerationConfig& config);

}  // namespace rw::core

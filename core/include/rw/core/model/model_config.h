// Hyper-parameters of a Llama-family decoder as HF's config.json states them (Llama 2/3/3.1/3.2,
// Mistral, Qwen2), validated on read. Not the runtime state of a model (see rotary_embedding.h, llama.h).
#pragma once
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rw::core {

enum class RopeType { Default, Linear, Dynamic, Yarn, Llama3 };

/// RoPE settings: HF's rope_parameters (transformers 5) or rope_theta + rope_scaling (4.x).
struct RopeConfig {
  RopeType type = RopeType::Default;
  double theta = 10000.0;
  double factor = 1.0;                                    ///< linear, dynamic, yarn, llama3
  std::optional<int64_t> original_max_position_embeddings;  ///< yarn, llama3
  std::optional<double> attention_factor;                 ///< yarn: explicit cos/sin scale
  std::optional<double> beta_fast, beta_slow;             ///< yarn ramp bounds (default 32 / 1)
  std::optional<double> mscale, mscale_all_dim;           ///< yarn (DeepSeek-style attention factor)
  bool truncate = true;                                   ///< yarn: round the correction range
  double low_freq_factor = 1.0, high_freq_factor = 4.0;   ///< llama3
};

enum class ModelFamily { Llama, Mistral, Qwen2 };

struct ModelConfig {
  ModelFamily family = ModelFamily::Llama;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  RopeConfig rope;
  bool tie_word_embeddings = false;
  bool attention_bias = false;  ///< q/k/v biases (always on for Qwen2); o_proj bias too for Llama
  bool o_proj_bias = false;
  bool mlp_bias = false;
  /// Sliding-window size per layer; 0 = full attention.
  std::vector<int64_t> layer_windows;
  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;
  c10::ScalarType dtype = c10::ScalarType::Float;  ///< dtype the checkpoint is stored in
  /// The config.json text this was read from (empty when built in code); kept so a save preserves keys
  /// Ropewalk does not interpret.
  std::string source_json;

  int64_t num_parameters() const;
  /// The HF model_type string: "llama", "mistral" or "qwen2".
  std::string model_type() const;
  /// The HF architectures entry: "LlamaForCausalLM", ...
  std::string architecture() const;
};

/// Parses config.json text; `origin` names the file in errors. Throws rw::core::Error on a malformed
/// file, an unknown architecture or model_type (named), a missing or ill-typed key, inconsistent
/// shapes, or an unsupported rope type.
ModelConfig parse_model_config(const std::string& json_text, const std::string& origin);
ModelConfig read_model_config(const std::filesystem::path& path);
/// config.json text in transformers 5 form (rope_parameters), merged over source_json.
std::string model_config_to_json(const ModelConfig& config);

std::string rope_type_name(RopeType type);
RopeType rope_type_from_name(const std::string& name);  // throws on unknown names
std::string dtype_name(c10::ScalarType dtype);           // "float32", "bfloat16", "float16"
c10::ScalarType dtype_from_name(const std::string& name);

}  // namespace rw::core

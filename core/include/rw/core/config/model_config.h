// Hyper-parameters of a Llama-family decoder as HF's config.json states them (Llama 2/3/3.1/3.2,
// Mistral, Qwen2), validated on read. No LibTorch: the GUI reads model facts with it. Not the runtime
// state of a model (model/rope_scaling.h, model/llama.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rw::core {

enum class RopeType { Default, Linear, Dynamic, Yarn, Llama3 };
inline constexpr std::pair<std::string_view, RopeType> kRopeTypeNames[] = {{"default", RopeType::Default},
                                                                          {"linear", RopeType::Linear},
                                                                          {"dynamic", RopeType::Dynamic},
                                                                          {"yarn", RopeType::Yarn},
                                                                          {"llama3", RopeType::Llama3}};

/// RoPE settings: HF's rope_parameters (transformers 5) or rope_theta + rope_scaling (4.x), and a run
/// config stage's rope change (config/run_config.h), which uses the fields its type needs.
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
/// By HF model_type.
inline constexpr std::pair<std::string_view, ModelFamily> kModelFamilyNames[] = {
    {"llama", ModelFamily::Llama}, {"mistral", ModelFamily::Mistral}, {"qwen2", ModelFamily::Qwen2}};

/// The element types a checkpoint may be stored in (engine code maps them to LibTorch's, runtime/device.h).
enum class DType { Float32, BFloat16, Float16 };
/// Bytes per element.
int64_t dtype_size(DType dtype);

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
  DType dtype = DType::Float32;  ///< dtype the checkpoint is stored in
  /// The config.json text this was read from (empty when built in code); kept so a save preserves keys
  /// Ropewalk does not interpret.
  std::string source_json;

  int64_t num_parameters() const;
  /// The same count in long double, exact up to 2^64 and never overflowing: for checks on untrusted sizes.
  long double parameter_count() const;
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

std::string_view rope_type_name(RopeType type);        // "default", "linear", "dynamic", "yarn", "llama3"
RopeType rope_type_from_name(std::string_view name);  // Error listing the names otherwise
std::string_view dtype_name(DType dtype);             // "float32", "bfloat16", "float16"
DType dtype_from_name(std::string_view name);         // also "float" and "half"; Error otherwise
std::string_view model_family_name(ModelFamily family);  // the model_type: "llama", "mistral", "qwen2"
ModelFamily model_family_from_name(std::string_view name);

}  // namespace rw::core

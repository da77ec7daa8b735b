#include "rw/core/config/model_summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string_view>
#include <utility>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr int64_t kMaxLayers = int64_t{1} << 16;
constexpr long double kMaxWeightBytes = 1125899906842624.0L;  // 1 PiB: ~1000x the largest open models

// The keys whose product makes up the parameter count, with their fields.
constexpr std::pair<const char*, int64_t ModelConfig::*> kSizeKeys[] = {
    {"vocab_size", &ModelConfig::vocab_size},
    {"hidden_size", &ModelConfig::hidden_size},
    {"intermediate_size", &ModelConfig::intermediate_size},
    {"num_hidden_layers", &ModelConfig::num_hidden_layers},
    {"num_attention_heads", &ModelConfig::num_attention_heads},
    {"num_key_value_heads", &ModelConfig::num_key_value_heads},
    {"head_dim", &ModelConfig::head_dim}};

// The size key whose value, lowered to 1, would free the most parameters: the one to name in an error.
const char* dominant_size_key(const ModelConfig& c) {
  const long double total = c.parameter_count();
  const char* best = kSizeKeys[0].first;
  long double best_saving = -1;
  for (const auto& [key, field] : kSizeKeys) {
    ModelConfig smaller = c;
    smaller.*field = 1;
    const long double saving = total - smaller.parameter_count();
    if (saving > best_saving) best = key, best_saving = saving;
  }
  return best;
}

int64_t size_of(const ModelConfig& c, const char* key) {
  for (const auto& [name, field] : kSizeKeys)
    if (std::string_view(name) == key) return c.*field;
  return 0;
}

[[noreturn]] void refuse(const ModelConfig& c, const char* key, const std::string& origin, const std::string& what) {
  throw Error(fmt::format("{}: '{}' = {} {}", origin, key, size_of(c, key), what), ErrorContext{origin, key, key});
}

}  // namespace

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", bytes, units[u]);
}

void check_model_sizes(const ModelConfig& c, const std::string& origin) {
  const long double bytes = c.parameter_count() * static_cast<long double>(dtype_size(c.dtype));
  const std::string need = human_bytes(static_cast<double>(bytes));
  if (c.vocab_size > std::numeric_limits<int32_t>::max())
    refuse(c, "vocab_size", origin, fmt::format("is past 32-bit token ids (at most {}); the weights would need {}",
                                                std::numeric_limits<int32_t>::max(), need));
  if (c.num_hidden_layers > kMaxLayers)
    refuse(c, "num_hidden_layers", origin, fmt::format("is more than {} layers; the weights would need {}", kMaxLayers, need));
  if (bytes > kMaxWeightBytes)
    refuse(c, dominant_size_key(c), origin,
           fmt::format("makes the weights need {} in {}, beyond any machine (limit {})", need, dtype_name(c.dtype),
                       human_bytes(static_cast<double>(kMaxWeightBytes))));
}

void check_weights_fit(const ModelConfig& c, int64_t element_bytes, std::optional<int64_t> available_bytes,
                       const std::string& where, const std::string& origin) {
  const long double bytes = c.parameter_count() * static_cast<long double>(element_bytes);
  if (!available_bytes || bytes <= static_cast<long double>(*available_bytes)) return;
  refuse(c, dominant_size_key(c), origin,
         fmt::format("makes the weights need {} ({} bytes per parameter), more than the {} of memory available on {}",
                     human_bytes(static_cast<double>(bytes)), element_bytes,
                     human_bytes(static_cast<double>(*available_bytes)), where));
}

namespace {

std::string describe_rope(const RopeConfig& r) {
  std::string s = fmt::format("{} (theta {:g})", rope_type_name(r.type), r.theta);
  if (r.type != RopeType::Default) s += fmt::format(", factor {:g}", r.factor);
  if (r.original_max_position_embeddings) s += fmt::format(", original length {}", *r.original_max_position_embeddings);
  return s;
}

}  // namespace

ModelSummary summarize(const ModelConfig& c) {
  ModelSummary s;
  const int64_t element = dtype_size(c.dtype);
  s.parameters = c.num_parameters();
  s.weight_bytes = s.parameters * element;
  s.kv_bytes_per_token = 2 * c.num_hidden_layers * c.num_key_value_heads * c.head_dim * element;
  s.context_length = c.max_position_embeddings;
  s.rope = describe_rope(c.rope);
  return s;
}

int64_t context_limit(const ModelConfig& c) {
  if (c.rope.type != RopeType::Dynamic || c.rope.factor <= 1) return c.max_position_embeddings;
  const double scaled = static_cast<double>(c.max_position_embeddings) * c.rope.factor;
  return scaled >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(scaled);
}

std::string format_summary(const ModelConfig& c) {
  const auto s = summarize(c);
  int64_t sliding = 0, window = 0;
  for (auto w : c.layer_windows)
    if (w > 0) ++sliding, window = w;
  std::string out;
  out += fmt::format("architecture      {} ({})\n", c.architecture(), c.model_type());
  out += fmt::format("parameters        {} ({:.3f} B)\n", s.parameters, static_cast<double>(s.parameters) / 1e9);
  out += fmt::format("layers            {}, hidden {}, intermediate {}\n", c.num_hidden_layers, c.hidden_size,
                     c.intermediate_size);
  out += fmt::format("attention         {} heads, {} kv heads, head dim {}{}\n", c.num_attention_heads,
                     c.num_key_value_heads, c.head_dim, c.attention_bias ? ", q/k/v bias" : "");
  if (sliding) out += fmt::format("sliding window    {} tokens on {} of {} layers\n", window, sliding, c.num_hidden_layers);
  out += fmt::format("vocabulary        {}{}\n", c.vocab_size, c.tie_word_embeddings ? " (tied embeddings)" : "");
  out += fmt::format("context length    {}\n", s.context_length);
  out += fmt::format("rope              {}\n", s.rope);
  out += fmt::format("dtype             {}\n", dtype_name(c.dtype));
  out += fmt::format("weights memory    {}\n", human_bytes(static_cast<double>(s.weight_bytes)));
  out += fmt::format("kv cache          {} per token, {} at full context (batch 1)\n",
                     human_bytes(static_cast<double>(s.kv_bytes_per_token)),
                     human_bytes(static_cast<double>(s.kv_bytes_per_token) * static_cast<double>(s.context_length)));
  return out;
}

std::string summary_json(const ModelConfig& c) {
  const auto s = summarize(c);
  nlohmann::json o = {{"architecture", c.architecture()},
                      {"model_type", c.model_type()},
                      {"parameters", s.parameters},
                      {"num_hidden_layers", c.num_hidden_layers},
                      {"hidden_size", c.hidden_size},
                      {"num_attention_heads", c.num_attention_heads},
                      {"num_key_value_heads", c.num_key_value_heads},
                      {"head_dim", c.head_dim},
                      {"vocab_size", c.vocab_size},
                      {"context_length", s.context_length},
                      {"rope_type", rope_type_name(c.rope.type)},
                      {"rope_theta", c.rope.theta},
                      {"rope_factor", c.rope.factor},
                      {"dtype", dtype_name(c.dtype)},
                      {"weight_bytes", s.weight_bytes},
                      {"kv_bytes_per_token", s.kv_bytes_per_token},
                      {"sliding_windows", c.layer_windows}};
  return o.dump();
}

}  // namespace rw::core

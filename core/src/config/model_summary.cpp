#include "rw/core/config/model_summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <limits>

namespace rw::core {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", bytes, units[u]);
}

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
                     human_bytes(static_cast<double>(s.kv_bytes_per_token * s.context_length)));
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

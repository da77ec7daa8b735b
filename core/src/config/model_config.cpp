// config.json <-> ModelConfig. Reads both the transformers 5 form (rope_parameters, dtype) and the
// 4.x form (rope_theta + rope_scaling, torch_dtype); writes the 5 form.
#include "rw/core/config/model_config.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "config_json.h"
#include "rw/core/config/model_summary.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

using nlohmann::json;

constexpr std::pair<std::string_view, DType> kDTypes[] = {{"float32", DType::Float32},
                                                          {"bfloat16", DType::BFloat16},
                                                          {"float16", DType::Float16},
                                                          {"float", DType::Float32},
                                                          {"half", DType::Float16}};

struct Reader {
  const json& object;
  const std::string& origin;

  bool has(const char* key) const { return object.contains(key) && !object.at(key).is_null(); }

  int64_t positive_int(const char* key) const {
    if (!has(key)) fail("{}: missing required key '{}'", origin, key);
    const auto& v = object.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() <= 0)
      fail("{}: key '{}' must be a positive integer, got {}", origin, key, v.dump());
    return v.get<int64_t>();
  }
  int64_t positive_int_or(const char* key, int64_t fallback) const { return has(key) ? positive_int(key) : fallback; }

  double number_or(const json& o, const char* key, double fallback, const char* where) const {
    if (!o.contains(key) || o.at(key).is_null()) return fallback;
    if (!o.at(key).is_number()) fail("{}: key '{}{}' must be a number, got {}", origin, where, key, o.at(key).dump());
    return o.at(key).get<double>();
  }
  std::optional<double> optional_number(const json& o, const char* key) const {
    if (!o.contains(key) || o.at(key).is_null()) return std::nullopt;
    if (!o.at(key).is_number()) fail("{}: rope key '{}' must be a number, got {}", origin, key, o.at(key).dump());
    return o.at(key).get<double>();
  }
  bool bool_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!object.at(key).is_boolean()) fail("{}: key '{}' must be true or false, got {}", origin, key, object.at(key).dump());
    return object.at(key).get<bool>();
  }
  std::optional<int64_t> optional_token(const char* key) const {
    if (!has(key)) return std::nullopt;
    const auto& v = object.at(key);
    if (v.is_array()) return v.empty() ? std::nullopt : std::optional<int64_t>(v.at(0).get<int64_t>());
    if (!v.is_number_integer()) fail("{}: key '{}' must be a token id, got {}", origin, key, v.dump());
    return v.get<int64_t>();
  }
};

RopeConfig parse_rope(const Reader& r, int64_t max_positions) {
  const json& o = r.object;
  json params = json::object();
  if (r.has("rope_parameters")) {
    params = o.at("rope_parameters");
    if (!params.is_object()) fail("{}: 'rope_parameters' must be an object", r.origin);
    for (const char* nested : {"full_attention", "sliding_attention"})
      if (params.contains(nested)) fail("{}: per-layer-type rope_parameters are not supported", r.origin);
  } else if (r.has("rope_scaling")) {
    params = o.at("rope_scaling");
    if (!params.is_object()) fail("{}: 'rope_scaling' must be an object or null", r.origin);
  }
  RopeConfig rope;
  rope.theta = r.number_or(params, "rope_theta", r.number_or(o, "rope_theta", 10000.0, ""), "rope_parameters.");
  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    if (params.contains(key) && !params.at(key).is_null()) {
      if (!params.at(key).is_string()) fail("{}: rope '{}' must be a string", r.origin, key);
      type = params.at(key).get<std::string>();
      break;
    }
  }
  try {
    rope.type = rope_type_from_name(type);
  } catch (const Error& e) {
    fail("{}: {}", r.origin, e.what());
  }
  // transformers' precedence (its rope-parameter standardization): a key inside rope_parameters (or the
  // legacy rope_scaling) wins over the top-level one for rope_theta and partial_rotary_factor...
  const double partial = r.number_or(params, "partial_rotary_factor", r.number_or(o, "partial_rotary_factor", 1.0, ""), "");
  if (partial != 1.0) fail("{}: partial_rotary_factor other than 1.0 is not supported for this family", r.origin);
  const bool scaled = rope.type != RopeType::Default;
  if (scaled && !params.contains("factor")) fail("{}: rope type '{}' needs 'factor'", r.origin, type);
  rope.factor = r.number_or(params, "factor", 1.0, "rope_parameters.");
  if (scaled && rope.factor <= 0) fail("{}: rope 'factor' must be positive, got {}", r.origin, rope.factor);
  // ...but for yarn and llama3 a top-level original_max_position_embeddings (as Phi-3 writes) overrides the
  // nested one when transformers builds the model.
  if (rope.type == RopeType::Yarn || rope.type == RopeType::Llama3) {
    auto orig = r.optional_number(o, "original_max_position_embeddings");
    if (!orig) orig = r.optional_number(params, "original_max_position_embeddings");
    rope.original_max_position_embeddings = orig ? static_cast<int64_t>(*orig) : max_positions;
  }
  if (rope.type == RopeType::Yarn) {
    rope.attention_factor = r.optional_number(params, "attention_factor");
    rope.beta_fast = r.optional_number(params, "beta_fast");
    rope.beta_slow = r.optional_number(params, "beta_slow");
    rope.mscale = r.optional_number(params, "mscale");
    rope.mscale_all_dim = r.optional_number(params, "mscale_all_dim");
    if (params.contains("truncate") && params.at("truncate").is_boolean()) rope.truncate = params.at("truncate").get<bool>();
  }
  if (rope.type == RopeType::Llama3) {
    for (const char* key : {"low_freq_factor", "high_freq_factor"})
      if (!params.contains(key)) fail("{}: rope type 'llama3' needs '{}'", r.origin, key);
    rope.low_freq_factor = r.number_or(params, "low_freq_factor", 1.0, "rope_parameters.");
    rope.high_freq_factor = r.number_or(params, "high_freq_factor", 4.0, "rope_parameters.");
    if (rope.high_freq_factor <= rope.low_freq_factor)
      fail("{}: llama3 rope needs high_freq_factor > low_freq_factor", r.origin);
  }
  if (rope.theta <= 1.0) fail("{}: rope_theta must be > 1, got {}", r.origin, rope.theta);
  return rope;
}

std::vector<int64_t> parse_windows(const Reader& r, ModelFamily family, int64_t layers) {
  std::vector<int64_t> windows(static_cast<size_t>(layers), 0);
  if (family == ModelFamily::Llama || !r.has("sliding_window")) return windows;
  const int64_t window = r.positive_int("sliding_window");
  if (family == ModelFamily::Mistral) {
    std::fill(windows.begin(), windows.end(), window);
    return windows;
  }
  // Qwen2: layer_types when written (transformers 5), else use_sliding_window + max_window_layers.
  if (r.has("layer_types")) {
    const auto& types = r.object.at("layer_types");
    if (!types.is_array() || static_cast<int64_t>(types.size()) != layers)
      fail("{}: 'layer_types' must list one entry per layer ({})", r.origin, layers);
    for (int64_t i = 0; i < layers; ++i) {
      const auto t = types.at(static_cast<size_t>(i)).get<std::string>();
      if (t == "sliding_attention") windows[static_cast<size_t>(i)] = window;
      else if (t != "full_attention") fail("{}: layer_types[{}] '{}' is not supported", r.origin, i, t);
    }
  } else if (r.bool_or("use_sliding_window", false)) {
    const int64_t first = r.has("max_window_layers") ? r.object.at("max_window_layers").get<int64_t>() : layers;
    for (int64_t i = first; i < layers; ++i) windows[static_cast<size_t>(i)] = window;
  }
  return windows;
}

ModelFamily family_from(const Reader& r) {
  if (r.has("architectures")) {
    const auto& arch = r.object.at("architectures");
    if (!arch.is_array()) fail("{}: 'architectures' must be a list", r.origin);
    for (const auto& a : arch) {
      const auto name = a.is_string() ? a.get<std::string>() : a.dump();
      if (name != "LlamaForCausalLM" && name != "MistralForCausalLM" && name != "Qwen2ForCausalLM")
        fail("{}: architecture '{}' is not supported (supported: LlamaForCausalLM, MistralForCausalLM, "
             "Qwen2ForCausalLM)", r.origin, name);
    }
  }
  if (!r.has("model_type") || !r.object.at("model_type").is_string()) fail("{}: missing 'model_type'", r.origin);
  try {
    return model_family_from_name(r.object.at("model_type").get<std::string>());
  } catch (const Error& e) {
    fail("{}: {}", r.origin, e.what());
  }
}

// Sliding windows in each family's own keys, so the struct (not a stale source key) decides.
void write_windows(const ModelConfig& c, json& o) {
  int64_t window = 0;
  for (auto w : c.layer_windows) window = std::max(window, w);
  if (c.family == ModelFamily::Mistral) {
    o["sliding_window"] = window > 0 ? json(window) : json(nullptr);
  } else if (c.family == ModelFamily::Qwen2) {
    o["use_sliding_window"] = window > 0;
    o["sliding_window"] = window > 0 ? json(window) : json(nullptr);
    json types = json::array();
    for (auto w : c.layer_windows) types.push_back(w > 0 ? "sliding_attention" : "full_attention");
    o["layer_types"] = types;
    o.erase("max_window_layers");
  }
}

}  // namespace

std::string_view rope_type_name(RopeType type) { return name_of(kRopeTypeNames, type); }
RopeType rope_type_from_name(std::string_view name) { return value_of(kRopeTypeNames, name, "rope type"); }
std::string_view dtype_name(DType dtype) { return name_of(kDTypes, dtype); }
DType dtype_from_name(std::string_view name) { return value_of(kDTypes, name, "dtype"); }
std::string_view model_family_name(ModelFamily family) { return name_of(kModelFamilyNames, family); }
ModelFamily model_family_from_name(std::string_view name) { return value_of(kModelFamilyNames, name, "model_type"); }

int64_t dtype_size(DType dtype) { return dtype == DType::Float32 ? 4 : 2; }

ModelConfig parse_model_config(const std::string& json_text, const std::string& origin) {
  json o;
  try {
    o = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail("{}: not valid JSON ({})", origin, e.what());
  }
  if (!o.is_object()) fail("{}: config must be a JSON object", origin);
  const Reader r{o, origin};
  ModelConfig c;
  try {
    c.family = family_from(r);
    c.vocab_size = r.positive_int("vocab_size");
    c.hidden_size = r.positive_int("hidden_size");
    c.intermediate_size = r.positive_int("intermediate_size");
    c.num_hidden_layers = r.positive_int("num_hidden_layers");
    c.num_attention_heads = r.positive_int("num_attention_heads");
    c.num_key_value_heads = r.positive_int_or("num_key_value_heads", c.num_attention_heads);
    c.head_dim = r.positive_int_or("head_dim", c.hidden_size / c.num_attention_heads);
    c.max_position_embeddings = r.positive_int("max_position_embeddings");
    c.rms_norm_eps = r.number_or(o, "rms_norm_eps", 1e-6, "");
    if (r.has("hidden_act") && o.at("hidden_act") != "silu")
      fail("{}: hidden_act {} is not supported (silu only)", origin, o.at("hidden_act").dump());
    if (c.num_attention_heads % c.num_key_value_heads != 0)
      fail("{}: num_attention_heads {} is not a multiple of num_key_value_heads {}", origin, c.num_attention_heads,
           c.num_key_value_heads);
    if (c.head_dim % 2 != 0) fail("{}: head_dim {} must be even for RoPE", origin, c.head_dim);
    c.rope = parse_rope(r, c.max_position_embeddings);
    c.tie_word_embeddings = r.bool_or("tie_word_embeddings", false);
    if (c.family == ModelFamily::Qwen2) {
      c.attention_bias = true;
    } else if (c.family == ModelFamily::Llama) {
      c.attention_bias = c.o_proj_bias = r.bool_or("attention_bias", false);
      c.mlp_bias = r.bool_or("mlp_bias", false);
    }
    c.bos_token_id = r.optional_token("bos_token_id");
    c.pad_token_id = r.optional_token("pad_token_id");
    if (r.has("eos_token_id")) {
      const auto& eos = o.at("eos_token_id");
      if (eos.is_array()) for (const auto& e : eos) c.eos_token_ids.push_back(e.get<int64_t>());
      else c.eos_token_ids.push_back(eos.get<int64_t>());
    }
    for (const char* key : {"dtype", "torch_dtype"}) {
      if (r.has(key)) {
        if (!o.at(key).is_string()) fail("{}: '{}' must be a string", origin, key);
        try {
          c.dtype = dtype_from_name(o.at(key).get<std::string>());
        } catch (const Error& e) {
          fail("{}: key '{}': {}", origin, key, e.what());
        }
        break;
      }
    }
    check_model_sizes(c, origin);  // before parse_windows, which allocates per layer
    c.layer_windows = parse_windows(r, c.family, c.num_hidden_layers);
  } catch (const json::exception& e) {
    fail("{}: ill-typed value ({})", origin, e.what());
  }
  c.source_json = json_text;
  return c;
}

ModelConfig read_model_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open model config", path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_model_config(buffer.str(), path.string());
}

std::string model_config_to_json(const ModelConfig& c) {
  json o = c.source_json.empty() ? json::object() : json::parse(c.source_json);
  o["architectures"] = json::array({c.architecture()});
  o["model_type"] = c.model_type();
  o["vocab_size"] = c.vocab_size;
  write_shape(c, o);
  o["head_dim"] = c.head_dim;
  o["rms_norm_eps"] = c.rms_norm_eps;
  o["hidden_act"] = "silu";
  o["tie_word_embeddings"] = c.tie_word_embeddings;
  if (c.family == ModelFamily::Llama) {
    o["attention_bias"] = c.attention_bias;
    o["mlp_bias"] = c.mlp_bias;
  }
  write_windows(c, o);
  json rope = {{"rope_type", rope_type_name(c.rope.type)}, {"rope_theta", c.rope.theta}};
  write_rope_scaling(c.rope, rope);
  o.erase("rope_scaling");
  o.erase("rope_theta");
  o["rope_parameters"] = rope;
  o.erase("torch_dtype");
  o["dtype"] = dtype_name(c.dtype);
  if (c.bos_token_id) o["bos_token_id"] = *c.bos_token_id;
  if (c.pad_token_id) o["pad_token_id"] = *c.pad_token_id;
  if (c.eos_token_ids.size() == 1) o["eos_token_id"] = c.eos_token_ids.front();
  else if (!c.eos_token_ids.empty()) o["eos_token_id"] = c.eos_token_ids;
  return o.dump(2) + "\n";
}

long double ModelConfig::parameter_count() const {
  using F = long double;
  const F hidden = static_cast<F>(hidden_size), inter = static_cast<F>(intermediate_size);
  const F q = static_cast<F>(num_attention_heads) * static_cast<F>(head_dim);
  const F kv = static_cast<F>(num_key_value_heads) * static_cast<F>(head_dim);
  F attn = hidden * q + 2 * hidden * kv + q * hidden;
  if (attention_bias) attn += q + 2 * kv;
  if (o_proj_bias) attn += hidden;
  F mlp = 3 * hidden * inter;
  if (mlp_bias) mlp += 2 * inter + hidden;
  const F layer = attn + mlp + 2 * hidden;
  const F embed = static_cast<F>(vocab_size) * hidden;
  return embed * (tie_word_embeddings ? 1 : 2) + static_cast<F>(num_hidden_layers) * layer + hidden;
}

// parse_model_config bounds the sizes (check_model_sizes), so the count fits int64 exactly.
int64_t ModelConfig::num_parameters() const { return static_cast<int64_t>(parameter_count()); }

std::string ModelConfig::model_type() const { return std::string(model_family_name(family)); }

std::string ModelConfig::architecture() const {
  switch (family) {
    case ModelFamily::Llama: return "LlamaForCausalLM";
    case ModelFamily::Mistral: return "MistralForCausalLM";
    case ModelFamily::Qwen2: return "Qwen2ForCausalLM";
  }
  return "LlamaForCausalLM";
}

}  // namespace rw::core

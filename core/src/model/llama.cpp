// Llama-family forward pass. Follows transformers' modeling_llama/mistral/qwen2 numerics: RMSNorm in
// fp32, RoPE tables in fp32 cast to the activation dtype, SDPA with scale 1/sqrt(D).
#include "rw/core/model/llama.h"

#include <ATen/ATen.h>

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cmath>
#include <limits>
#include <map>

#include "layer_checkpoint.h"
#include "rw/core/util/error.h"
#include "rw/kernels/rms_norm.h"
#include "rw/kernels/rotary.h"

namespace rw::core {

namespace nn = torch::nn;

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", at::ones({dim}));
}

at::Tensor RMSNormImpl::forward(const at::Tensor& x) { return kernels::rms_norm(x, weight, eps_); }

LlamaAttentionImpl::LlamaAttentionImpl(const ModelConfig& c, int64_t layer_index)
    : layer_index_(layer_index),
      num_heads_(c.num_attention_heads),
      num_kv_heads_(c.num_key_value_heads),
      head_dim_(c.head_dim),
      window_(c.layer_windows.at(static_cast<size_t>(layer_index))) {
  const int64_t q = num_heads_ * head_dim_, kv = num_kv_heads_ * head_dim_;
  q_proj = register_module("q_proj", nn::Linear(nn::LinearOptions(c.hidden_size, q).bias(c.attention_bias)));
  k_proj = register_module("k_proj", nn::Linear(nn::LinearOptions(c.hidden_size, kv).bias(c.attention_bias)));
  v_proj = register_module("v_proj", nn::Linear(nn::LinearOptions(c.hidden_size, kv).bias(c.attention_bias)));
  o_proj = register_module("o_proj", nn::Linear(nn::LinearOptions(q, c.hidden_size).bias(c.o_proj_bias)));
}

at::Tensor LlamaAttentionImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                       const at::Tensor& attn_bias, KVCache* cache) {
  const int64_t B = x.size(0), T = x.size(1);
  auto q = q_proj(x).view({B, T, num_heads_, head_dim_}).transpose(1, 2);     // [B, H, T, D]
  auto k = k_proj(x).view({B, T, num_kv_heads_, head_dim_}).transpose(1, 2);  // [B, Hkv, T, D]
  auto v = v_proj(x).view({B, T, num_kv_heads_, head_dim_}).transpose(1, 2);  // [B, Hkv, T, D]
  q = kernels::apply_rotary(q, cos, sin);
  k = kernels::apply_rotary(k, cos, sin);
  if (cache) std::tie(k, v) = cache->append(layer_index_, k, v);  // [B, Hkv, S, D]
  const bool causal = !attn_bias.defined() && k.size(2) == T && T > 1;
  const auto mask = attn_bias.defined() ? std::optional<at::Tensor>(attn_bias) : std::nullopt;
  auto out = at::scaled_dot_product_attention(q, k, v, mask, /*dropout_p=*/0.0, /*is_causal=*/causal,
                                              /*scale=*/1.0 / std::sqrt(static_cast<double>(head_dim_)),
                                              /*enable_gqa=*/num_heads_ != num_kv_heads_);  // [B, H, T, D]
  out = out.transpose(1, 2).reshape({B, T, num_heads_ * head_dim_});
  return o_proj(out);
}

LlamaMLPImpl::LlamaMLPImpl(const ModelConfig& c) {
  gate_proj =
      register_module("gate_proj", nn::Linear(nn::LinearOptions(c.hidden_size, c.intermediate_size).bias(c.mlp_bias)));
  up_proj =
      register_module("up_proj", nn::Linear(nn::LinearOptions(c.hidden_size, c.intermediate_size).bias(c.mlp_bias)));
  down_proj =
      register_module("down_proj", nn::Linear(nn::LinearOptions(c.intermediate_size, c.hidden_size).bias(c.mlp_bias)));
}

at::Tensor LlamaMLPImpl::forward(const at::Tensor& x) { return down_proj(at::silu(gate_proj(x)) * up_proj(x)); }

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const ModelConfig& c, int64_t layer_index) {
  self_attn = register_module("self_attn", LlamaAttention(c, layer_index));
  mlp = register_module("mlp", LlamaMLP(c));
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

at::Tensor LlamaDecoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                          const at::Tensor& attn_bias, KVCache* cache) {
  auto h = x + self_attn(input_layernorm(x), cos, sin, attn_bias, cache);
  return h + mlp(post_attention_layernorm(h));
}

at::Tensor build_attention_bias(const at::Tensor& attention_mask, const at::Tensor& segment_ids, int64_t batch,
                                int64_t query_len, int64_t past_len, int64_t window, at::ScalarType dtype,
                                at::Device device) {
  const int64_t S = past_len + query_len;
  const bool padded = attention_mask.defined() && !attention_mask.all().item<bool>();
  const bool plain = !padded && !segment_ids.defined() && (window <= 0 || S <= window);
  if (plain && (past_len == 0 || query_len == 1)) return {};
  auto q_pos = at::arange(past_len, S, at::TensorOptions().dtype(at::kLong).device(device)).view({-1, 1});
  auto k_pos = at::arange(0, S, at::TensorOptions().dtype(at::kLong).device(device)).view({1, -1});
  auto allowed = k_pos <= q_pos;  // [T, S]
  if (window > 0) allowed = allowed.logical_and(k_pos > q_pos - window);
  auto allowed_b = allowed.unsqueeze(0).expand({batch, query_len, S});
  if (attention_mask.defined()) {
    RW_CHECK(attention_mask.size(1) == S, "attention_mask covers {} positions, expected {}", attention_mask.size(1), S);
    allowed_b = allowed_b.logical_and(attention_mask.to(device).to(at::kBool).unsqueeze(1));
  }
  if (segment_ids.defined()) {
    RW_CHECK(past_len == 0 && segment_ids.size(0) == batch && segment_ids.size(1) == query_len,
             "segment_ids [{}, {}] must cover the whole sequence [{}, {}] without a cache", segment_ids.size(0),
             segment_ids.size(1), batch, query_len);
    const auto seg = segment_ids.to(device);
    allowed_b = allowed_b.logical_and(seg.unsqueeze(2) == seg.unsqueeze(1));  // same document only
  }
  auto bias = at::zeros({batch, 1, query_len, S}, at::TensorOptions().dtype(dtype).device(device));
  double lowest = std::numeric_limits<float>::lowest();
  if (dtype == at::kBFloat16) lowest = static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
  if (dtype == at::kHalf) lowest = static_cast<double>(std::numeric_limits<c10::Half>::lowest());
  return bias.masked_fill(allowed_b.logical_not().unsqueeze(1), lowest);
}

LlamaModelImpl::LlamaModelImpl(const ModelConfig& c) : config_(c), rotary_(c) {
  embed_tokens = register_module("embed_tokens", nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(LlamaDecoderLayer(c, i));
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

at::Tensor LlamaModelImpl::forward(const at::Tensor& input_ids, const ForwardContext& ctx) {
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  const int64_t past = ctx.cache ? ctx.cache->length() : 0;
  auto h = embed_tokens(input_ids);  // [B, T, C]
  at::Tensor positions = ctx.position_ids;
  if (!positions.defined())
    positions = at::arange(past, past + T, input_ids.options().dtype(at::kLong)).unsqueeze(0).expand({B, T});
  auto [cos, sin] = rotary_(positions, h.scalar_type());
  // One bias per distinct window size (full attention = 0), shared by the layers that use it.
  std::map<int64_t, at::Tensor> biases;
  for (const auto& module : *layers) {
    auto layer = module->as<LlamaDecoderLayerImpl>();
    const int64_t window = layer->self_attn->window();
    auto it = biases.find(window);
    if (it == biases.end())
      it = biases
               .emplace(window, build_attention_bias(ctx.attention_mask, ctx.segment_ids, B, T, past, window,
                                                     h.scalar_type(), h.device()))
               .first;
    if (ctx.checkpoint_activations && !ctx.cache && at::GradMode::is_enabled()) {
      h = checkpointed_layer_forward(*layer, h, cos, sin, it->second);
    } else {
      h = layer->forward(h, cos, sin, it->second, ctx.cache);
    }
  }
  if (ctx.cache) ctx.cache->commit(T);
  return norm(h);
}

void LlamaModelImpl::set_rope_config(const ModelConfig& config) {
  config_.rope = config.rope;
  config_.max_position_embeddings = config.max_position_embeddings;
  rotary_ = RotaryEmbedding(config_);
}

namespace {
/// The first field besides rope / max_position_embeddings in which a and b differ, or nullptr.
const char* non_rope_difference(const ModelConfig& a, const ModelConfig& b) {
  if (a.family != b.family) return "model family";
  if (a.vocab_size != b.vocab_size) return "vocab_size";
  if (a.hidden_size != b.hidden_size) return "hidden_size";
  if (a.intermediate_size != b.intermediate_size) return "intermediate_size";
  if (a.num_hidden_layers != b.num_hidden_layers) return "num_hidden_layers";
  if (a.num_attention_heads != b.num_attention_heads) return "num_attention_heads";
  if (a.num_key_value_heads != b.num_key_value_heads) return "num_key_value_heads";
  if (a.head_dim != b.head_dim) return "head_dim";
  if (a.rms_norm_eps != b.rms_norm_eps) return "rms_norm_eps";
  if (a.tie_word_embeddings != b.tie_word_embeddings) return "tie_word_embeddings";
  if (a.attention_bias != b.attention_bias || a.o_proj_bias != b.o_proj_bias || a.mlp_bias != b.mlp_bias) {
    return "attention/MLP biases";
  }
  if (a.layer_windows != b.layer_windows) return "sliding windows";
  return nullptr;
}
}  // namespace

void LlamaForCausalLMImpl::set_rope_config(const ModelConfig& config) {
  if (const char* field = non_rope_difference(config_, config)) {
    fail("cannot switch RoPE settings: the new config also changes {}", field);
  }
  config_.rope = config.rope;
  config_.max_position_embeddings = config.max_position_embeddings;
  model->set_rope_config(config_);
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const ModelConfig& c) : config_(c) {
  model = register_module("model", LlamaModel(c));
  if (!c.tie_word_embeddings)
    lm_head = register_module("lm_head", nn::Linear(nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
}

at::Tensor LlamaForCausalLMImpl::logits(const at::Tensor& hidden) { return at::linear(hidden, lm_head_weight()); }

at::Tensor LlamaForCausalLMImpl::lm_head_weight() { return lm_head ? lm_head->weight : model->embed_tokens->weight; }

at::Tensor LlamaForCausalLMImpl::forward(const at::Tensor& input_ids, const ForwardContext& context) {
  return logits(model(input_ids, context));
}

}  // namespace rw::core

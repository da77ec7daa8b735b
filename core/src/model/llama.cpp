// Llama-family forward pass. Follows transformers' modeling_llama/mistral/qwen2 numerics: RMSNorm in
// fp32, RoPE tables in fp32 cast to the activation dtype, SDPA with scale 1/sqrt(D).
#include "rw/core/model/llama.h"

#include <ATen/ATen.h>

#include <cmath>
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
                                       const AttentionMask& mask, KVCache* cache) {
  const int64_t B = x.size(0), T = x.size(1);
  auto q = q_proj(x).view({B, T, num_heads_, head_dim_}).transpose(1, 2);     // [B, H, T, D]
  auto k = k_proj(x).view({B, T, num_kv_heads_, head_dim_}).transpose(1, 2);  // [B, Hkv, T, D]
  auto v = v_proj(x).view({B, T, num_kv_heads_, head_dim_}).transpose(1, 2);  // [B, Hkv, T, D]
  q = kernels::apply_rotary(q, cos, sin);
  k = kernels::apply_rotary(k, cos, sin);
  if (cache) std::tie(k, v) = cache->append(layer_index_, k, v);                                // [B, Hkv, S, D]
  auto out = masked_attention(q, k, v, mask, 1.0 / std::sqrt(static_cast<double>(head_dim_)));  // [B, H, T, D]
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
                                          const AttentionMask& mask, KVCache* cache) {
  auto h = x + self_attn(input_layernorm(x), cos, sin, mask, cache);
  return h + mlp(post_attention_layernorm(h));
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
  // One mask per distinct window size (full attention = 0), shared by the layers that use it.
  std::map<int64_t, AttentionMask> masks;
  for (const auto& module : *layers) {
    auto layer = module->as<LlamaDecoderLayerImpl>();
    const int64_t window = layer->self_attn->window();
    auto it = masks.find(window);
    if (it == masks.end())
      it = masks
               .emplace(window, build_attention_mask(ctx.attention_mask, ctx.segment_ids, B, T, past, window,
                                                     ctx.document_chunk_tokens, h.scalar_type(), h.device()))
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

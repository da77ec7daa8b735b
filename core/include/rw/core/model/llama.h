// Llama-family decoder (Llama 2/3/3.x, Mistral, Qwen2) as LibTorch modules. Parameter names equal
// HF's, so named_parameters() maps 1:1 onto a transformers state dict. Single device, no parallelism.
// Shapes: B batch, T new tokens, S keys (cached + new), C hidden, H heads, Hkv kv heads, D head dim, V vocab.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "rw/core/model/attention_mask.h"
#include "rw/core/model/kv_cache.h"
#include "rw/core/config/model_config.h"
#include "rw/core/model/rope_scaling.h"

namespace rw::core {

/// RMSNorm with a learned scale named "weight".
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  at::Tensor forward(const at::Tensor& x);  // [..., C] -> [..., C]
  at::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

class LlamaAttentionImpl : public torch::nn::Module {
 public:
  LlamaAttentionImpl(const ModelConfig& config, int64_t layer_index);
  at::Tensor forward(const at::Tensor& x,          // [B, T, C]
                     const at::Tensor& cos,        // [B, T, D]
                     const at::Tensor& sin,        // [B, T, D]
                     const AttentionMask& mask,    // attention_mask.h
                     KVCache* cache);              // nullptr = no cache
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  int64_t window() const { return window_; }

 private:
  int64_t layer_index_, num_heads_, num_kv_heads_, head_dim_, window_;
};
TORCH_MODULE(LlamaAttention);

class LlamaMLPImpl : public torch::nn::Module {
 public:
  explicit LlamaMLPImpl(const ModelConfig& config);
  at::Tensor forward(const at::Tensor& x);  // [B, T, C] -> [B, T, C]
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(LlamaMLP);

class LlamaDecoderLayerImpl : public torch::nn::Module {
 public:
  LlamaDecoderLayerImpl(const ModelConfig& config, int64_t layer_index);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, const AttentionMask& mask,
                     KVCache* cache);  // [B, T, C] -> [B, T, C]
  LlamaAttention self_attn{nullptr};
  LlamaMLP mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

/// What one forward pass sees besides the tokens.
struct ForwardContext {
  at::Tensor position_ids;    // [B, T] int64; undefined = cache length + arange(T)
  at::Tensor attention_mask;  // [B, S] 1 = real token, 0 = padding (covers cached + new); undefined = all real
  KVCache* cache = nullptr;   // appended to and committed by the forward when given
  /// [B, T] int: tokens attend only within their segment (document masking for packed training
  /// sequences; -1 marks padding). Undefined = one segment. Not combined with a cache.
  at::Tensor segment_ids;
  /// Document masking computes attention in chunks of whole documents of at most this many tokens (a
  /// longer document is a chunk of its own), so no [B, 1, T, T] mask is built (attention_mask.h).
  /// 0 = one dense mask.
  int64_t document_chunk_tokens = 2048;
  /// Training: keep only each layer's input and recompute the layer in backward (activation
  /// checkpointing). Ignored with a cache or when grad mode is off.
  bool checkpoint_activations = false;
};

class LlamaModelImpl : public torch::nn::Module {
 public:
  explicit LlamaModelImpl(const ModelConfig& config);
  at::Tensor forward(const at::Tensor& input_ids,  // [B, T] int64
                     const ForwardContext& context);
  // returns final-normed hidden states [B, T, C]
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
  RotaryEmbedding& rotary() { return rotary_; }
  /// Replaces the RoPE settings (see LlamaForCausalLMImpl::set_rope_config).
  void set_rope_config(const ModelConfig& config);

 private:
  ModelConfig config_;
  RotaryEmbedding rotary_;
};
TORCH_MODULE(LlamaModel);

class LlamaForCausalLMImpl : public torch::nn::Module {
 public:
  explicit LlamaForCausalLMImpl(const ModelConfig& config);
  at::Tensor forward(const at::Tensor& input_ids,  // [B, T] int64
                     const ForwardContext& context = {});
  // returns logits [B, T, V] in the parameter dtype
  at::Tensor logits(const at::Tensor& hidden);  // [B, T, C] -> [B, T, V]
  /// The LM head's weight [V, C] (the embedding when tied), for losses that apply it themselves.
  at::Tensor lm_head_weight();
  const ModelConfig& config() const { return config_; }
  /// Switches to another config's rope settings and max_position_embeddings (a context-extension stage),
  /// keeping the weights. Error naming the field when `config` differs in anything that shapes weights
  /// or the forward pass besides RoPE.
  void set_rope_config(const ModelConfig& config);
  KVCache make_cache(int64_t capacity) const { return KVCache(config_.num_hidden_layers, capacity); }

  LlamaModel model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // null when tie_word_embeddings

 private:
  ModelConfig config_;
};
TORCH_MODULE(LlamaForCausalLM);


}  // namespace rw::core

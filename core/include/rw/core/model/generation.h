// Batched KV-cache generation for LlamaForCausalLM: left-padded prompts, greedy or sampled decoding
// (temperature, top-k, top-p, repetition penalty), stop on EOS ids, stop strings and max new tokens.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "rw/core/config/generation_config.h"
#include "rw/core/model/llama.h"

namespace rw::core {

class Tokenizer;

/// Left-pads prompts into ids [B, T] and attention mask [B, T] (1 = real token).
std::pair<at::Tensor, at::Tensor> left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_id);

/// HF-style positions for a left-padded batch: cumsum(mask) - 1, padding set to 1.
at::Tensor positions_from_mask(const at::Tensor& attention_mask);  // [B, S] -> [B, S]

enum class FinishReason { Length, Eos, StopString };

struct GenerationResult {
  std::vector<std::vector<int64_t>> new_tokens;  ///< per row, up to and including EOS / stop completion
  std::vector<FinishReason> finish;
  std::vector<std::string> text;                 ///< decoded new tokens, cut before a stop string (needs a tokenizer)
  double prefill_seconds = 0, decode_seconds = 0;
  int64_t decode_steps = 0;
};

/// Called after each decoding step with the tokens just chosen ([B] int64, CPU; rows already finished get pad).
using TokenCallback = std::function<void(const at::Tensor& next_tokens)>;

/// Runs the model on the prompts and decodes up to config.max_new_tokens. `tokenizer` may be null when
/// no stop strings are set. Seeded: equal inputs and seed give equal outputs on the same device.
GenerationResult generate(LlamaForCausalLM& model,
                          const at::Tensor& input_ids,       // [B, T] int64, left-padded
                          const at::Tensor& attention_mask,  // [B, T] int64
                          const GenerationConfig& config, const Tokenizer* tokenizer = nullptr,
                          const TokenCallback& on_step = {});

/// Applies repetition penalty, temperature, top-k and top-p to next-token logits (HF processor order).
at::Tensor process_logits(const at::Tensor& logits,   // [B, V] fp32
                          const at::Tensor& sequences,  // [B, S] int64 tokens so far (for the penalty)
                          const GenerationConfig& config);

}  // namespace rw::core

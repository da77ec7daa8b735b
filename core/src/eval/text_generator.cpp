// LlamaTextGenerator (see text_generator.h).
#include "rw/core/eval/text_generator.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "rw/core/model/generation.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {

LlamaTextGenerator::LlamaTextGenerator(LlamaForCausalLM model, const Tokenizer& tokenizer, GenerationConfig base)
    : model_(std::move(model)), tokenizer_(tokenizer), config_(std::move(base)) {
  config_.do_sample = false;
  config_.repetition_penalty = 1.0;
  config_.top_k = 0;
  config_.top_p = 1.0;
  config_.temperature = 1.0;
  config_.stop_strings.clear();
  if (config_.eos_token_ids.empty() && tokenizer_.eos_id()) config_.eos_token_ids.push_back(*tokenizer_.eos_id());
  if (!config_.pad_token_id) {
    config_.pad_token_id = tokenizer_.pad_id()              ? *tokenizer_.pad_id()
                           : !config_.eos_token_ids.empty() ? config_.eos_token_ids.front()
                                                            : 0;
  }
}

std::vector<std::string> LlamaTextGenerator::generate(const std::vector<EvalPrompt>& prompts,
                                                      std::int64_t max_new_tokens) {
  if (prompts.empty()) return {};
  if (max_new_tokens < 1) fail("eval generation: max_new_tokens must be positive, got {}", max_new_tokens);
  torch::NoGradGuard no_grad;
  std::vector<std::vector<std::int64_t>> ids;
  ids.reserve(prompts.size());
  for (const EvalPrompt& p : prompts) {
    const auto encoded = tokenizer_.encode(p.text, p.add_special_tokens);
    if (encoded.empty()) fail("eval generation: a prompt encodes to no tokens");
    ids.emplace_back(encoded.begin(), encoded.end());
    prompt_tokens_ += static_cast<std::int64_t>(encoded.size());
  }
  const at::Device device = model_->lm_head_weight().device();
  auto [input_ids, mask] = left_pad(ids, *config_.pad_token_id);  // [B, T] each
  GenerationConfig config = config_;
  config.max_new_tokens = max_new_tokens;
  const GenerationResult result = rw::core::generate(model_, input_ids.to(device), mask.to(device), config);
  std::vector<std::string> out;
  out.reserve(prompts.size());
  for (const auto& row : result.new_tokens) {
    new_tokens_ += static_cast<std::int64_t>(row.size());
    out.push_back(tokenizer_.decode(std::vector<std::int32_t>(row.begin(), row.end()), /*skip_special_tokens=*/true));
  }
  return out;
}

}  // namespace rw::core

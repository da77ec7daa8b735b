// LlamaTextGenerator (see text_generator.h).
#include "rw/core/model/text_generator.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {

GenerationConfig greedy_decoding(std::int64_t max_new_tokens) {
  GenerationConfig config;
  config.max_new_tokens = max_new_tokens;
  return config;
}

void fill_special_ids(GenerationConfig& config, const Tokenizer& tokenizer) {
  if (config.eos_token_ids.empty() && tokenizer.eos_id()) config.eos_token_ids.push_back(*tokenizer.eos_id());
  if (!config.pad_token_id) {
    config.pad_token_id = tokenizer.pad_id()               ? *tokenizer.pad_id()
                          : !config.eos_token_ids.empty() ? config.eos_token_ids.front()
                                                          : 0;
  }
}

LlamaTextGenerator::LlamaTextGenerator(LlamaForCausalLM model, const Tokenizer& tokenizer, const GenerationConfig& ids)
    : model_(std::move(model)), tokenizer_(tokenizer), ids_(ids) {
  fill_special_ids(ids_, tokenizer_);
}

std::vector<GeneratedText> LlamaTextGenerator::generate(const std::vector<Prompt>& prompts,
                                                        const GenerationConfig& decoding) {
  if (prompts.empty()) return {};
  if (decoding.max_new_tokens < 1) fail("generation: max_new_tokens must be positive, got {}", decoding.max_new_tokens);
  torch::NoGradGuard no_grad;
  std::vector<std::vector<std::int64_t>> ids;
  ids.reserve(prompts.size());
  for (const Prompt& p : prompts) {
    const auto encoded = tokenizer_.encode(p.text, p.add_special_tokens);
    if (encoded.empty()) fail("generation: a prompt encodes to no tokens");
    ids.emplace_back(encoded.begin(), encoded.end());
    prompt_tokens_ += static_cast<std::int64_t>(encoded.size());
  }
  const at::Device device = model_->lm_head_weight().device();
  auto [input_ids, mask] = left_pad(ids, *ids_.pad_token_id);  // [B, T] each
  GenerationConfig config = decoding;
  config.eos_token_ids = ids_.eos_token_ids;
  config.pad_token_id = ids_.pad_token_id;
  config.bos_token_id = ids_.bos_token_id;
  const GenerationResult result = rw::core::generate(model_, input_ids.to(device), mask.to(device), config, &tokenizer_);
  std::vector<GeneratedText> out;
  out.reserve(prompts.size());
  for (size_t i = 0; i < result.new_tokens.size(); ++i) {
    const auto& row = result.new_tokens[i];
    new_tokens_ += static_cast<std::int64_t>(row.size());
    out.push_back({result.text[i], result.finish[i], static_cast<std::int64_t>(row.size())});
  }
  return out;
}

}  // namespace rw::core

// Text in, text out, for every caller that wants completions rather than tokens: evals (greedy) and the
// synthesizer (greedy or sampled). The interface lets tests plug in constructed oracles; LlamaTextGenerator
// is the real one (a Llama-family model, its tokenizer and batched KV-cache generate()). Not prompt
// building (chat/chat_format.h, tasks/) and not scoring (tasks/scoring.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rw/core/chat/chat_format.h"
#include "rw/core/config/generation_config.h"
#include "rw/core/model/generation.h"
#include "rw/core/model/llama.h"

namespace rw::core {

class Tokenizer;

struct GeneratedText {
  std::string text;  ///< new tokens decoded without special tokens, cut before a stop string
  FinishReason finish = FinishReason::Length;
  std::int64_t new_tokens = 0;
};

/// Greedy decoding of at most max_new_tokens (what evals use, so scores do not depend on decode settings).
GenerationConfig greedy_decoding(std::int64_t max_new_tokens);

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  /// One completion per prompt, in order. `decoding` gives max_new_tokens, sampling (do_sample, temperature,
  /// top_k, top_p, repetition_penalty, seed) and stop strings; its token ids are ignored (the generator's
  /// model supplies them). The prompts of one call are computed together (one batch).
  virtual std::vector<GeneratedText> generate(const std::vector<Prompt>& prompts, const GenerationConfig& decoding) = 0;
};

/// The special token ids generation needs, where `config` lacks them: EOS from the tokenizer, pad from the
/// tokenizer, else the first EOS, else 0.
void fill_special_ids(GenerationConfig& config, const Tokenizer& tokenizer);

/// Batched generation with a LlamaForCausalLM: prompts are left-padded into one batch, generation stops at
/// EOS, a stop string or max_new_tokens.
class LlamaTextGenerator : public TextGenerator {
 public:
  /// `ids` supplies eos/pad/bos ids (e.g. LoadedModel::generation, or generation_defaults of the model
  /// config); the tokenizer's ids fill in gaps. model and tokenizer must outlive this object.
  LlamaTextGenerator(LlamaForCausalLM model, const Tokenizer& tokenizer, const GenerationConfig& ids = {});
  std::vector<GeneratedText> generate(const std::vector<Prompt>& prompts, const GenerationConfig& decoding) override;

  /// Tokens generated and prompt tokens read over all calls (for throughput figures).
  std::int64_t new_tokens() const { return new_tokens_; }
  std::int64_t prompt_tokens() const { return prompt_tokens_; }

 private:
  LlamaForCausalLM model_;
  const Tokenizer& tokenizer_;
  GenerationConfig ids_;
  std::int64_t new_tokens_ = 0, prompt_tokens_ = 0;
};

}  // namespace rw::core

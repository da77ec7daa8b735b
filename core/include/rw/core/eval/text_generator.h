// What the generation evals need from a model: prompts (text) in, greedy completions (text) out. The
// interface lets tests plug in constructed oracles; LlamaTextGenerator is the real one (a Llama-family
// model, its tokenizer and batched KV-cache generate()). Not the prompt building (niah.h, passkey.h,
// ruler.h) and not the scoring (eval_scoring.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rw/core/model/generation_config.h"
#include "rw/core/model/llama.h"

namespace rw::core {

class Tokenizer;

/// One prompt exactly as the model should see it.
struct EvalPrompt {
  std::string text;
  /// true: the tokenizer adds BOS (completion prompts); false: the text already holds it (chat templates).
  bool add_special_tokens = true;
};

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  /// One completion per prompt, in order: at most max_new_tokens new tokens, decoded without special
  /// tokens. Decoding is greedy. The prompts of one call are computed together (one batch).
  virtual std::vector<std::string> generate(const std::vector<EvalPrompt>& prompts, std::int64_t max_new_tokens) = 0;
};

/// Greedy batched generation with a LlamaForCausalLM: prompts are left-padded into one batch, generation
/// stops at EOS or max_new_tokens. Repetition penalty and sampling from generation_config.json are
/// switched off so scores do not depend on decode settings.
class LlamaTextGenerator : public TextGenerator {
 public:
  /// `base` supplies eos/pad/bos ids (e.g. LoadedModel::generation); the tokenizer's ids fill in gaps.
  /// model and tokenizer must outlive this object.
  LlamaTextGenerator(LlamaForCausalLM model, const Tokenizer& tokenizer, GenerationConfig base = {});
  std::vector<std::string> generate(const std::vector<EvalPrompt>& prompts, std::int64_t max_new_tokens) override;

  /// Tokens generated and prompt tokens read over all calls (for throughput figures).
  std::int64_t new_tokens() const { return new_tokens_; }
  std::int64_t prompt_tokens() const { return prompt_tokens_; }

 private:
  LlamaForCausalLM model_;
  const Tokenizer& tokenizer_;
  GenerationConfig config_;
  std::int64_t new_tokens_ = 0, prompt_tokens_ = 0;
};

}  // namespace rw::core

// The synthesizer's generator model (synth/synth_model.h) for a Llama-family HF folder: each user message
// becomes a prompt in the synth config's prompt format ("model": the folder's own chat template through the
// Jinja interpreter; "auto": a built-in family format when Ropewalk recognizes the template; or a format by
// name) and replies come from batched KV-cache generation, greedy or sampled with a per-call seed. Not the
// workflow (synth/bootstrap_samples.cpp).
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "rw/core/chat/chat_format.h"
#include "rw/core/chat/jinja_template.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/synth/synth_model.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

class LlamaSynthModel : public SynthModel {
 public:
  /// Loads the folder's weights onto `device` and its tokenizer; `prompt_format` is "model", "auto" or a chat
  /// format name; temperature 0 decodes greedily. Errors name the folder and the cause ("model" with a folder
  /// that has no chat template, or one the interpreter refuses).
  LlamaSynthModel(const std::filesystem::path& dir, std::string_view prompt_format, double temperature,
                  at::Device device = at::kCPU);
  ~LlamaSynthModel() override;

  std::vector<std::string> reply(const std::vector<std::string>& user_messages, std::int64_t max_new_tokens,
                                 std::uint64_t seed) override;
  std::int64_t prompt_tokens(const std::string& user_message) const override;
  std::int64_t context_tokens() const override { return loaded_.config.max_position_embeddings; }
  std::string describe() const override { return description_; }

  /// Tokens generated over all calls (for throughput figures).
  std::int64_t new_tokens() const { return generator_->new_tokens(); }

 private:
  /// One user message as the model reads it.
  Prompt prompt_for(const std::string& user_message) const;

  LoadedModel loaded_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ChatFormat format_ = ChatFormat::Completion;
  std::optional<ModelChatTemplate> own_template_;  ///< prompt_format "model"
  double temperature_;
  std::unique_ptr<LlamaTextGenerator> generator_;
  std::string description_;
};

/// SHA-256 of a model folder's weights: of model.safetensors, or of the list "name:sha256" of every
/// *.safetensors file in name order for a sharded folder.
std::string model_weights_sha256(const std::filesystem::path& dir);

}  // namespace rw::core

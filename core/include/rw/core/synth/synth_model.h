// The generator model as the synthesizer's agent workflows see it: one-turn prompts in, replies out, in
// batches. The engine supplies the real one (model/synth_chat_model.h: a Llama-family folder through its
// chat format); tests plug in scripted models. Keeping the interface here keeps core/synth free of LibTorch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rw::core {

class SynthModel {
 public:
  virtual ~SynthModel() = default;
  /// One reply per user message, computed together (one batch). Decoding as the model was set up with
  /// (greedy, or sampling seeded by `seed`, so a sample's replies are the same every time it is made).
  virtual std::vector<std::string> reply(const std::vector<std::string>& user_messages, std::int64_t max_new_tokens,
                                         std::uint64_t seed) = 0;
  /// Tokens of the prompt a user message becomes (chat template and special tokens included).
  virtual std::int64_t prompt_tokens(const std::string& user_message) const = 0;
  /// The longest prompt plus reply the model handles (its max_position_embeddings).
  virtual std::int64_t context_tokens() const = 0;
  /// For provenance: the model folder, its weights' SHA-256 and the prompt format.
  virtual std::string describe() const = 0;
};

}  // namespace rw::core

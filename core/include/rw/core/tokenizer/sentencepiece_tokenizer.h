// Tokenizer over a sentencepiece .model (libsentencepiece): ids equal sentencepiece's own Encode on
// text without special tokens. Special tokens written in the text (control pieces, <unk>, and
// tokenizer_config.json added tokens) are matched first and the text between them is encoded segment by
// segment, as HF's Llama-2 tokenizer.json does. Training is train_sentencepiece in tokenizer.h.
#pragma once
#include <filesystem>
#include <memory>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  /// Loads model_file; config supplies bos/eos/pad overrides, add_bos/add_eos (defaults: BOS yes, EOS no)
  /// and extra added tokens. Error naming the file on failure.
  explicit SentencePieceTokenizer(const std::filesystem::path& model_file, const SpecialTokensConfig& config = {});
  ~SentencePieceTokenizer() override;

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::string id_to_token(int32_t id) const override;

  struct Impl;  // opaque; keeps sentencepiece headers out of this one

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rw::core

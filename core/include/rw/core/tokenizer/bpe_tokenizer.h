// Byte-level BPE tokenizer read from an HF tokenizer.json (Llama-3, Qwen2, GPT-2 style), with the same
// ids as HF `tokenizers`: NFC-family normalizers, added tokens, Split/ByteLevel pre-tokenizers,
// TemplateProcessing/ByteLevel post-processors, ByteLevel decoder. Not WordPiece/Unigram/Metaspace
// tokenizers (those load through sentencepiece_tokenizer.h or are rejected by load_tokenizer).
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

class BpeTokenizer final : public Tokenizer {
 public:
  /// Loads tokenizer_json; Error naming the file and cause when it is malformed, not a byte-level BPE,
  /// or uses a component this class does not implement.
  explicit BpeTokenizer(const std::filesystem::path& tokenizer_json);
  /// Like the constructor, but a well-formed tokenizer.json that is simply not a byte-level BPE (e.g.
  /// model type Unigram, Metaspace pre-tokenizer) gives nullptr and the reason instead of an Error.
  static std::unique_ptr<BpeTokenizer> try_load(const std::filesystem::path& tokenizer_json,
                                                std::string& not_byte_level_reason);
  ~BpeTokenizer() override;

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::string id_to_token(int32_t id) const override;

  struct Impl;  // opaque; public only so the .cpp's helpers can name it

 private:
  explicit BpeTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rw::core

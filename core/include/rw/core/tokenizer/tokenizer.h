// The Tokenizer interface (text <-> ids, HF-compatible), load_tokenizer for HF model directories, and
// in-process sentencepiece training. Concrete tokenizers live in bpe_tokenizer.h and
// sentencepiece_tokenizer.h; chat formatting is in chat_template.h. No LibTorch, no JSON types here.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rw::core {

/// A token matched as a whole in the text before the model runs (HF "added token").
struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = true;
  bool normalized = false;  // matched on the normalized text instead of the raw text
  bool lstrip = false, rstrip = false, single_word = false;
};

/// Special-token settings of an HF model directory (tokenizer_config.json, special_tokens_map.json).
/// Strings are token contents; unset means "not given".
struct SpecialTokensConfig {
  std::optional<std::string> bos_token, eos_token, pad_token, unk_token;
  std::optional<bool> add_bos_token, add_eos_token;  // only sentencepiece tokenizers honour these
  /// tokenizer_config.json "added_tokens_decoder"; used by sentencepiece tokenizers (tokenizer.json
  /// carries its own list, which byte-level BPE uses instead).
  std::vector<AddedToken> added_tokens;
};

/// Reads tokenizer_config.json, then special_tokens_map.json for fields still unset; missing files give
/// an empty config. Throws Error naming the file on malformed JSON.
SpecialTokensConfig read_special_tokens_config(const std::filesystem::path& model_dir);

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// add_special_tokens: prepend BOS (and whatever the tokenizer's post-processor adds) like HF's
  /// tokenizer(text, add_special_tokens=True). Special/added tokens written in the text are matched as
  /// single ids (as HF does for added tokens). Invalid UTF-8 in text is read as U+FFFD.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const = 0;
  /// Ids outside the vocabulary are skipped (as HF does); byte sequences that are not UTF-8 become U+FFFD.
  virtual std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const = 0;
  virtual int32_t vocab_size() const = 0;  // including added tokens (largest id + 1)
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  /// The vocabulary string of id (byte-level BPE: in the GPT-2 byte alphabet, e.g. "Ġthe"). Error if out of range.
  virtual std::string id_to_token(int32_t id) const = 0;

  /// The file this was read from (tokenizer.json, tokenizer.model); empty when built in code. For errors.
  const std::filesystem::path& file() const { return file_; }

  std::optional<int32_t> bos_id() const { return bos_id_; }
  std::optional<int32_t> eos_id() const { return eos_id_; }
  std::optional<int32_t> pad_id() const { return pad_id_; }
  virtual bool is_special(int32_t id) const { return special_ids_.count(id) != 0; }

  /// Resolves bos/eos/pad from the config's strings (those not in the vocabulary are left unset with a
  /// warning); unset fields keep their current values. load_tokenizer calls this.
  void apply_special_tokens_config(const SpecialTokensConfig& config);

 protected:
  std::optional<int32_t> bos_id_, eos_id_, pad_id_;
  std::unordered_set<int32_t> special_ids_;
  std::filesystem::path file_;
};

/// Loads from an HF model directory: tokenizer.json when it is a byte-level BPE (Llama-3, Qwen2, GPT-2
/// style), else tokenizer.model (sentencepiece). bos/eos/pad come from tokenizer_config.json /
/// special_tokens_map.json (strings or {"content":...} objects) when present. Error naming the file and
/// cause on anything unsupported or malformed (e.g. tokenizer.json model type "Unigram"/"WordPiece").
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir);

struct SentencePieceTrainOptions {
  int vocab_size = 2000;
  std::string model_type = "bpe";  // unigram | bpe
  double character_coverage = 1.0;
  bool byte_fallback = true;
  std::vector<std::string> user_defined_symbols;  // must not contain ','
  int num_threads = 2;
  uint32_t seed = 42;
};

/// Trains a sentencepiece model in-process (libsentencepiece) from text files (one sentence per line);
/// writes <prefix>.model/.vocab. Uses normalization_rule_name=identity and remove_extra_whitespaces=false
/// so text round-trips exactly. Error with sentencepiece's message on failure.
void train_sentencepiece(const std::vector<std::filesystem::path>& text_files,
                         const std::filesystem::path& model_prefix, const SentencePieceTrainOptions& options);

}  // namespace rw::core

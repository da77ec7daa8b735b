// A GGUF file's tokenizer metadata turned into the HF tokenizer files (tokenizer.json,
// tokenizer_config.json), built the way transformers builds its tokenizer from the same GGUF, so the
// imported folder tokenizes exactly as transformers does with `gguf_file=`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rw::core {

/// The tokenizer.ggml.* metadata (see the GGUF spec); ids index `tokens`.
struct GgufVocabulary {
  std::string model;  ///< tokenizer.ggml.model: "gpt2" (byte-level BPE) is supported
  std::string pre;    ///< tokenizer.ggml.pre: which pre-tokenizer split the merges were learned with
  std::vector<std::string> tokens;
  std::vector<int32_t> token_types;  ///< 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  std::vector<std::string> merges;   ///< "a b"
  std::optional<int64_t> bos_id, eos_id, unk_id, pad_id;
  std::optional<bool> add_bos, add_eos;
  std::string origin;  ///< the GGUF file, for messages
};

struct TokenizerFiles {
  std::string tokenizer_json;
  std::string tokenizer_config_json;
  std::vector<std::string> notes;  ///< what a user should know (e.g. an unknown pre-tokenizer)
};

/// Error naming the origin and the field for a vocabulary that cannot be rebuilt (an unsupported model
/// type, merges naming unknown tokens, special ids out of range, ...).
TokenizerFiles build_tokenizer_files(const GgufVocabulary& vocabulary);

}  // namespace rw::core

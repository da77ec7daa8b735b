// Token counting and token-sized chunking of corpus documents (for BM25 retrieval and length stats).
// Chunks end on word boundaries (whitespace), so a chunk is readable text and its byte offsets
// [begin, end) are valid UTF-8 boundaries in the document. Not the packer for training sequences.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// Counts tokens of a piece of text, without BOS/EOS.
class TokenCounter {
 public:
  virtual ~TokenCounter() = default;
  virtual std::int64_t count(std::string_view text) const = 0;
  /// Identifies the tokenizer in the store (e.g. "words" or "sha256:<first 16 hex of the tokenizer file>").
  virtual std::string id() const = 0;
  /// Human name shown in the UI ("words", "Llama-3.2-1B").
  virtual std::string name() const = 0;
};

/// The built-in counter used when a project has no tokenizer: one token per maximal run of
/// non-whitespace characters. id() == "words".
std::unique_ptr<TokenCounter> make_word_counter();

/// Counts with a real tokenizer (encode without special tokens). `tokenizer_id` / `name` as above.
std::unique_ptr<TokenCounter> make_tokenizer_counter(std::shared_ptr<const Tokenizer> tokenizer,
                                                     std::string tokenizer_id, std::string name);

/// Loads the tokenizer of an HF model directory (load_tokenizer) and derives its id from the SHA-256 of
/// tokenizer.json or tokenizer.model. Error naming the folder when it has no tokenizer.
std::unique_ptr<TokenCounter> load_token_counter(const std::filesystem::path& model_dir);

struct ChunkingOptions {
  std::int64_t chunk_tokens = 512;   // most tokens per chunk (> 0)
  std::int64_t overlap_tokens = 64;  // tokens a chunk repeats from the end of the previous one (< chunk_tokens)
};

struct ChunkSpan {
  std::int64_t byte_begin = 0;  // in the document text
  std::int64_t byte_end = 0;
  std::int64_t n_tokens = 0;  // counted as the sum of its words' counts
};

/// Splits text into consecutive chunks of at most chunk_tokens tokens that overlap by about
/// overlap_tokens (whole words, never more than overlap_tokens). Words are a run of whitespace plus
/// the following non-whitespace run; a word longer than chunk_tokens is split at UTF-8 character
/// boundaries. Empty or all-whitespace text gives no chunks. Error on bad options (naming them).
std::vector<ChunkSpan> chunk_by_tokens(std::string_view text, const TokenCounter& counter,
                                       const ChunkingOptions& options);

}  // namespace rw::core

// Training sequences from corpus documents, for continued pretraining: documents in a seeded shuffled
// order per epoch, tokenized (BOS/EOS as the tokenizer adds them), packed into seq_len sequences
// (split across sequences when long), and mixed across corpora by weight. Deterministic and resumable:
// a cursor fully describes where the next sequence starts, so a resumed run sees the same sequences.
// Not the packer itself (packing.h) and not SFT samples.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/data/packing.h"
#include "rw/core/store/database.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// Where the next sequence of one corpus starts: document `position` of epoch `epoch`'s order, at token
/// `token_offset` of that document (non-zero when the previous sequence ended inside it).
struct StreamCursor {
  std::int64_t epoch = 0;
  std::int64_t position = 0;
  std::int64_t token_offset = 0;
  bool operator==(const StreamCursor&) const = default;
};

/// The document ids of a corpus in the order epoch `epoch` reads them: a Fisher-Yates shuffle driven by
/// SplitMix64 (seed, epoch), identical on every platform and standard library.
std::vector<std::int64_t> epoch_order(std::vector<std::int64_t> document_ids, std::uint64_t seed, std::int64_t epoch);

class DocumentStream {
 public:
  /// Reads the corpus's document ids (Error naming the corpus when it has none). Packing options must use
  /// Overflow::Split (a pretraining stream never drops text). The database and tokenizer must outlive it.
  DocumentStream(Database& db, std::int64_t corpus_id, const Tokenizer& tokenizer, const PackingOptions& options,
                 std::uint64_t seed);

  /// The next full packed sequence (no padding: after the last document it goes on into the next epoch);
  /// advances the cursor. Pieces' sample_id is the document id and sample_offset the token offset in it.
  PackedSequence next();

  const StreamCursor& cursor() const { return cursor_; }
  /// Continues from a cursor taken earlier with cursor(). Error when it points outside the corpus.
  void seek(const StreamCursor& cursor);
  std::int64_t documents() const { return static_cast<std::int64_t>(ids_.size()); }

 private:
  const std::vector<std::int32_t>& tokens_of(std::int64_t document_id);
  void advance_document();

  Database& db_;
  std::int64_t corpus_id_;
  const Tokenizer& tokenizer_;
  PackingOptions options_;
  std::uint64_t seed_;
  std::vector<std::int64_t> ids_;    // in id order
  std::vector<std::int64_t> order_;  // this epoch's order
  std::int64_t order_epoch_ = -1;
  StreamCursor cursor_;
  std::int64_t cached_id_ = -1;  // tokens of the last document read (a long one spans many sequences)
  std::vector<std::int32_t> cached_tokens_;
};

/// Several corpora mixed by weight: sequence number s comes from the source picked by a hash of
/// (seed, s) against the cumulative weights, so the mixture needs no RNG state to resume.
class MixedDocumentStream {
 public:
  struct Source {
    std::int64_t corpus_id = 0;
    double weight = 1.0;  // > 0
  };
  struct Cursor {
    std::int64_t sequences = 0;
    std::vector<StreamCursor> sources;
  };

  MixedDocumentStream(Database& db, const std::vector<Source>& sources, const Tokenizer& tokenizer,
                      const PackingOptions& options, std::uint64_t seed);
  /// The next sequence and the index of the source it came from.
  std::pair<PackedSequence, size_t> next();
  Cursor cursor() const;
  void seek(const Cursor& cursor);

 private:
  std::vector<DocumentStream> streams_;
  std::vector<double> cumulative_;  // normalized cumulative weights
  std::uint64_t seed_;
  std::int64_t sequences_ = 0;
};

/// Cursor as JSON ({"sequences":N,"sources":[{"epoch":..,"position":..,"token_offset":..}]}) for checkpoints,
/// and back (Error naming the field on malformed input).
std::string mixed_cursor_to_json(const MixedDocumentStream::Cursor& cursor);
MixedDocumentStream::Cursor mixed_cursor_from_json(std::string_view json_text);

}  // namespace rw::core

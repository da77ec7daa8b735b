// Training sequences from corpus documents, for continued pretraining: documents in a seeded shuffled
// order per epoch, tokenized (BOS/EOS as the tokenizer adds them), packed into seq_len sequences
// (split across sequences when long). Deterministic and resumable: a cursor fully describes where the
// next sequence starts, so a resumed run sees the same sequences. Not the packer itself (packing.h), not
// the mix of corpora (MixedStream in sequence_stream.h) and not SFT samples.
#pragma once
#include <cstdint>
#include <vector>

#include "rw/core/data/sequence_stream.h"
#include "rw/core/store/database.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

class DocumentStream : public SequenceStream {
 public:
  /// Reads the corpus's document ids (Error naming the corpus when it has none). Packing options must use
  /// Overflow::Split (a pretraining stream never drops text). Documents of fewer than min_tokens tokens
  /// are skipped (ProLong keeps only long documents in its long-data domains); Error when that leaves none.
  /// The database and tokenizer must outlive it.
  DocumentStream(Database& db, std::int64_t corpus_id, const Tokenizer& tokenizer, const PackingOptions& options,
                 std::uint64_t seed, std::int64_t min_tokens = 0);

  /// The next full packed sequence (no padding: after the last document it goes on into the next epoch);
  /// advances the cursor. Pieces' sample_id is the document id and sample_offset the token offset in it.
  PackedSequence next() override;

  StreamCursor cursor() const override { return walk_.cursor(); }
  /// Continues from a cursor taken earlier with cursor(). Error when it points outside the corpus.
  void seek(const StreamCursor& cursor) override;
  std::int64_t documents() const { return walk_.size(); }

 private:
  const std::vector<std::int32_t>& tokens_of(std::int64_t document_id);

  Database& db_;
  std::int64_t corpus_id_;
  const Tokenizer& tokenizer_;
  PackingOptions options_;
  std::int64_t min_tokens_;
  EpochWalk walk_;               // over the corpus's document ids in id order
  std::int64_t cached_id_ = -1;  // tokens of the last document read (a long one spans many sequences)
  std::vector<std::int32_t> cached_tokens_;
};

}  // namespace rw::core

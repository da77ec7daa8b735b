// Training sequences from a dataset: samples in a seeded shuffled order per epoch, each rendered with its
// loss mask — a chat sample in a chat format (chat_format.h), a text sample like a corpus document (BOS,
// text, EOS, every token trained) — packed into seq_len sequences.
// Deterministic and resumable like DocumentStream: the cursor fully describes where the next sequence
// starts. Not the rendering itself (chat_format.h), not the packer (packing.h), not the mix of sources
// (MixedStream in sequence_stream.h).
//
// Packing by the stage's overflow setting:
//   Split     a sample fills the room left and the rest continues in the next sequence (no padding);
//   Truncate  a sample is never split: one that does not fit in the room left starts the next sequence
//             (the current one is padded), and one longer than seq_len keeps its first seq_len tokens;
//   Drop      as Truncate, but samples longer than seq_len are skipped (counted in dropped_samples()).
// So with Truncate and Drop, SFT sequences may end in padding: a conversation cut in two at a sequence
// boundary would lose its prompt for the second half.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_tokens.h"
#include "rw/core/data/sequence_stream.h"
#include "rw/core/store/database.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// A stored sample as the trainer reads it, with its loss mask: a chat sample rendered in `format`
/// (render_chat), a text sample (dataset kind "text") like a corpus document: BOS when the tokenizer adds
/// one, the text, EOS, every token trained. Error as render_chat's for a chat sample.
RenderedChat render_sample(std::string_view dataset_kind, ChatFormat format, const Tokenizer& tokenizer,
                           const std::vector<ChatMessage>& messages, LossOn loss_on);

class SampleStream : public SequenceStream {
 public:
  /// Reads the dataset's sample ids (Error naming the dataset when it has none). The database and
  /// tokenizer must outlive it.
  SampleStream(Database& db, std::int64_t dataset_id, const Tokenizer& tokenizer, ChatFormat format, LossOn loss_on,
               const PackingOptions& options, std::uint64_t seed);

  /// The next packed sequence; advances the cursor. After the last sample it goes on into the next epoch.
  /// Pieces' sample_id is the sample id and sample_offset the token offset in the rendered sample.
  /// Error naming the dataset when every sample is longer than seq_len under Drop, and naming the sample
  /// when its conversation cannot be rendered in the chat format.
  PackedSequence next() override;

  StreamCursor cursor() const override { return walk_.cursor(); }
  /// Continues from a cursor taken earlier with cursor(). Error when it points outside the dataset (or
  /// inside a sample under Truncate/Drop, which never split one).
  void seek(const StreamCursor& cursor) override;

  std::int64_t samples() const { return walk_.size(); }
  /// Samples skipped under Drop and tokens cut under Truncate, by this object since it was made.
  std::int64_t dropped_samples() const { return dropped_; }
  std::int64_t truncated_tokens() const { return truncated_; }

 private:
  const RenderedChat& rendered(std::int64_t sample_id);

  Database& db_;
  std::int64_t dataset_id_;
  DatasetRecord dataset_;
  const Tokenizer& tokenizer_;
  ChatFormat format_;
  LossOn loss_on_;
  PackingOptions options_;
  EpochWalk walk_;               // over the dataset's sample ids in idx order
  std::int64_t cached_id_ = -1;  // the last sample rendered (a long one spans many sequences under Split)
  RenderedChat cached_;
  std::int64_t dropped_ = 0;
  std::int64_t truncated_ = 0;
};

}  // namespace rw::core

// Packing tokenized samples into fixed-length training sequences with their document boundaries kept:
// segment ids (for document masking), position ids (reset per document or continued), next-token labels
// with a loss mask, and a record of which part of which sample went where. Pure data, no LibTorch.
// Not the tensor side (attention masks are built from segment ids by the trainer).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace rw::core {

/// No target at this position (HF's ignore_index).
inline constexpr std::int32_t kIgnoreLabel = -100;

struct PackInput {
  std::int64_t sample_id = 0;
  std::vector<std::int32_t> ids;
  /// Per token: 1 when the model is trained to predict this token (SFT: response tokens), 0 when not.
  /// Empty means every token.
  std::vector<std::uint8_t> loss_mask;
};

/// A sample longer than the room left: Split continues it in the next sequence; Truncate keeps what fits
/// in a sequence of its own and drops the rest; Drop skips it (counted in PackStats).
enum class Overflow { Split, Truncate, Drop };

struct PackingOptions {
  std::int64_t seq_len = 4096;
  std::int32_t pad_id = 0;
  /// Attention stays within a document (ProLong) or spans the whole sequence (CIP). With masking, the last
  /// token of a document has no target; without, it predicts the next document's first token.
  bool document_masking = true;
  /// Position ids restart at 0 for each document, or run 0..seq_len-1 over the whole sequence.
  bool reset_positions = true;
  Overflow overflow = Overflow::Split;
};

/// Which tokens of which sample a sequence holds: sample tokens [sample_offset, sample_offset + length)
/// sit at sequence positions [seq_offset, seq_offset + length).
struct PackedPiece {
  std::int64_t sample_id = 0;
  std::int64_t sample_offset = 0;
  std::int64_t seq_offset = 0;
  std::int64_t length = 0;
};

struct PackedSequence {
  std::vector<std::int32_t> ids;           // [seq_len]
  std::vector<std::int32_t> labels;        // [seq_len] next-token targets or kIgnoreLabel
  std::vector<std::int32_t> position_ids;  // [seq_len]
  std::vector<std::int32_t> segment_ids;   // [seq_len] 0, 1, ... per piece; -1 on padding
  std::vector<PackedPiece> pieces;
  std::int64_t real_tokens() const;    // positions that are not padding
  std::int64_t target_tokens() const;  // labels that are not kIgnoreLabel
};

struct PackStats {
  std::int64_t samples = 0;
  std::int64_t dropped_samples = 0;
  std::int64_t truncated_tokens = 0;
  std::int64_t sequences = 0;
  std::int64_t padding_tokens = 0;
};

/// Streams samples in, sequences out, in order. Deterministic: the same inputs give the same sequences.
class SequencePacker {
 public:
  /// Error naming the option when seq_len < 2.
  explicit SequencePacker(const PackingOptions& options);

  /// Adds a sample; returns the sequences it completed (possibly none). Error naming the sample when its
  /// loss mask length differs from its ids, or it is empty.
  std::vector<PackedSequence> add(const PackInput& sample);
  /// The sequence in progress, padded to seq_len (nothing if it is empty).
  std::optional<PackedSequence> flush();

  const PackStats& stats() const { return stats_; }

 private:
  void append(const PackInput& sample, std::int64_t from, std::int64_t count, std::vector<PackedSequence>& done);
  PackedSequence finish();

  PackingOptions options_;
  PackStats stats_;
  // The sequence being filled (unpadded), with the loss mask of each token as a target.
  std::vector<std::int32_t> ids_, positions_, segments_;
  std::vector<std::uint8_t> target_mask_;
  std::vector<PackedPiece> pieces_;
};

/// Packs a whole list (convenience over SequencePacker; the last sequence padded).
std::vector<PackedSequence> pack_samples(const std::vector<PackInput>& samples, const PackingOptions& options,
                                         PackStats* stats = nullptr);

}  // namespace rw::core

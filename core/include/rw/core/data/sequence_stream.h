// The interface every source of training sequences implements (corpus documents for pretraining, chat
// samples for SFT), the cursor that makes each one resumable, the shared seeded epoch shuffle, and the
// weighted mix of several sources that a training stage reads. Not the packing itself (packing.h) and
// not any concrete source (document_stream.h, sample_stream.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/data/packing.h"

namespace rw::core {

/// Where the next sequence of one source starts: item `position` of epoch `epoch`'s order, at token
/// `token_offset` of that item (non-zero when the previous sequence ended inside it).
struct StreamCursor {
  std::int64_t epoch = 0;
  std::int64_t position = 0;
  std::int64_t token_offset = 0;
  bool operator==(const StreamCursor&) const = default;
};

/// An endless, deterministic stream of packed sequences. Pieces' sample_id names the item (document or
/// sample id) and sample_offset the token offset in it.
class SequenceStream {
 public:
  virtual ~SequenceStream() = default;
  /// The next sequence; advances the cursor.
  virtual PackedSequence next() = 0;
  virtual StreamCursor cursor() const = 0;
  /// Continues from a cursor taken earlier with cursor(). Error when it points outside the source.
  virtual void seek(const StreamCursor& cursor) = 0;
};

/// Item ids in the order epoch `epoch` reads them: a Fisher-Yates shuffle driven by SplitMix64
/// (seed, epoch), identical on every platform and standard library.
std::vector<std::int64_t> epoch_order(std::vector<std::int64_t> ids, std::uint64_t seed, std::int64_t epoch);

/// A walk over a fixed list of item ids (documents or samples) in epoch_order, one epoch after another, with
/// the cursor that says where it is: the bookkeeping every concrete stream shares.
class EpochWalk {
 public:
  /// ids in their stored order (non-empty: the stream refuses an empty source before building one).
  EpochWalk(std::vector<std::int64_t> ids, std::uint64_t seed) : ids_(std::move(ids)), seed_(seed) {}
  /// The item at the cursor (the epoch's order is computed once per epoch).
  std::int64_t current();
  /// To the first token of the next item; after the last item, into the next epoch.
  void advance();
  StreamCursor& cursor() { return cursor_; }
  const StreamCursor& cursor() const { return cursor_; }
  /// Whether a cursor points inside this walk: epoch, position and token offset in range.
  bool contains(const StreamCursor& cursor) const;
  std::int64_t size() const { return static_cast<std::int64_t>(ids_.size()); }

 private:
  std::vector<std::int64_t> ids_;  // in stored order
  std::uint64_t seed_;
  std::vector<std::int64_t> order_;  // epoch order_epoch_'s order
  std::int64_t order_epoch_ = -1;
  StreamCursor cursor_;
};

/// A uniform double in [0, 1) that depends only on (seed, index) (SplitMix64 of their mix).
double unit_hash(std::uint64_t seed, std::int64_t index);

/// Several sources mixed by weight: sequence number s comes from the source picked by a hash of
/// (seed, s) against the cumulative weights, so the mixture needs no RNG state to resume.
class MixedStream {
 public:
  struct Source {
    std::unique_ptr<SequenceStream> stream;
    double weight = 1.0;  // > 0
    std::string name;     // for errors
  };
  struct Cursor {
    std::int64_t sequences = 0;
    std::vector<StreamCursor> sources;
    bool operator==(const Cursor&) const = default;
  };
  /// Error naming the source for a non-positive weight, or when there is no source.
  MixedStream(std::vector<Source> sources, std::uint64_t seed);
  /// The next sequence and the index of the source it came from.
  std::pair<PackedSequence, size_t> next();
  Cursor cursor() const;
  /// Error when the cursor has another number of sources or a source refuses its part.
  void seek(const Cursor& cursor);
  size_t sources() const { return sources_.size(); }
  const std::string& source_name(size_t index) const { return sources_[index].name; }

 private:
  std::vector<Source> sources_;
  std::vector<double> cumulative_;  // normalized cumulative weights
  std::uint64_t seed_;
  std::int64_t sequences_ = 0;
};

/// Cursor as JSON ({"sequences":N,"sources":[{"epoch":..,"position":..,"token_offset":..}]}) for checkpoints,
/// and back (Error naming the field on malformed input).
std::string mixed_cursor_to_json(const MixedStream::Cursor& cursor);
MixedStream::Cursor mixed_cursor_from_json(std::string_view json_text);

}  // namespace rw::core

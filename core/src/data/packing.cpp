// SequencePacker (see packing.h): greedy, in-order packing with split / truncate / drop for long samples.
#include "rw/core/data/packing.h"

#include <algorithm>

#include "rw/core/util/error.h"

namespace rw::core {

std::int64_t PackedSequence::real_tokens() const {
  return std::count_if(segment_ids.begin(), segment_ids.end(), [](std::int32_t s) { return s >= 0; });
}

std::int64_t PackedSequence::target_tokens() const {
  return std::count_if(labels.begin(), labels.end(), [](std::int32_t l) { return l != kIgnoreLabel; });
}

SequencePacker::SequencePacker(const PackingOptions& options) : options_(options) {
  if (options.seq_len < 2) fail("packing: seq_len must be at least 2 (got {})", options.seq_len);
}

std::vector<PackedSequence> SequencePacker::add(const PackInput& sample) {
  const auto n = static_cast<std::int64_t>(sample.ids.size());
  if (n == 0) fail("packing: sample {} has no tokens", sample.sample_id);
  if (!sample.loss_mask.empty() && sample.loss_mask.size() != sample.ids.size()) {
    fail("packing: sample {} has {} tokens but a loss mask of {}", sample.sample_id, n, sample.loss_mask.size());
  }
  ++stats_.samples;
  std::vector<PackedSequence> done;
  const std::int64_t seq_len = options_.seq_len;
  const auto room = [&] { return seq_len - static_cast<std::int64_t>(ids_.size()); };
  if (options_.overflow == Overflow::Split) {
    for (std::int64_t from = 0; from < n;) {
      const std::int64_t count = std::min(n - from, room());
      append(sample, from, count, done);
      from += count;
    }
    return done;
  }
  if (n > seq_len && options_.overflow == Overflow::Drop) {
    ++stats_.dropped_samples;
    return done;
  }
  // Truncate, or Drop of a sample that fits a sequence: never split it, start a new sequence if needed.
  if (n > room() && !ids_.empty()) done.push_back(finish());
  const std::int64_t count = std::min(n, seq_len);
  stats_.truncated_tokens += n - count;
  append(sample, 0, count, done);
  return done;
}

void SequencePacker::append(const PackInput& sample, std::int64_t from, std::int64_t count,
                            std::vector<PackedSequence>& done) {
  const auto segment = static_cast<std::int32_t>(pieces_.size());
  pieces_.push_back({sample.sample_id, from, static_cast<std::int64_t>(ids_.size()), count});
  for (std::int64_t i = 0; i < count; ++i) {
    const auto k = static_cast<size_t>(from + i);
    ids_.push_back(sample.ids[k]);
    // A piece continued from the previous sequence starts again at 0: positions never exceed seq_len.
    positions_.push_back(
        static_cast<std::int32_t>(options_.reset_positions ? i : static_cast<std::int64_t>(ids_.size()) - 1));
    segments_.push_back(segment);
    target_mask_.push_back(sample.loss_mask.empty() ? 1 : sample.loss_mask[k]);
  }
  if (static_cast<std::int64_t>(ids_.size()) == options_.seq_len) done.push_back(finish());
}

std::optional<PackedSequence> SequencePacker::flush() {
  if (ids_.empty()) return std::nullopt;
  return finish();
}

PackedSequence SequencePacker::finish() {
  const auto real = ids_.size();
  const auto seq_len = static_cast<size_t>(options_.seq_len);
  PackedSequence seq;
  seq.ids = std::move(ids_);
  seq.position_ids = std::move(positions_);
  seq.segment_ids = std::move(segments_);
  seq.pieces = std::move(pieces_);
  seq.labels.assign(seq_len, kIgnoreLabel);
  for (size_t t = 0; t + 1 < real; ++t) {
    const bool same_document = seq.segment_ids[t] == seq.segment_ids[t + 1];
    if (target_mask_[t + 1] && (same_document || !options_.document_masking)) seq.labels[t] = seq.ids[t + 1];
  }
  stats_.padding_tokens += static_cast<std::int64_t>(seq_len - real);
  seq.ids.resize(seq_len, options_.pad_id);
  // Padding continues the positions (any value works: it is masked; increasing keeps RoPE tables small).
  for (size_t t = real; t < seq_len; ++t) seq.position_ids.push_back(real == 0 ? 0 : seq.position_ids[t - 1] + 1);
  seq.segment_ids.resize(seq_len, -1);
  ++stats_.sequences;
  ids_.clear();
  positions_.clear();
  segments_.clear();
  target_mask_.clear();
  pieces_.clear();
  return seq;
}

std::vector<PackedSequence> pack_samples(const std::vector<PackInput>& samples, const PackingOptions& options,
                                         PackStats* stats) {
  SequencePacker packer(options);
  std::vector<PackedSequence> out;
  for (const PackInput& s : samples) {
    for (PackedSequence& seq : packer.add(s)) out.push_back(std::move(seq));
  }
  if (auto last = packer.flush()) out.push_back(std::move(*last));
  if (stats) *stats = packer.stats();
  return out;
}

}  // namespace rw::core

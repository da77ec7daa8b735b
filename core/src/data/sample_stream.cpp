// SampleStream (see sample_stream.h).
#include "rw/core/data/sample_stream.h"

#include <algorithm>

#include "rw/core/store/dataset_store.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// The dataset's sample ids in idx order, its name and kind in `record`; Error when it has none. Checks
/// seq_len first.
std::vector<std::int64_t> dataset_sample_ids(Database& db, std::int64_t dataset_id, const PackingOptions& options,
                                             DatasetRecord& record) {
  SequencePacker check(options);  // validates seq_len
  DatasetStore store(db);
  record = store.dataset(dataset_id);
  const std::string& name = record.name;
  std::vector<std::int64_t> ids = store.sample_ids(dataset_id);
  if (ids.empty()) fail("dataset '{}' has no samples to train on", name);
  return ids;
}

}  // namespace

SampleStream::SampleStream(Database& db, std::int64_t dataset_id, const Tokenizer& tokenizer, ChatFormat format,
                           LossOn loss_on, const PackingOptions& options, std::uint64_t seed)
    : db_(db),
      dataset_id_(dataset_id),
      tokenizer_(tokenizer),
      format_(format),
      loss_on_(loss_on),
      options_(options),
      walk_(dataset_sample_ids(db, dataset_id, options, dataset_), seed) {}

RenderedChat render_sample(std::string_view dataset_kind, ChatFormat format, const Tokenizer& tokenizer,
                           const std::vector<ChatMessage>& messages, LossOn loss_on) {
  if (dataset_kind != "text") return render_chat(format, tokenizer, messages, loss_on);
  RenderedChat r;
  r.ids = tokenizer.encode(messages.at(0).content, /*add_special_tokens=*/true);
  if (const auto eos = tokenizer.eos_id(); eos && (r.ids.empty() || r.ids.back() != *eos)) r.ids.push_back(*eos);
  r.loss_mask.assign(r.ids.size(), 1);
  return r;
}

const RenderedChat& SampleStream::rendered(std::int64_t sample_id) {
  if (sample_id == cached_id_) return cached_;
  const SampleRecord sample = DatasetStore(db_).sample(sample_id);
  try {
    cached_ = render_sample(dataset_.kind, format_, tokenizer_, sample.messages, loss_on_);
  } catch (const Error& e) {
    fail("dataset '{}': sample {} (index {}) cannot be trained in the {} chat format: {}", dataset_.name, sample_id,
         sample.idx, chat_format_name(format_), e.what());
  }
  if (cached_.ids.empty()) fail("dataset '{}': sample {} renders to no tokens", dataset_.name, sample_id);
  cached_id_ = sample_id;
  return cached_;
}

PackedSequence SampleStream::next() {
  // Inputs are cut to fit before they reach the packer, so it never splits, truncates or drops by itself.
  PackingOptions fitting = options_;
  fitting.overflow = Overflow::Split;
  SequencePacker packer(fitting);
  const std::int64_t seq_len = options_.seq_len;
  std::vector<std::int64_t> offsets;  // the sample offset each packer input started at
  std::int64_t filled = 0, dropped_in_a_row = 0;
  const auto finished = [&](PackedSequence seq) {
    for (size_t i = 0; i < seq.pieces.size(); ++i) seq.pieces[i].sample_offset = offsets[i];
    return seq;
  };
  StreamCursor& cursor = walk_.cursor();
  for (;;) {
    const std::int64_t id = walk_.current();
    const RenderedChat& r = rendered(id);
    const auto size = static_cast<std::int64_t>(r.ids.size());
    std::int64_t from = cursor.token_offset, take = 0;
    if (options_.overflow == Overflow::Split) {
      take = std::min(size - from, seq_len - filled);
    } else {
      if (size > seq_len && options_.overflow == Overflow::Drop) {
        ++dropped_;
        if (++dropped_in_a_row > samples())
          fail(
              "dataset '{}': every sample is longer than seq_len {} tokens in the {} chat format, and overflow "
              "'drop' skips them all; use a longer seq_len or overflow 'truncate'",
              dataset_.name, seq_len, chat_format_name(format_));
        walk_.advance();
        continue;
      }
      take = std::min(size, seq_len);
      // Never split a sample: it starts the next sequence, and this one ends in padding.
      if (take > seq_len - filled) return finished(*packer.flush());
      truncated_ += size - take;
    }
    dropped_in_a_row = 0;
    const auto begin = static_cast<std::ptrdiff_t>(from), end = static_cast<std::ptrdiff_t>(from + take);
    PackInput input{
        id, {r.ids.begin() + begin, r.ids.begin() + end}, {r.loss_mask.begin() + begin, r.loss_mask.begin() + end}};
    offsets.push_back(from);
    std::vector<PackedSequence> done = packer.add(input);
    filled += take;
    cursor.token_offset = from + take;
    if (options_.overflow != Overflow::Split || cursor.token_offset == size) walk_.advance();
    if (!done.empty()) return finished(std::move(done.front()));
  }
}

void SampleStream::seek(const StreamCursor& cursor) {
  const bool splits = options_.overflow == Overflow::Split;
  if (!walk_.contains(cursor) || (!splits && cursor.token_offset != 0)) {
    fail("sample stream: cursor (epoch {}, position {}, offset {}) is outside dataset '{}' of {} samples{}",
         cursor.epoch, cursor.position, cursor.token_offset, dataset_.name, samples(),
         splits ? "" : " (overflow truncate/drop never starts a sequence inside a sample)");
  }
  walk_.cursor() = cursor;
}

}  // namespace rw::core

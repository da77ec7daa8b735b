// DocumentStream (see document_stream.h).
#include "rw/core/data/document_stream.h"

#include "rw/core/store/corpus_store.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

const PackingOptions& checked_options(const PackingOptions& options) {
  if (options.overflow != Overflow::Split) fail("document stream: pretraining packs with overflow 'split'");
  SequencePacker check(options);  // validates seq_len
  return options;
}

std::vector<std::int64_t> corpus_document_ids(Database& db, std::int64_t corpus_id) {
  CorpusStore store(db);
  const CorpusRecord corpus = store.corpus(corpus_id);
  std::vector<std::int64_t> ids;
  for (std::int64_t after = 0;;) {
    const auto page = store.list_documents(corpus_id, after, 10000);
    if (page.empty()) break;
    for (const DocumentRecord& d : page) ids.push_back(d.id);
    after = page.back().id;
  }
  if (ids.empty()) fail("corpus '{}' has no documents to train on", corpus.name);
  return ids;
}

}  // namespace

DocumentStream::DocumentStream(Database& db, std::int64_t corpus_id, const Tokenizer& tokenizer,
                               const PackingOptions& options, std::uint64_t seed, std::int64_t min_tokens)
    : db_(db),
      corpus_id_(corpus_id),
      tokenizer_(tokenizer),
      options_(checked_options(options)),
      min_tokens_(min_tokens),
      walk_(corpus_document_ids(db, corpus_id), seed) {}

const std::vector<std::int32_t>& DocumentStream::tokens_of(std::int64_t document_id) {
  if (document_id == cached_id_) return cached_tokens_;
  cached_tokens_ = tokenizer_.encode(CorpusStore(db_).document_text(document_id), /*add_special_tokens=*/true);
  // Documents end with EOS so the model learns where one stops (the packer keeps them apart otherwise).
  if (const auto eos = tokenizer_.eos_id(); eos && (cached_tokens_.empty() || cached_tokens_.back() != *eos)) {
    cached_tokens_.push_back(*eos);
  }
  cached_id_ = document_id;
  return cached_tokens_;
}

PackedSequence DocumentStream::next() {
  SequencePacker packer(options_);
  std::vector<std::int64_t> offsets;  // the document offset each packer input started at
  std::int64_t filled = 0, skipped = 0;
  StreamCursor& cursor = walk_.cursor();
  for (;;) {
    const std::int64_t id = walk_.current();
    const std::vector<std::int32_t>& tokens = tokens_of(id);
    const auto size = static_cast<std::int64_t>(tokens.size());
    if (size == 0 || (size < min_tokens_ && cursor.token_offset == 0)) {
      if (++skipped > documents()) {
        fail("corpus {}: no document has {} token(s) or more", corpus_id_, std::max<std::int64_t>(1, min_tokens_));
      }
      walk_.advance();
      continue;
    }
    // Feed at most what fits, so the packer completes at most one sequence and the cursor stays exact.
    const std::int64_t take = std::min(size - cursor.token_offset, options_.seq_len - filled);
    PackInput input{id, {tokens.begin() + cursor.token_offset, tokens.begin() + cursor.token_offset + take}, {}};
    offsets.push_back(cursor.token_offset);
    std::vector<PackedSequence> done = packer.add(input);
    filled += take;
    cursor.token_offset += take;
    if (cursor.token_offset == size) walk_.advance();
    if (!done.empty()) {
      PackedSequence seq = std::move(done.front());
      for (size_t i = 0; i < seq.pieces.size(); ++i) seq.pieces[i].sample_offset = offsets[i];
      return seq;
    }
  }
}

void DocumentStream::seek(const StreamCursor& cursor) {
  if (!walk_.contains(cursor)) {
    fail("document stream: cursor (epoch {}, position {}, offset {}) is outside corpus {} of {} documents",
         cursor.epoch, cursor.position, cursor.token_offset, corpus_id_, documents());
  }
  walk_.cursor() = cursor;
}

}  // namespace rw::core

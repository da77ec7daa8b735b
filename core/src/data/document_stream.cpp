// DocumentStream / MixedDocumentStream (see document_stream.h).
#include "rw/core/data/document_stream.h"

#include <nlohmann/json.hpp>

#include "rw/core/store/corpus_store.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A uniform double in [0, 1) that depends only on (seed, index).
double unit_hash(std::uint64_t seed, std::int64_t index) {
  std::uint64_t state = seed ^ (static_cast<std::uint64_t>(index) * 0xD1B54A32D192ED03ULL);
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

}  // namespace

std::vector<std::int64_t> epoch_order(std::vector<std::int64_t> ids, std::uint64_t seed, std::int64_t epoch) {
  std::uint64_t state = seed ^ (static_cast<std::uint64_t>(epoch + 1) * 0x9E3779B97F4A7C15ULL);
  for (size_t i = ids.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(splitmix64(state) % i);
    std::swap(ids[i - 1], ids[j]);
  }
  return ids;
}

DocumentStream::DocumentStream(Database& db, std::int64_t corpus_id, const Tokenizer& tokenizer,
                               const PackingOptions& options, std::uint64_t seed)
    : db_(db), corpus_id_(corpus_id), tokenizer_(tokenizer), options_(options), seed_(seed) {
  if (options.overflow != Overflow::Split) fail("document stream: pretraining packs with overflow 'split'");
  SequencePacker check(options);  // validates seq_len
  CorpusStore store(db);
  const CorpusRecord corpus = store.corpus(corpus_id);
  for (std::int64_t after = 0;;) {
    const auto page = store.list_documents(corpus_id, after, 10000);
    if (page.empty()) break;
    for (const DocumentRecord& d : page) ids_.push_back(d.id);
    after = page.back().id;
  }
  if (ids_.empty()) fail("corpus '{}' has no documents to train on", corpus.name);
}

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

void DocumentStream::advance_document() {
  cursor_.token_offset = 0;
  if (++cursor_.position == documents()) {
    cursor_.position = 0;
    ++cursor_.epoch;
  }
}

PackedSequence DocumentStream::next() {
  SequencePacker packer(options_);
  std::vector<std::int64_t> offsets;  // the document offset each packer input started at
  std::int64_t filled = 0, empty_documents = 0;
  for (;;) {
    if (order_epoch_ != cursor_.epoch) {
      order_ = epoch_order(ids_, seed_, cursor_.epoch);
      order_epoch_ = cursor_.epoch;
    }
    const std::int64_t id = order_[static_cast<size_t>(cursor_.position)];
    const std::vector<std::int32_t>& tokens = tokens_of(id);
    const auto size = static_cast<std::int64_t>(tokens.size());
    if (size == 0) {
      if (++empty_documents > documents()) fail("corpus {}: no document has any token", corpus_id_);
      advance_document();
      continue;
    }
    // Feed at most what fits, so the packer completes at most one sequence and the cursor stays exact.
    const std::int64_t take = std::min(size - cursor_.token_offset, options_.seq_len - filled);
    PackInput input{id, {tokens.begin() + cursor_.token_offset, tokens.begin() + cursor_.token_offset + take}, {}};
    offsets.push_back(cursor_.token_offset);
    std::vector<PackedSequence> done = packer.add(input);
    filled += take;
    cursor_.token_offset += take;
    if (cursor_.token_offset == size) advance_document();
    if (!done.empty()) {
      PackedSequence seq = std::move(done.front());
      for (size_t i = 0; i < seq.pieces.size(); ++i) seq.pieces[i].sample_offset = offsets[i];
      return seq;
    }
  }
}

void DocumentStream::seek(const StreamCursor& cursor) {
  if (cursor.epoch < 0 || cursor.position < 0 || cursor.position >= documents() || cursor.token_offset < 0) {
    fail("document stream: cursor (epoch {}, position {}, offset {}) is outside corpus {} of {} documents",
         cursor.epoch, cursor.position, cursor.token_offset, corpus_id_, documents());
  }
  cursor_ = cursor;
}

MixedDocumentStream::MixedDocumentStream(Database& db, const std::vector<Source>& sources, const Tokenizer& tokenizer,
                                         const PackingOptions& options, std::uint64_t seed)
    : seed_(seed) {
  if (sources.empty()) fail("document mix: no sources");
  double total = 0;
  for (const Source& s : sources) {
    if (!(s.weight > 0)) fail("document mix: corpus {} has weight {}; weights must be positive", s.corpus_id, s.weight);
    total += s.weight;
  }
  double running = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    // Each source gets its own shuffle: the same seed would order two same-sized corpora alike.
    streams_.emplace_back(db, sources[i].corpus_id, tokenizer, options, seed + 1000003 * (i + 1));
    running += sources[i].weight / total;
    cumulative_.push_back(running);
  }
  cumulative_.back() = 1.0;
}

std::pair<PackedSequence, size_t> MixedDocumentStream::next() {
  const double u = unit_hash(seed_, sequences_++);
  size_t source = 0;
  while (u >= cumulative_[source]) ++source;
  return {streams_[source].next(), source};
}

MixedDocumentStream::Cursor MixedDocumentStream::cursor() const {
  Cursor c{sequences_, {}};
  for (const DocumentStream& s : streams_) c.sources.push_back(s.cursor());
  return c;
}

void MixedDocumentStream::seek(const Cursor& cursor) {
  if (cursor.sources.size() != streams_.size()) {
    fail("document mix: cursor has {} sources, this mix {}", cursor.sources.size(), streams_.size());
  }
  for (size_t i = 0; i < streams_.size(); ++i) streams_[i].seek(cursor.sources[i]);
  sequences_ = cursor.sequences;
}

std::string mixed_cursor_to_json(const MixedDocumentStream::Cursor& cursor) {
  nlohmann::json sources = nlohmann::json::array();
  for (const StreamCursor& c : cursor.sources) {
    sources.push_back({{"epoch", c.epoch}, {"position", c.position}, {"token_offset", c.token_offset}});
  }
  return nlohmann::json{{"sequences", cursor.sequences}, {"sources", sources}}.dump();
}

MixedDocumentStream::Cursor mixed_cursor_from_json(std::string_view json_text) {
  try {
    const auto j = nlohmann::json::parse(json_text);
    MixedDocumentStream::Cursor c;
    c.sequences = j.at("sequences").get<std::int64_t>();
    for (const auto& s : j.at("sources")) {
      c.sources.push_back({s.at("epoch").get<std::int64_t>(), s.at("position").get<std::int64_t>(),
                           s.at("token_offset").get<std::int64_t>()});
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    fail("data cursor: {} in {}", e.what(), json_text);
  }
}

}  // namespace rw::core

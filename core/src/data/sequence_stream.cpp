// Epoch shuffle, unit hash and MixedStream (see sequence_stream.h).
#include "rw/core/data/sequence_stream.h"

#include <nlohmann/json.hpp>

#include "rw/core/util/error.h"
#include "rw/core/util/splitmix64.h"

namespace rw::core {

double unit_hash(std::uint64_t seed, std::int64_t index) {
  return SplitMix64(seed ^ (static_cast<std::uint64_t>(index) * 0xD1B54A32D192ED03ULL)).unit();
}

std::vector<std::int64_t> epoch_order(std::vector<std::int64_t> ids, std::uint64_t seed, std::int64_t epoch) {
  SplitMix64 rng(seed ^ (static_cast<std::uint64_t>(epoch + 1) * 0x9E3779B97F4A7C15ULL));
  // next() % i, not uniform(): the order of every corpus (and the committed loss curve) depends on it.
  for (size_t i = ids.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.next() % i);
    std::swap(ids[i - 1], ids[j]);
  }
  return ids;
}

std::int64_t EpochWalk::current() {
  if (order_epoch_ != cursor_.epoch) {
    order_ = epoch_order(ids_, seed_, cursor_.epoch);
    order_epoch_ = cursor_.epoch;
  }
  return order_[static_cast<size_t>(cursor_.position)];
}

void EpochWalk::advance() {
  cursor_.token_offset = 0;
  if (++cursor_.position == size()) {
    cursor_.position = 0;
    ++cursor_.epoch;
  }
}

bool EpochWalk::contains(const StreamCursor& cursor) const {
  return cursor.epoch >= 0 && cursor.position >= 0 && cursor.position < size() && cursor.token_offset >= 0;
}

MixedStream::MixedStream(std::vector<Source> sources, std::uint64_t seed) : sources_(std::move(sources)), seed_(seed) {
  if (sources_.empty()) fail("data mix: no sources");
  double total = 0;
  for (const Source& s : sources_) {
    if (!(s.weight > 0)) fail("data mix: source '{}' has weight {}; weights must be positive", s.name, s.weight);
    RW_CHECK(s.stream != nullptr, "data mix: source {} has no stream", s.name);
    total += s.weight;
  }
  double running = 0;
  for (const Source& s : sources_) {
    running += s.weight / total;
    cumulative_.push_back(running);
  }
  cumulative_.back() = 1.0;
}

std::pair<PackedSequence, size_t> MixedStream::next() {
  const double u = unit_hash(seed_, sequences_++);
  size_t source = 0;
  while (u >= cumulative_[source]) ++source;
  return {sources_[source].stream->next(), source};
}

MixedStream::Cursor MixedStream::cursor() const {
  Cursor c{sequences_, {}};
  for (const Source& s : sources_) c.sources.push_back(s.stream->cursor());
  return c;
}

void MixedStream::seek(const Cursor& cursor) {
  if (cursor.sources.size() != sources_.size()) {
    fail("data mix: cursor has {} sources, this mix {}", cursor.sources.size(), sources_.size());
  }
  for (size_t i = 0; i < sources_.size(); ++i) sources_[i].stream->seek(cursor.sources[i]);
  sequences_ = cursor.sequences;
}

std::string mixed_cursor_to_json(const MixedStream::Cursor& cursor) {
  nlohmann::json sources = nlohmann::json::array();
  for (const StreamCursor& c : cursor.sources) {
    sources.push_back({{"epoch", c.epoch}, {"position", c.position}, {"token_offset", c.token_offset}});
  }
  return nlohmann::json{{"sequences", cursor.sequences}, {"sources", sources}}.dump();
}

MixedStream::Cursor mixed_cursor_from_json(std::string_view json_text) {
  try {
    const auto j = nlohmann::json::parse(json_text);
    MixedStream::Cursor c;
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

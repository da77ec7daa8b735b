// BM25 ranking SQL over chunks_fts (see bm25_index.h).
#include "rw/core/store/bm25_index.h"

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// SQLite's varint (big-endian 7-bit groups; a 9th byte carries 8 bits), as FTS5 writes its records.
std::optional<std::int64_t> read_varint(std::string_view bytes) {
  std::uint64_t v = 0;
  for (size_t i = 0; i < bytes.size() && i < 9; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (i == 8) return static_cast<std::int64_t>((v << 8) | b);
    v = (v << 7) | (b & 0x7F);
    if ((b & 0x80) == 0) return static_cast<std::int64_t>(v);
  }
  return std::nullopt;
}

}  // namespace

std::int64_t Bm25Index::indexed_chunk_count() {
  // FTS5 keeps the row count BM25 uses as the first varint of its "averages" record (rowid 1 of
  // chunks_fts_data): reading it is O(1), where count(*) over chunks walks a million rows. Inside a
  // transaction the record may lag behind changes FTS5 still holds in memory, so count then.
  auto s = db_.prepare("SELECT block FROM chunks_fts_data WHERE id = 1");
  if (!db_.in_transaction() && s.step()) {
    if (const auto n = read_varint(s.column_text(0))) return *n;
  }
  auto count = db_.prepare("SELECT count(*) FROM chunks");
  count.step();
  return count.column_int64(0);
}

std::int64_t Bm25Index::matching_chunks(const std::string& match) {
  // Counting walks only the term's doclist (no scoring, no content).
  auto df = db_.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?1");
  df.bind(1, match);
  df.step();
  return df.column_int64(0);
}

std::vector<std::pair<std::int64_t, double>> Bm25Index::rank(const std::string& match, std::int64_t limit,
                                                             std::optional<std::int64_t> corpus_id) {
  std::vector<std::pair<std::int64_t, double>> ranked;
  const auto collect = [&](Statement& s) {
    ranked.clear();
    while (s.step()) ranked.emplace_back(s.column_int64(0), s.column_double(1));
  };
  // Rank inside the FTS table alone (no per-match joins), then keep the corpus's hits. With one corpus in
  // the store there is nothing to filter; otherwise ask for more and fall back to the filtering join
  // only when too few of them are in the corpus.
  bool filter = false;
  if (corpus_id) {
    auto corpora = db_.prepare("SELECT count(*) FROM corpora WHERE id != ?1");
    corpora.bind(1, *corpus_id);
    corpora.step();
    filter = corpora.column_int64(0) > 0;
  }
  const std::int64_t fetch = filter ? limit * 8 : limit;
  auto top = db_.prepare(
      "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1 "
      "ORDER BY bm25(chunks_fts), rowid LIMIT ?2");
  top.bind(1, match).bind(2, fetch);
  collect(top);
  if (!filter) return ranked;
  const bool all_matches_seen = static_cast<std::int64_t>(ranked.size()) < fetch;
  auto corpus_of =
      db_.prepare("SELECT d.corpus_id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1");
  std::vector<std::pair<std::int64_t, double>> kept;
  for (const auto& hit : ranked) {
    corpus_of.bind(1, hit.first);
    if (corpus_of.step() && corpus_of.column_int64(0) == *corpus_id) kept.push_back(hit);
    corpus_of.reset();
    if (static_cast<std::int64_t>(kept.size()) == limit) return kept;
  }
  if (all_matches_seen) return kept;
  auto joined = db_.prepare(
      "SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
      "JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH ?1 AND d.corpus_id = ?3 "
      "ORDER BY score DESC, f.rowid LIMIT ?2");
  joined.bind(1, match).bind(2, limit).bind(3, *corpus_id);
  collect(joined);
  return ranked;
}

}  // namespace rw::core

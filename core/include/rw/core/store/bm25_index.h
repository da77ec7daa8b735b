// The SQL of BM25 retrieval over the chunks' FTS5 index (chunks_fts): ranking, document frequencies and
// the indexed row count. Query analysis is in retrieval/bm25_retriever.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

class Bm25Index {
 public:
  explicit Bm25Index(Database& db) : db_(db) {}

  /// Chunks in the index (all corpora): the N of BM25's idf.
  std::int64_t indexed_chunk_count();
  /// Chunks an FTS5 query matches (a term's document frequency when the query is one quoted term).
  std::int64_t matching_chunks(const std::string& match);
  /// (chunk id, score) of the best `limit` matches of an FTS5 query, best first; score = -bm25() (higher is
  /// better). `corpus_id` keeps one corpus's chunks. Error naming SQLite's complaint for malformed syntax.
  std::vector<std::pair<std::int64_t, double>> rank(const std::string& match, std::int64_t limit,
                                                    std::optional<std::int64_t> corpus_id);

 private:
  Database& db_;
};

}  // namespace rw::core

// What callers that need passages for a query see (corpus search, the synthesizer's retrieval step): a
// Retriever returns the best chunks of the project's corpora for a free-text query. BM25 over SQLite FTS5
// is the one today (bm25_retriever.h); a dense retriever can be added behind the same interface.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/corpus_store.h"

namespace rw::core {

struct RetrievedChunk {
  ChunkRecord chunk;
  std::string source_path;  ///< of the chunk's document
  double score = 0;         ///< higher is better; comparable only within one retriever's results
  std::string text;         ///< the chunk's text
};

struct RetrieveOptions {
  std::int64_t limit = 10;
  /// Only this corpus (by id); unset searches every corpus in the store.
  std::optional<std::int64_t> corpus_id;
};

class Retriever {
 public:
  virtual ~Retriever() = default;
  /// "bm25", ... (recorded with what was retrieved, e.g. in a sample's provenance).
  virtual std::string_view name() const = 0;
  /// The best `options.limit` chunks for `query`, best first; none for an empty query.
  virtual std::vector<RetrievedChunk> retrieve(std::string_view query, const RetrieveOptions& options) = 0;
};

}  // namespace rw::core

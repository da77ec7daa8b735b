// BM25 retrieval over the corpus chunks' FTS5 index. Free-text queries are split into words as FTS5's
// unicode61 tokenizer splits them; English stop words are dropped unless nothing else is left, and so are
// words in at least half of all chunks (BM25 gives them no weight) when rarer ones remain; any remaining
// word may match (OR), ranked by BM25. The SQL is in store/bm25_index.h.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/retrieval/retriever.h"
#include "rw/core/store/bm25_index.h"

namespace rw::core {

class Bm25Retriever : public Retriever {
 public:
  explicit Bm25Retriever(Database& db) : db_(db), index_(db) {}
  std::string_view name() const override { return "bm25"; }
  std::vector<RetrievedChunk> retrieve(std::string_view query, const RetrieveOptions& options) override;
  /// `query` in FTS5 syntax (phrases, NEAR, AND/OR/NOT, prefix*); Error naming the query when malformed.
  std::vector<RetrievedChunk> retrieve_fts(std::string_view query, const RetrieveOptions& options);

 private:
  std::vector<RetrievedChunk> run(const std::string& match, const RetrieveOptions& options);
  std::vector<std::string> drop_weightless_terms(std::vector<std::string> terms);

  Database& db_;
  Bm25Index index_;
};

/// The FTS5 query a free-text query becomes before weightless terms are dropped: quoted terms joined by OR
/// ("" when nothing is left).
std::string free_text_to_fts_query(std::string_view query);

}  // namespace rw::core

// Bm25Retriever: query analysis over Bm25Index (see bm25_retriever.h).
#include "rw/core/retrieval/bm25_retriever.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

// Words too common to help BM25 ranking; dropping them keeps OR queries from touching every chunk.
const std::set<std::string, std::less<>> kStopWords = {
    "a",     "about", "above", "after", "again",  "all",   "am",   "an",    "and",   "any",  "are",  "as",    "at",
    "be",    "been",  "being", "both",  "but",    "by",    "can",  "could", "did",   "do",   "does", "doing", "for",
    "from",  "had",   "has",   "have",  "having", "he",    "her",  "here",  "hers",  "him",  "his",  "how",   "i",
    "if",    "in",    "into",  "is",    "it",     "its",   "me",   "my",    "no",    "nor",  "not",  "of",    "on",
    "or",    "our",   "ours",  "she",   "should", "so",    "some", "such",  "than",  "that", "the",  "their", "them",
    "then",  "there", "these", "they",  "this",   "those", "to",   "too",   "was",   "we",   "were", "what",  "when",
    "where", "which", "while", "who",   "whom",   "why",   "will", "with",  "would", "you",  "your"};

/// The words of a free-text query, as FTS5's unicode61 tokenizer sees them (roughly: runs of ASCII letters,
/// digits and non-ASCII bytes), lowercased, deduplicated, English stop words dropped unless only those.
std::vector<std::string> free_text_terms(std::string_view query) {
  std::vector<std::string> words, kept;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
    word.clear();
  };
  for (const char ch : query) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || u >= 0x80) {
      word.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
  for (const std::string& w : words) {
    if (!kStopWords.contains(w)) kept.push_back(w);
  }
  return kept.empty() ? words : kept;
}

std::string any_of_terms(const std::vector<std::string>& terms) {
  std::string out;
  for (const std::string& t : terms) {
    if (!out.empty()) out += " OR ";
    out += '"' + t + '"';
  }
  return out;
}

}  // namespace

std::string free_text_to_fts_query(std::string_view query) { return any_of_terms(free_text_terms(query)); }

std::vector<std::string> Bm25Retriever::drop_weightless_terms(std::vector<std::string> terms) {
  if (terms.size() < 2) return terms;
  // FTS5's BM25 gives a term in at least half of all chunks an idf of ~0 (clamped to 1e-6): it cannot
  // change the ranking among chunks that match other terms, yet OR-ing it makes every such chunk a match
  // to score.
  std::vector<std::int64_t> counts;
  for (const std::string& t : terms) counts.push_back(index_.matching_chunks('"' + t + '"'));
  const std::int64_t total = index_.indexed_chunk_count();
  std::vector<std::string> kept;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (2 * counts[i] < total) kept.push_back(terms[i]);
  }
  return kept.empty() ? terms : kept;
}

std::vector<RetrievedChunk> Bm25Retriever::run(const std::string& match, const RetrieveOptions& options) {
  if (options.limit <= 0 || match.find_first_not_of(" \t\r\n") == std::string::npos) return {};
  const auto ranked = index_.rank(match, options.limit, options.corpus_id);
  std::vector<std::int64_t> ids;
  for (const auto& [chunk_id, score] : ranked) ids.push_back(chunk_id);
  // Chunk texts are cut only for the hits kept.
  std::vector<ChunkText> texts = CorpusStore(db_).chunk_texts(ids);
  std::vector<RetrievedChunk> hits;
  for (size_t i = 0; i < texts.size(); ++i)
    hits.push_back({texts[i].chunk, std::move(texts[i].source_path), ranked[i].second, std::move(texts[i].text)});
  return hits;
}

std::vector<RetrievedChunk> Bm25Retriever::retrieve(std::string_view query, const RetrieveOptions& options) {
  return run(any_of_terms(drop_weightless_terms(free_text_terms(query))), options);
}

std::vector<RetrievedChunk> Bm25Retriever::retrieve_fts(std::string_view query, const RetrieveOptions& options) {
  try {
    return run(std::string(query), options);
  } catch (const Error& e) {
    fail("search query \"{}\" is not valid FTS5 syntax: {}", query, e.what());
  }
}

}  // namespace rw::core

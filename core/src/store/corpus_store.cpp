// CorpusStore: SQL for corpora, imports, documents, token counts, chunks and BM25 search (FTS5).
// Not file reading or chunking (core/data) and not the schema (migrations.cpp).
#include "rw/core/store/corpus_store.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr std::array<std::string_view, 3> kKindNames = {"text", "jsonl", "repo"};

constexpr std::string_view kCorpusColumns =
    "id, name, tokenizer_id, tokenizer_name, chunk_tokens, chunk_overlap, created_ms";
constexpr std::string_view kChunkColumns = "c.id, c.document_id, c.idx, c.byte_begin, c.byte_end, c.n_tokens";

// Words too common to help BM25 ranking; dropping them keeps OR queries from touching every chunk.
const std::set<std::string, std::less<>> kStopWords = {
    "a",     "about", "above", "after", "again",  "all",   "am",   "an",    "and",   "any",  "are",  "as",    "at",
    "be",    "been",  "being", "both",  "but",    "by",    "can",  "could", "did",   "do",   "does", "doing", "for",
    "from",  "had",   "has",   "have",  "having", "he",    "her",  "here",  "hers",  "him",  "his",  "how",   "i",
    "if",    "in",    "into",  "is",    "it",     "its",   "me",   "my",    "no",    "nor",  "not",  "of",    "on",
    "or",    "our",   "ours",  "she",   "should", "so",    "some", "such",  "than",  "that", "the",  "their", "them",
    "then",  "there", "these", "they",  "this",   "those", "to",   "too",   "was",   "we",   "were", "what",  "when",
    "where", "which", "while", "who",   "whom",   "why",   "will", "with",  "would", "you",  "your"};

CorpusRecord read_corpus(const Statement& s) {
  return CorpusRecord{s.column_int64(0), s.column_text(1),  s.column_text(2), s.column_text(3),
                      s.column_int64(4), s.column_int64(5), s.column_int64(6)};
}

ChunkRecord read_chunk(const Statement& s, int first = 0) {
  return ChunkRecord{s.column_int64(first),     s.column_int64(first + 1), s.column_int64(first + 2),
                     s.column_int64(first + 3), s.column_int64(first + 4), s.column_int64(first + 5)};
}

// Byte range [begin, end) of documents.text, as text (SQLite's substr counts characters on TEXT).
constexpr std::string_view kChunkTextExpr =
    "CAST(substr(CAST(d.text AS BLOB), c.byte_begin + 1, c.byte_end - c.byte_begin) AS TEXT)";

/// Column 0 of every row, as integers.
std::vector<std::int64_t> int64_rows(Statement& s) {
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.column_int64(0));
  return out;
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

std::string_view to_string(DocumentKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

DocumentKind document_kind_from_string(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<DocumentKind>(i);
  }
  fail("unknown document kind '{}' (expected text, jsonl or repo)", name);
}

std::optional<CorpusRecord> CorpusStore::find_corpus(std::string_view name) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM corpora WHERE name = ?1", kCorpusColumns));
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_corpus(s);
}

CorpusRecord CorpusStore::corpus(std::int64_t id) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM corpora WHERE id = ?1", kCorpusColumns));
  s.bind(1, id);
  if (!s.step()) fail("{}: no corpus with id {}", db_.path().string(), id);
  return read_corpus(s);
}

std::vector<CorpusRecord> CorpusStore::list_corpora() {
  auto s = db_.prepare(fmt::format("SELECT {} FROM corpora ORDER BY id", kCorpusColumns));
  std::vector<CorpusRecord> out;
  while (s.step()) out.push_back(read_corpus(s));
  return out;
}

CorpusRecord CorpusStore::create_corpus(const CorpusRecord& corpus) {
  if (corpus.name.empty()) fail("{}: a corpus needs a name", db_.path().string());
  if (find_corpus(corpus.name)) fail("{}: corpus '{}' already exists", db_.path().string(), corpus.name);
  auto s = db_.prepare(
      "INSERT INTO corpora(name, tokenizer_id, tokenizer_name, chunk_tokens, chunk_overlap, created_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, corpus.name).bind(2, corpus.tokenizer_id).bind(3, corpus.tokenizer_name);
  s.bind(4, corpus.chunk_tokens).bind(5, corpus.chunk_overlap).bind(6, now_ms());
  s.run();
  return this->corpus(db_.last_insert_rowid());
}

void CorpusStore::delete_corpus(std::int64_t corpus_id) {
  Transaction tx(db_);
  // External-content FTS5 rows must be deleted with their old text, before the chunks go.
  auto unindex =
      db_.prepare(fmt::format("INSERT INTO chunks_fts(chunks_fts, rowid, text) SELECT 'delete', c.id, {} "
                              "FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.corpus_id = ?1",
                              kChunkTextExpr));
  unindex.bind(1, corpus_id).run();
  auto s = db_.prepare("DELETE FROM corpora WHERE id = ?1");
  s.bind(1, corpus_id).run();
  tx.commit();
}

std::int64_t CorpusStore::begin_import(std::int64_t corpus_id, std::string_view options_json) {
  auto s = db_.prepare("INSERT INTO corpus_imports(corpus_id, options_json, started_ms) VALUES(?1, ?2, ?3)");
  s.bind(1, corpus_id).bind(2, options_json).bind(3, now_ms()).run();
  return db_.last_insert_rowid();
}

void CorpusStore::finish_import(std::int64_t import_id, std::string_view report_json) {
  auto s = db_.prepare("UPDATE corpus_imports SET report_json = ?2, ended_ms = ?3 WHERE id = ?1");
  s.bind(1, import_id).bind(2, report_json).bind(3, now_ms()).run();
}

std::optional<std::int64_t> CorpusStore::add_document(std::int64_t corpus_id, std::int64_t import_id,
                                                      const NewDocument& doc) {
  const auto text_size = static_cast<std::int64_t>(doc.text.size());
  for (const NewChunk& c : doc.chunks) {
    RW_CHECK(0 <= c.byte_begin && c.byte_begin < c.byte_end && c.byte_end <= text_size,
             "chunk [{}, {}) outside document '{}' of {} bytes", c.byte_begin, c.byte_end, doc.source_path, text_size);
  }
  auto insert = db_.prepare(
      "INSERT INTO documents(corpus_id, import_id, kind, source_path, source_begin, source_end, content_hash, "
      "n_bytes, text) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(corpus_id, content_hash) DO NOTHING");
  insert.bind(1, corpus_id).bind(2, import_id).bind(3, to_string(doc.kind)).bind(4, doc.source_path);
  insert.bind(5, doc.source_begin).bind(6, doc.source_end).bind(7, doc.content_hash).bind(8, text_size);
  insert.bind(9, doc.text).run();
  if (db_.changes() == 0) return std::nullopt;
  const std::int64_t id = db_.last_insert_rowid();

  auto tokens = db_.prepare(
      "INSERT INTO document_tokens(document_id, tokenizer_id, n_tokens) "
      "SELECT ?1, tokenizer_id, ?2 FROM corpora WHERE id = ?3");
  tokens.bind(1, id).bind(2, doc.n_tokens).bind(3, corpus_id).run();

  auto part = db_.prepare(
      "INSERT INTO document_parts(document_id, idx, path, byte_begin, byte_end) VALUES(?1, ?2, ?3, ?4, ?5)");
  for (size_t i = 0; i < doc.parts.size(); ++i) {
    const DocumentPart& p = doc.parts[i];
    part.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.path).bind(4, p.byte_begin).bind(5, p.byte_end);
    part.run();
    part.reset();
  }

  auto chunk =
      db_.prepare("INSERT INTO chunks(document_id, idx, byte_begin, byte_end, n_tokens) VALUES(?1, ?2, ?3, ?4, ?5)");
  auto index = db_.prepare("INSERT INTO chunks_fts(rowid, text) VALUES(?1, ?2)");
  for (size_t i = 0; i < doc.chunks.size(); ++i) {
    const NewChunk& c = doc.chunks[i];
    chunk.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, c.byte_begin).bind(4, c.byte_end);
    chunk.bind(5, c.n_tokens).run();
    chunk.reset();
    const std::string_view text = std::string_view(doc.text).substr(static_cast<size_t>(c.byte_begin),
                                                                    static_cast<size_t>(c.byte_end - c.byte_begin));
    index.bind(1, db_.last_insert_rowid()).bind(2, text).run();
    index.reset();
  }
  return id;
}

std::int64_t CorpusStore::document_count(std::int64_t corpus_id) {
  auto s = db_.prepare("SELECT count(*) FROM documents WHERE corpus_id = ?1");
  s.bind(1, corpus_id);
  s.step();
  return s.column_int64(0);
}

namespace {
constexpr std::string_view kDocumentColumns =
    "d.id, d.corpus_id, d.import_id, d.kind, d.source_path, d.source_begin, d.source_end, d.content_hash, "
    "d.n_bytes, t.n_tokens";
constexpr std::string_view kDocumentFrom =
    "FROM documents d JOIN corpora k ON k.id = d.corpus_id "
    "LEFT JOIN document_tokens t ON t.document_id = d.id AND t.tokenizer_id = k.tokenizer_id";

DocumentRecord read_document(const Statement& s) {
  DocumentRecord d;
  d.id = s.column_int64(0);
  d.corpus_id = s.column_int64(1);
  d.import_id = s.column_int64(2);
  d.kind = document_kind_from_string(s.column_text(3));
  d.source_path = s.column_text(4);
  d.source_begin = s.column_int64(5);
  d.source_end = s.column_int64(6);
  d.content_hash = s.column_text(7);
  d.n_bytes = s.column_int64(8);
  d.n_tokens = s.column_optional_int64(9);
  return d;
}
}  // namespace

DocumentRecord CorpusStore::document(std::int64_t document_id) {
  auto s = db_.prepare(fmt::format("SELECT {} {} WHERE d.id = ?1", kDocumentColumns, kDocumentFrom));
  s.bind(1, document_id);
  if (!s.step()) fail("{}: no document with id {}", db_.path().string(), document_id);
  return read_document(s);
}

std::string CorpusStore::document_text(std::int64_t document_id) {
  auto s = db_.prepare("SELECT text FROM documents WHERE id = ?1");
  s.bind(1, document_id);
  if (!s.step()) fail("{}: no document with id {}", db_.path().string(), document_id);
  return s.column_text(0);
}

std::vector<DocumentPart> CorpusStore::document_parts(std::int64_t document_id) {
  auto s = db_.prepare("SELECT path, byte_begin, byte_end FROM document_parts WHERE document_id = ?1 ORDER BY idx");
  s.bind(1, document_id);
  std::vector<DocumentPart> out;
  while (s.step()) out.push_back({s.column_text(0), s.column_int64(1), s.column_int64(2)});
  return out;
}

std::vector<DocumentRecord> CorpusStore::list_documents(std::int64_t corpus_id, std::int64_t after_id,
                                                        std::int64_t limit) {
  auto s = db_.prepare(fmt::format("SELECT {} {} WHERE d.corpus_id = ?1 AND d.id > ?2 ORDER BY d.id LIMIT ?3",
                                   kDocumentColumns, kDocumentFrom));
  s.bind(1, corpus_id).bind(2, after_id).bind(3, limit);
  std::vector<DocumentRecord> out;
  while (s.step()) out.push_back(read_document(s));
  return out;
}

std::vector<ChunkRecord> CorpusStore::document_chunks(std::int64_t document_id) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM chunks c WHERE c.document_id = ?1 ORDER BY c.idx", kChunkColumns));
  s.bind(1, document_id);
  std::vector<ChunkRecord> out;
  while (s.step()) out.push_back(read_chunk(s));
  return out;
}

std::vector<std::int64_t> CorpusStore::documents_without_count(std::int64_t corpus_id, std::string_view tokenizer_id) {
  auto s = db_.prepare(
      "SELECT d.id FROM documents d WHERE d.corpus_id = ?1 AND NOT EXISTS "
      "(SELECT 1 FROM document_tokens t WHERE t.document_id = d.id AND t.tokenizer_id = ?2) ORDER BY d.id");
  s.bind(1, corpus_id).bind(2, tokenizer_id);
  return int64_rows(s);
}

void CorpusStore::set_token_count(std::int64_t document_id, std::string_view tokenizer_id, std::int64_t n_tokens) {
  auto s = db_.prepare(
      "INSERT INTO document_tokens(document_id, tokenizer_id, n_tokens) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(document_id, tokenizer_id) DO UPDATE SET n_tokens = excluded.n_tokens");
  s.bind(1, document_id).bind(2, tokenizer_id).bind(3, n_tokens).run();
}

CorpusStats CorpusStore::stats(std::int64_t corpus_id, std::string_view tokenizer_id) {
  CorpusStats st;
  auto totals = db_.prepare(
      "SELECT kind, count(*), coalesce(sum(n_bytes), 0) FROM documents WHERE corpus_id = ?1 "
      "GROUP BY kind");
  totals.bind(1, corpus_id);
  while (totals.step()) {
    const std::int64_t n = totals.column_int64(1);
    st.documents_by_kind[static_cast<size_t>(document_kind_from_string(totals.column_text(0)))] = n;
    st.documents += n;
    st.bytes += totals.column_int64(2);
  }
  auto chunks =
      db_.prepare("SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.corpus_id = ?1");
  chunks.bind(1, corpus_id);
  chunks.step();
  st.chunks = chunks.column_int64(0);

  auto counts = db_.prepare(
      "SELECT t.n_tokens FROM document_tokens t JOIN documents d ON d.id = t.document_id "
      "WHERE d.corpus_id = ?1 AND t.tokenizer_id = ?2 ORDER BY t.n_tokens");
  counts.bind(1, corpus_id).bind(2, tokenizer_id);
  const std::vector<std::int64_t> sorted = int64_rows(counts);
  st.counted_documents = static_cast<std::int64_t>(sorted.size());
  if (sorted.empty()) return st;
  for (const std::int64_t n : sorted) {
    st.tokens += n;
    size_t bin = 0;
    while (bin < 62 && (std::int64_t{2} << bin) <= n) ++bin;
    if (st.log2_histogram.size() <= bin) st.log2_histogram.resize(bin + 1, 0);
    ++st.log2_histogram[bin];
  }
  st.min_tokens = sorted.front();
  st.max_tokens = sorted.back();
  st.median_tokens = percentile(sorted, 0.5);
  st.p90_tokens = percentile(sorted, 0.9);
  st.mean_tokens = static_cast<double>(st.tokens) / static_cast<double>(sorted.size());
  return st;
}

namespace {

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

std::string free_text_to_fts_query(std::string_view query) { return any_of_terms(free_text_terms(query)); }

std::int64_t CorpusStore::indexed_chunk_count() {
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

std::vector<std::string> CorpusStore::drop_weightless_terms(std::vector<std::string> terms) {
  if (terms.size() < 2) return terms;
  // FTS5's BM25 gives a term in at least half of all chunks an idf of ~0 (clamped to 1e-6): it cannot
  // change the ranking among chunks that match other terms, yet OR-ing it makes every such chunk a match
  // to score. Counting a term's chunks walks only its doclist (no scoring, no content).
  auto df = db_.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?1");
  std::vector<std::int64_t> counts;
  for (const std::string& t : terms) {
    df.bind(1, '"' + t + '"');
    df.step();
    counts.push_back(df.column_int64(0));
    df.reset();
  }
  const std::int64_t total = indexed_chunk_count();
  std::vector<std::string> kept;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (2 * counts[i] < total) kept.push_back(terms[i]);
  }
  return kept.empty() ? terms : kept;
}

std::vector<std::pair<std::int64_t, double>> CorpusStore::rank(const std::string& match, const SearchOptions& options) {
  std::vector<std::pair<std::int64_t, double>> ranked;
  const auto collect = [&](Statement& s) {
    ranked.clear();
    while (s.step()) ranked.emplace_back(s.column_int64(0), s.column_double(1));
  };
  // Rank inside the FTS table alone (no per-match joins), then keep the corpus's hits. With one corpus in
  // the store there is nothing to filter; otherwise ask for more and fall back to the filtering join
  // only when too few of them are in the corpus.
  bool filter = false;
  if (options.corpus_id) {
    auto corpora = db_.prepare("SELECT count(*) FROM corpora WHERE id != ?1");
    corpora.bind(1, *options.corpus_id);
    corpora.step();
    filter = corpora.column_int64(0) > 0;
  }
  const std::int64_t fetch = filter ? options.limit * 8 : options.limit;
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
    if (corpus_of.step() && corpus_of.column_int64(0) == *options.corpus_id) kept.push_back(hit);
    corpus_of.reset();
    if (static_cast<std::int64_t>(kept.size()) == options.limit) return kept;
  }
  if (all_matches_seen) return kept;
  auto joined = db_.prepare(
      "SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
      "JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH ?1 AND d.corpus_id = ?3 "
      "ORDER BY score DESC, f.rowid LIMIT ?2");
  joined.bind(1, match).bind(2, options.limit).bind(3, *options.corpus_id);
  collect(joined);
  return ranked;
}

std::vector<SearchHit> CorpusStore::search(std::string_view query, const SearchOptions& options) {
  if (options.limit <= 0) return {};
  const std::string match =
      options.raw_fts_query ? std::string(query) : any_of_terms(drop_weightless_terms(free_text_terms(query)));
  if (match.find_first_not_of(" \t\r\n") == std::string::npos) return {};
  std::vector<std::pair<std::int64_t, double>> ranked;
  try {
    ranked = rank(match, options);
  } catch (const Error& e) {
    if (!options.raw_fts_query) throw;
    fail("search query \"{}\" is not valid FTS5 syntax: {}", query, e.what());
  }
  // Chunk texts are cut only for the hits kept.
  auto fetch = db_.prepare(
      fmt::format("SELECT {}, d.source_path, {} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
                  kChunkColumns, kChunkTextExpr));
  std::vector<SearchHit> hits;
  for (const auto& [chunk_id, score] : ranked) {
    fetch.bind(1, chunk_id);
    RW_CHECK(fetch.step(), "indexed chunk {} has no row", chunk_id);
    hits.push_back(SearchHit{read_chunk(fetch), fetch.column_text(6), score, fetch.column_text(7)});
    fetch.reset();
  }
  return hits;
}

}  // namespace rw::core

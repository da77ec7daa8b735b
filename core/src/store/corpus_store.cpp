// CorpusStore: SQL for corpora, imports, documents, token counts and chunks. BM25 search is bm25_index.cpp.
// Not file reading or chunking (core/data) and not the schema (migrations.cpp).
#include "rw/core/store/corpus_store.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr std::pair<std::string_view, DocumentKind> kKindNames[] = {
    {"text", DocumentKind::Text}, {"jsonl", DocumentKind::Jsonl}, {"repo", DocumentKind::Repo}};

constexpr std::string_view kCorpusColumns =
    "id, name, tokenizer_id, tokenizer_name, chunk_tokens, chunk_overlap, created_ms";
constexpr std::string_view kChunkColumns = "c.id, c.document_id, c.idx, c.byte_begin, c.byte_end, c.n_tokens";

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

std::string_view to_string(DocumentKind kind) { return name_of(kKindNames, kind); }

DocumentKind document_kind_from_string(std::string_view name) { return value_of(kKindNames, name, "document kind"); }

std::optional<CorpusRecord> CorpusStore::find_corpus(std::string_view name) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM corpora WHERE name = ?1", kCorpusColumns));
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_corpus(s);
}

CorpusRecord CorpusStore::require_corpus(std::string_view name, std::string_view who) {
  if (auto corpus = find_corpus(name)) return *corpus;
  std::string known;
  for (const CorpusRecord& c : list_corpora()) known += (known.empty() ? "" : ", ") + c.name;
  fail("{}: no corpus named '{}' in the project store ({})", who, name,
       known.empty() ? "no corpus yet: ropewalk-cli corpus add imports one" : "corpora: " + known);
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

std::vector<ChunkText> CorpusStore::chunk_texts(const std::vector<std::int64_t>& ids) {
  auto fetch = db_.prepare(
      fmt::format("SELECT {}, d.source_path, {} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
                  kChunkColumns, kChunkTextExpr));
  std::vector<ChunkText> out;
  for (const std::int64_t id : ids) {
    fetch.bind(1, id);
    if (!fetch.step()) fail("{}: no chunk {}", db_.path().string(), id);
    out.push_back(ChunkText{read_chunk(fetch), fetch.column_text(6), fetch.column_text(7)});
    fetch.reset();
  }
  return out;
}

}  // namespace rw::core

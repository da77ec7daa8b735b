// CorpusStore: the SQL side of corpora — corpora, imports, documents with provenance, per-tokenizer
// token counts, chunks and the FTS5 BM25 index. Callers hand in finished documents and chunk spans;
// reading files, validating them and cutting chunks is core/data (corpus_import.h, chunking.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

struct CorpusRecord {
  std::int64_t id = 0;
  std::string name;
  std::string tokenizer_id;    // TokenCounter::id() the chunks were cut with
  std::string tokenizer_name;  // for display
  std::int64_t chunk_tokens = 0;
  std::int64_t chunk_overlap = 0;
  std::int64_t created_ms = 0;
};

enum class DocumentKind { Text, Jsonl, Repo };
std::string_view to_string(DocumentKind kind);
DocumentKind document_kind_from_string(std::string_view name);

/// A file of a repo document: its content is text[byte_begin, byte_end).
struct DocumentPart {
  std::string path;  // relative to the repository root, '/'-separated
  std::int64_t byte_begin = 0;
  std::int64_t byte_end = 0;
};

struct NewChunk {
  std::int64_t byte_begin = 0;  // in the document text
  std::int64_t byte_end = 0;
  std::int64_t n_tokens = 0;
};

struct NewDocument {
  DocumentKind kind = DocumentKind::Text;
  std::string source_path;
  std::int64_t source_begin = 0;  // byte range in source_path
  std::int64_t source_end = 0;
  std::string content_hash;  // sha256 hex of text
  std::string text;
  std::int64_t n_tokens = 0;  // whole document, under the corpus tokenizer
  std::vector<DocumentPart> parts;
  std::vector<NewChunk> chunks;
};

struct DocumentRecord {
  std::int64_t id = 0;
  std::int64_t corpus_id = 0;
  std::int64_t import_id = 0;
  DocumentKind kind = DocumentKind::Text;
  std::string source_path;
  std::int64_t source_begin = 0;
  std::int64_t source_end = 0;
  std::string content_hash;
  std::int64_t n_bytes = 0;
  std::optional<std::int64_t> n_tokens;  // under the corpus tokenizer; unset if never counted
};

struct ChunkRecord {
  std::int64_t id = 0;
  std::int64_t document_id = 0;
  std::int64_t idx = 0;
  std::int64_t byte_begin = 0;
  std::int64_t byte_end = 0;
  std::int64_t n_tokens = 0;
};

/// A chunk with its document's source path and its text.
struct ChunkText {
  ChunkRecord chunk;
  std::string source_path;
  std::string text;
};

/// Token-length distribution of a corpus under one tokenizer. Bins are powers of two:
/// bin i holds documents with 2^i <= n_tokens < 2^(i+1) (bin 0 also holds 0).
struct CorpusStats {
  std::int64_t documents = 0;
  std::int64_t bytes = 0;
  std::int64_t chunks = 0;
  std::int64_t counted_documents = 0;  // documents with a count under the tokenizer
  std::int64_t tokens = 0;
  std::int64_t min_tokens = 0, max_tokens = 0, median_tokens = 0, p90_tokens = 0;
  double mean_tokens = 0;
  std::vector<std::int64_t> log2_histogram;
  std::int64_t documents_by_kind[3] = {0, 0, 0};  // indexed by DocumentKind
};

class CorpusStore {
 public:
  explicit CorpusStore(Database& db) : db_(db) {}

  std::optional<CorpusRecord> find_corpus(std::string_view name);
  /// find_corpus, or Error "<who>: no corpus named 'x' in the project store (corpora: a, b)" listing the
  /// corpora there are (or saying there are none yet), so a typo shows its fix.
  CorpusRecord require_corpus(std::string_view name, std::string_view who);
  CorpusRecord corpus(std::int64_t id);
  std::vector<CorpusRecord> list_corpora();
  /// Creates a corpus; Error if the name exists or is empty.
  CorpusRecord create_corpus(const CorpusRecord& corpus);
  /// Removes a corpus with its documents, chunks and index rows (one transaction).
  void delete_corpus(std::int64_t corpus_id);

  /// Start/finish bookkeeping of one import; call inside the caller's transaction.
  std::int64_t begin_import(std::int64_t corpus_id, std::string_view options_json);
  void finish_import(std::int64_t import_id, std::string_view report_json);

  /// Inserts a document with its parts, token count (under the corpus tokenizer) and chunks, and indexes
  /// the chunks. Returns the new id, or nothing when the corpus already has a document with this
  /// content_hash (nothing is written then). Call inside a transaction.
  std::optional<std::int64_t> add_document(std::int64_t corpus_id, std::int64_t import_id, const NewDocument& doc);

  std::int64_t document_count(std::int64_t corpus_id);
  DocumentRecord document(std::int64_t document_id);
  std::string document_text(std::int64_t document_id);
  std::vector<DocumentPart> document_parts(std::int64_t document_id);
  /// Documents in id order after `after_id` (paging for the GUI list).
  std::vector<DocumentRecord> list_documents(std::int64_t corpus_id, std::int64_t after_id, std::int64_t limit);
  std::vector<ChunkRecord> document_chunks(std::int64_t document_id);

  /// Token counts under another tokenizer: ids (and texts via document_text) still to count, then store.
  std::vector<std::int64_t> documents_without_count(std::int64_t corpus_id, std::string_view tokenizer_id);
  void set_token_count(std::int64_t document_id, std::string_view tokenizer_id, std::int64_t n_tokens);

  CorpusStats stats(std::int64_t corpus_id, std::string_view tokenizer_id);

  /// The chunks `ids` with their document's source path and text, in the order given. Error naming a
  /// missing id.
  std::vector<ChunkText> chunk_texts(const std::vector<std::int64_t>& ids);

 private:
  Database& db_;
};

}  // namespace rw::core

// The run store schema as numbered migrations (SQL as raw strings, compiled in) and the upgrade driver.
// Append new steps at the end of kMigrations; never edit a step that has shipped.
// Not the queries that use the tables (run_store.cpp, metric_writer.cpp).
#include "rw/core/store/migrations.h"

#include <array>
#include <string>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

// Schema 1: projects, runs and what a run writes while it runs. Times are ms since the Unix epoch.
constexpr std::string_view kSchema1 = R"sql(
-- A project (one folder); settings_json mirrors project.ropewalk.json at import time.
CREATE TABLE projects(
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  settings_json TEXT NOT NULL DEFAULT '{}',
  created_ms    INTEGER NOT NULL
);

-- One job (synth/train/eval/bench). state: queued|running|finished|failed|crashed|stopped.
-- pid/host: the process that runs it, so a reader can tell a dead job from a slow one.
-- heartbeat_ms: last sign of life from that process. failure_reason: text for failed/crashed.
CREATE TABLE runs(
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER REFERENCES projects(id) ON DELETE SET NULL,
  name           TEXT NOT NULL,
  kind           TEXT NOT NULL,
  state          TEXT NOT NULL DEFAULT 'queued'
                 CHECK(state IN ('queued','running','finished','failed','crashed','stopped')),
  config_json    TEXT NOT NULL DEFAULT '{}',
  created_ms     INTEGER NOT NULL,
  started_ms     INTEGER,
  ended_ms       INTEGER,
  pid            INTEGER,
  host           TEXT,
  heartbeat_ms   INTEGER,
  failure_reason TEXT
);

-- Training stages of a run (length / RoPE settings per stage), in order idx = 0, 1, ...
CREATE TABLE run_stages(
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  name        TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  start_step  INTEGER,
  started_ms  INTEGER,
  ended_ms    INTEGER,
  PRIMARY KEY(run_id, idx)
);

-- Scalar time series. NaN is stored as value=0, is_nan=1 (SQLite turns NaN into NULL).
-- No uniqueness on (run_id, key, step): a resumed run may log a step twice; readers take the newest.
CREATE TABLE metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  step   INTEGER NOT NULL,
  value  REAL NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  ts_ms  INTEGER NOT NULL
);
CREATE INDEX metrics_run_key_step ON metrics(run_id, key, step);

-- Newest point per (run, key), kept by the writer, so the runs list never scans metrics.
CREATE TABLE latest_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  step   INTEGER NOT NULL,
  value  REAL NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  ts_ms  INTEGER NOT NULL,
  PRIMARY KEY(run_id, key)
);

-- Log lines a run wants the user to see (level: debug|info|warning|error). id orders them.
CREATE TABLE events(
  id     INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  ts_ms  INTEGER NOT NULL,
  level  TEXT NOT NULL,
  text   TEXT NOT NULL
);
CREATE INDEX events_run_id ON events(run_id, id);

-- One scored eval item: task (niah, passkey, ...) at a context length and needle depth (0..1),
-- for the checkpoint at checkpoint_step. prompt_hash identifies the prompt; output is the model's text.
CREATE TABLE eval_cells(
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  checkpoint_step INTEGER NOT NULL,
  task            TEXT NOT NULL,
  length          INTEGER NOT NULL,
  depth           REAL NOT NULL,
  score           REAL NOT NULL,
  prompt_hash     TEXT NOT NULL DEFAULT '',
  output          TEXT NOT NULL DEFAULT '',
  ts_ms           INTEGER NOT NULL
);
CREATE INDEX eval_cells_run_id ON eval_cells(run_id, id);

-- Checkpoints a run has written (path relative to the project folder or absolute).
CREATE TABLE checkpoints(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step   INTEGER NOT NULL,
  path   TEXT NOT NULL,
  ts_ms  INTEGER NOT NULL,
  PRIMARY KEY(run_id, step)
);
)sql";

// Schema 2: corpora, their documents with provenance and token counts, token-sized chunks and a BM25
// index over the chunks. Chunk text is not stored twice: the FTS5 index reads it from documents.text
// through the chunk_texts view (byte offsets, hence the BLOB casts).
constexpr std::string_view kSchema2 = R"sql(
-- A named document collection. Its chunks were cut with one tokenizer and one chunk size, recorded here.
CREATE TABLE corpora(
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  tokenizer_id   TEXT NOT NULL,
  tokenizer_name TEXT NOT NULL,
  chunk_tokens   INTEGER NOT NULL,
  chunk_overlap  INTEGER NOT NULL,
  created_ms     INTEGER NOT NULL
);

-- One `corpus add`: what was asked (options_json) and what happened (report_json: skipped files, reasons).
CREATE TABLE corpus_imports(
  id           INTEGER PRIMARY KEY,
  corpus_id    INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
  options_json TEXT NOT NULL,
  report_json  TEXT NOT NULL DEFAULT '{}',
  started_ms   INTEGER NOT NULL,
  ended_ms     INTEGER
);

-- kind: text (a file) | jsonl (one line of a file) | repo (a repository's files under path headers).
-- source_begin/end: byte range in source_path (the line for jsonl; 0..total file bytes for repo).
CREATE TABLE documents(
  id           INTEGER PRIMARY KEY,
  corpus_id    INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
  import_id    INTEGER NOT NULL REFERENCES corpus_imports(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK(kind IN ('text','jsonl','repo')),
  source_path  TEXT NOT NULL,
  source_begin INTEGER NOT NULL,
  source_end   INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  n_bytes      INTEGER NOT NULL,
  text         TEXT NOT NULL,
  UNIQUE(corpus_id, content_hash)
);

-- The files a repo document is made of: [byte_begin, byte_end) of each file's content in documents.text.
CREATE TABLE document_parts(
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  path        TEXT NOT NULL,
  byte_begin  INTEGER NOT NULL,
  byte_end    INTEGER NOT NULL,
  PRIMARY KEY(document_id, idx)
) WITHOUT ROWID;

-- Token count of a whole document under a tokenizer (TokenCounter::id()); one row per tokenizer.
CREATE TABLE document_tokens(
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  tokenizer_id TEXT NOT NULL,
  n_tokens     INTEGER NOT NULL,
  PRIMARY KEY(document_id, tokenizer_id)
) WITHOUT ROWID;

-- Retrieval units: [byte_begin, byte_end) of documents.text, in order idx = 0, 1, ...
CREATE TABLE chunks(
  id          INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  byte_begin  INTEGER NOT NULL,
  byte_end    INTEGER NOT NULL,
  n_tokens    INTEGER NOT NULL,
  UNIQUE(document_id, idx)
);

CREATE VIEW chunk_texts(id, text) AS
  SELECT c.id, CAST(substr(CAST(d.text AS BLOB), c.byte_begin + 1, c.byte_end - c.byte_begin) AS TEXT)
  FROM chunks c JOIN documents d ON d.id = c.document_id;

-- BM25 index; rowid = chunks.id. Rows are removed with the FTS5 'delete' command before their chunks.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
  text, content='chunk_texts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
)sql";

// Schema 3: what each training step read, and SFT datasets (chat samples with their segments).
constexpr std::string_view kSchema3 = R"sql(
-- Which tokens of which document or sample went into which optimizer step: `sequence` is the packed
-- sequence's index within the step (micro-batches x accumulation), [item_offset, item_offset + length) the
-- item's tokens at [seq_offset, seq_offset + length) of that sequence. item_kind: document | sample.
CREATE TABLE train_pieces(
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  sequence    INTEGER NOT NULL,
  source      TEXT NOT NULL,
  item_kind   TEXT NOT NULL CHECK(item_kind IN ('document','sample')),
  item_id     INTEGER NOT NULL,
  item_offset INTEGER NOT NULL,
  seq_offset  INTEGER NOT NULL,
  length      INTEGER NOT NULL
);
CREATE INDEX train_pieces_step ON train_pieces(run_id, step);
CREATE INDEX train_pieces_item ON train_pieces(item_kind, item_id);

-- A named collection of training samples. kind: chat (conversations) or text (one raw text each, role
-- 'text'; written by generators since the kind was added, so no schema change). source: the imported
-- file or the generator that wrote it; config_json: the import format or the generator's settings.
CREATE TABLE datasets(
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL DEFAULT 'chat',
  description TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  config_json TEXT NOT NULL DEFAULT '{}',
  created_ms  INTEGER NOT NULL
);

-- One conversation, in order idx = 0, 1, ... within its dataset. messages_json: [{"role","content"}] with
-- role system|user|assistant (text datasets: one message of role text). meta_json: provenance (source file
-- and line, or generator, model, seed, prompts). content_hash: sha256 of the messages, so a dataset holds
-- each conversation once. n_bytes: bytes of all message contents.
CREATE TABLE samples(
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx           INTEGER NOT NULL,
  messages_json TEXT NOT NULL,
  meta_json     TEXT NOT NULL DEFAULT '{}',
  content_hash  TEXT NOT NULL,
  n_bytes       INTEGER NOT NULL,
  UNIQUE(dataset_id, content_hash),
  UNIQUE(dataset_id, idx)
);

-- Labelled byte ranges [byte_begin, byte_end) of one message's content (message_index into messages_json),
-- for the sample inspector. kind: instruction | document | needle | question | answer | summary | table |
-- other (free text; these are the ones the generators write). source_document_id with [source_begin,
-- source_end): where the text came from in a corpus document (NULL when generated or the document is gone).
CREATE TABLE sample_segments(
  sample_id          INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  idx                INTEGER NOT NULL,
  message_index      INTEGER NOT NULL,
  byte_begin         INTEGER NOT NULL,
  byte_end           INTEGER NOT NULL,
  kind               TEXT NOT NULL,
  source_document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
  source_begin       INTEGER,
  source_end         INTEGER,
  meta_json          TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY(sample_id, idx)
) WITHOUT ROWID;
CREATE INDEX sample_segments_document ON sample_segments(source_document_id);

-- Token count of a whole rendered sample under a tokenizer and chat format (tokenizer_id names both).
CREATE TABLE sample_tokens(
  sample_id    INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  tokenizer_id TEXT NOT NULL,
  n_tokens     INTEGER NOT NULL,
  PRIMARY KEY(sample_id, tokenizer_id)
) WITHOUT ROWID;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "0001_runs_metrics_events", kSchema1},
    Migration{2, "0002_corpora_documents_chunks", kSchema2},
    Migration{3, "0003_train_pieces_datasets", kSchema3},
};

void refuse_too_new(const Database& db, int version, int latest) {
  fail("{}: was written by a newer Ropewalk (schema {}, this build knows up to {}); open it with that version",
       db.path().string(), version, latest);
}

}  // namespace

std::span<const Migration> store_migrations() { return kMigrations; }

int latest_schema_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

void check_schema_version(Database& db, std::span<const Migration> migrations) {
  const int version = db.user_version();
  const int latest = latest_schema_version(migrations);
  if (version > latest) refuse_too_new(db, version, latest);
  if (version == 0 && db.schema_object_count() > 0) {
    // Tables but no version: another application's file. Upgrading it would mix two schemas.
    fail("{}: not a Ropewalk store (it has tables but no Ropewalk schema version)", db.path().string());
  }
  if (db.read_only() && version < latest) {
    fail("{}: store has schema {} but this build needs {}; open it read-write once to upgrade it",
         db.path().string(), version, latest);
  }
}

void migrate(Database& db, std::span<const Migration> migrations) {
  RW_CHECK(!db.read_only(), "migrate() needs a read-write connection to {}", db.path().string());
  for (size_t i = 0; i < migrations.size(); ++i) {
    RW_CHECK(migrations[i].version == static_cast<int>(i) + 1, "migration list out of order at {}", migrations[i].name);
  }
  const int latest = latest_schema_version(migrations);
  const int seen = db.user_version();
  if (seen == latest) return;
  check_schema_version(db, migrations);
  if (seen > 0) {
    // Keep the user's data recoverable if an upgrade step turns out wrong. VACUUM INTO cannot run inside
    // a transaction, so the backup happens before BEGIN; another process upgrading meanwhile is harmless.
    db.backup_to(db.path().string() + ".bak-v" + std::to_string(seen));
  }
  Transaction tx(db);
  // Re-read under the write lock: another process may have migrated between our check and BEGIN.
  const int version = db.user_version();
  if (version > latest) refuse_too_new(db, version, latest);
  for (int v = version + 1; v <= latest; ++v) {
    const Migration& step = migrations[static_cast<size_t>(v - 1)];
    try {
      db.exec(step.sql);
    } catch (const Error& e) {
      fail("{}: upgrade to schema {} ({}) failed, nothing changed: {}", db.path().string(), v, step.name, e.what());
    }
  }
  db.set_user_version(latest);
  tx.commit();
}

Database open_store(const std::filesystem::path& path, OpenMode mode, std::span<const Migration> migrations) {
  Database db = Database::open(path, mode, [&](Database& d) { check_schema_version(d, migrations); });
  if (mode == OpenMode::ReadWrite) migrate(db, migrations);
  return db;
}

}  // namespace rw::core

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

constexpr std::array kMigrations = {
    Migration{1, "0001_runs_metrics_events", kSchema1},
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

// RunStore: SQL for runs, state changes, heartbeats, crash detection, events, eval cells, checkpoints
// and the since-queries. Not the metric batching (metric_writer.cpp) nor the schema (migrations.cpp).
#include "rw/core/store/run_store.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <limits>

#include "rw/core/store/migrations.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr std::pair<std::string_view, RunState> kStateNames[] = {
    {"queued", RunState::Queued}, {"running", RunState::Running}, {"finished", RunState::Finished},
    {"failed", RunState::Failed}, {"crashed", RunState::Crashed}, {"stopped", RunState::Stopped}};

constexpr std::string_view kRunColumns =
    "id, name, kind, state, config_json, created_ms, started_ms, ended_ms, pid, host, heartbeat_ms, "
    "failure_reason";

RunRecord read_run(const Statement& s) {
  RunRecord r;
  r.id = s.column_int64(0);
  r.name = s.column_text(1);
  r.kind = s.column_text(2);
  r.state = run_state_from_string(s.column_text(3));
  r.config_json = s.column_text(4);
  r.created_ms = s.column_int64(5);
  r.started_ms = s.column_optional_int64(6);
  r.ended_ms = s.column_optional_int64(7);
  r.pid = s.column_optional_int64(8);
  r.host = s.column_text(9);
  r.heartbeat_ms = s.column_optional_int64(10);
  r.failure_reason = s.column_text(11);
  return r;
}

RunRecord load_run(Database& db, std::int64_t run_id) {
  auto s = db.prepare(fmt::format("SELECT {} FROM runs WHERE id = ?1", kRunColumns));
  s.bind(1, run_id);
  if (!s.step()) fail("{}: no run with id {}", db.path().string(), run_id);
  return read_run(s);
}

bool process_gone(std::int64_t pid) {
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

constexpr std::string_view kEvalCellColumns =
    "id, run_id, checkpoint_step, task, length, depth, score, prompt_hash, output, ts_ms";

/// Every row of a statement selecting kEvalCellColumns.
std::vector<EvalCell> read_eval_cells(Statement& s) {
  std::vector<EvalCell> out;
  while (s.step()) {
    EvalCell c;
    c.id = s.column_int64(0);
    c.run_id = s.column_int64(1);
    c.checkpoint_step = s.column_int64(2);
    c.task = s.column_text(3);
    c.length = s.column_int64(4);
    c.depth = s.column_double(5);
    c.score = s.column_double(6);
    c.prompt_hash = s.column_text(7);
    c.output = s.column_text(8);
    c.ts_ms = s.column_int64(9);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::string_view to_string(RunState state) { return name_of(kStateNames, state); }

RunState run_state_from_string(std::string_view name) { return value_of(kStateNames, name, "run state"); }

bool is_terminal(RunState state) {
  return state == RunState::Finished || state == RunState::Failed || state == RunState::Crashed ||
         state == RunState::Stopped;
}

bool is_legal_transition(RunState from, RunState to) {
  switch (from) {
    case RunState::Queued:
      return to == RunState::Running || to == RunState::Failed || to == RunState::Stopped;
    case RunState::Running:
      return is_terminal(to);
    default:
      return false;
  }
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

RunState effective_state(const RunRecord& run, std::int64_t now, std::int64_t stale_ms) {
  if (run.state != RunState::Running) return run.state;
  // On this host the process itself answers: gone is crashed at once, alive is running however slow.
  if (run.host == this_host() && run.pid && *run.pid > 0)
    return process_gone(*run.pid) ? RunState::Crashed : RunState::Running;
  const std::int64_t last_sign = run.heartbeat_ms.value_or(run.started_ms.value_or(run.created_ms));
  return now - last_sign <= stale_ms ? RunState::Running : RunState::Crashed;
}

RunStore RunStore::open(const std::filesystem::path& path, OpenMode mode) { return RunStore(open_store(path, mode)); }

std::int64_t RunStore::create_run(std::string_view name, std::string_view kind, std::string_view config_json) {
  auto s =
      db_.prepare("INSERT INTO runs(name, kind, state, config_json, created_ms) VALUES (?1, ?2, 'queued', ?3, ?4)");
  s.bind(1, name).bind(2, kind).bind(3, config_json).bind(4, now_ms());
  s.run();
  return db_.last_insert_rowid();
}

void RunStore::set_config(std::int64_t run_id, std::string_view config_json) {
  auto s = db_.prepare("UPDATE runs SET config_json = ?2 WHERE id = ?1");
  s.bind(1, run_id).bind(2, config_json);
  s.run();
  if (db_.changes() == 0) fail("{}: no run {}", db_.path().string(), run_id);
}

void RunStore::set_state(std::int64_t run_id, RunState to, std::string_view reason) {
  Transaction tx(db_);  // read-check-write under the write lock, so two processes cannot both move a run
  const RunRecord run = load_run(db_, run_id);
  if (!is_legal_transition(run.state, to)) {
    fail("{}: run {} cannot go from {} to {}", db_.path().string(), run_id, to_string(run.state), to_string(to));
  }
  const std::int64_t now = now_ms();
  if (to == RunState::Running) {
    auto s = db_.prepare(
        "UPDATE runs SET state = 'running', started_ms = ?2, heartbeat_ms = ?2, pid = ?3, host = ?4 WHERE id = ?1");
    s.bind(1, run_id).bind(2, now).bind(3, static_cast<std::int64_t>(::getpid())).bind(4, this_host());
    s.run();
  } else {
    auto s = db_.prepare("UPDATE runs SET state = ?2, ended_ms = ?3, failure_reason = ?4 WHERE id = ?1");
    s.bind(1, run_id).bind(2, to_string(to)).bind(3, now);
    if (reason.empty()) {
      s.bind_null(4);
    } else {
      s.bind(4, reason);
    }
    s.run();
  }
  tx.commit();
}

void RunStore::resume(std::int64_t run_id) {
  Transaction tx(db_);
  const RunRecord run = load_run(db_, run_id);
  if (run.state != RunState::Stopped && run.state != RunState::Crashed && run.state != RunState::Failed) {
    fail("{}: run {} is {}; only a stopped, crashed or failed run can be resumed", db_.path().string(), run_id,
         to_string(run.state));
  }
  auto s = db_.prepare(
      "UPDATE runs SET state = 'running', heartbeat_ms = ?2, pid = ?3, host = ?4, ended_ms = NULL, "
      "failure_reason = NULL WHERE id = ?1");
  s.bind(1, run_id).bind(2, now_ms()).bind(3, static_cast<std::int64_t>(::getpid())).bind(4, this_host());
  s.run();
  tx.commit();
}

void RunStore::heartbeat(std::int64_t run_id) {
  auto s = db_.prepare("UPDATE runs SET heartbeat_ms = ?2, pid = ?3 WHERE id = ?1 AND state = 'running'");
  s.bind(1, run_id).bind(2, now_ms()).bind(3, static_cast<std::int64_t>(::getpid()));
  s.run();
  if (db_.changes() == 0) {
    const RunRecord run = load_run(db_, run_id);  // Error when missing
    fail("{}: heartbeat for run {} which is {}, not running", db_.path().string(), run_id, to_string(run.state));
  }
}

std::int64_t RunStore::add_event(std::int64_t run_id, std::string_view level, std::string_view text) {
  auto s = db_.prepare("INSERT INTO events(run_id, ts_ms, level, text) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, run_id).bind(2, now_ms()).bind(3, level).bind(4, text);
  s.run();
  return db_.last_insert_rowid();
}

std::int64_t RunStore::add_eval_cell(const EvalCell& cell) {
  auto s = db_.prepare(
      "INSERT INTO eval_cells(run_id, checkpoint_step, task, length, depth, score, prompt_hash, output, ts_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  s.bind(1, cell.run_id).bind(2, cell.checkpoint_step).bind(3, cell.task).bind(4, cell.length);
  s.bind(5, cell.depth).bind(6, cell.score).bind(7, cell.prompt_hash).bind(8, cell.output);
  s.bind(9, cell.ts_ms != 0 ? cell.ts_ms : now_ms());
  s.run();
  return db_.last_insert_rowid();
}

void RunStore::add_checkpoint(std::int64_t run_id, std::int64_t step, std::string_view path) {
  // A re-saved step (resume) replaces the row rather than failing.
  auto s = db_.prepare("INSERT OR REPLACE INTO checkpoints(run_id, step, path, ts_ms) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, run_id).bind(2, step).bind(3, path).bind(4, now_ms());
  s.run();
}

std::vector<std::int64_t> RunStore::reap_crashed(std::int64_t stale_ms) {
  std::vector<std::int64_t> reaped;
  Transaction tx(db_);
  const std::int64_t now = now_ms();
  std::vector<RunRecord> running;
  {
    auto s = db_.prepare(fmt::format("SELECT {} FROM runs WHERE state = 'running'", kRunColumns));
    while (s.step()) running.push_back(read_run(s));
  }
  for (const RunRecord& run : running) {
    if (effective_state(run, now, stale_ms) != RunState::Crashed) continue;
    auto u = db_.prepare(
        "UPDATE runs SET state = 'crashed', ended_ms = ?2, failure_reason = ?3 WHERE id = ?1 AND state = 'running'");
    u.bind(1, run.id).bind(2, run.heartbeat_ms.value_or(now));
    u.bind(3, "process " + std::to_string(run.pid.value_or(0)) + " on " + run.host +
                  " stopped without reporting (no heartbeat since " +
                  std::to_string((now - run.heartbeat_ms.value_or(now)) / 1000) + " s)");
    u.run();
    reaped.push_back(run.id);
  }
  tx.commit();
  return reaped;
}

RunRecord RunStore::run(std::int64_t run_id) { return load_run(db_, run_id); }

std::vector<RunRecord> RunStore::list_runs() {
  std::vector<RunRecord> runs;
  auto s = db_.prepare(fmt::format("SELECT {} FROM runs ORDER BY id DESC", kRunColumns));
  while (s.step()) runs.push_back(read_run(s));
  return runs;
}

std::vector<MetricPoint> RunStore::metrics_since(std::int64_t run_id, std::string_view key, std::int64_t after_step,
                                                 std::int64_t limit) {
  std::vector<MetricPoint> points;
  auto s = db_.prepare(
      "SELECT step, value, is_nan, ts_ms FROM metrics WHERE run_id = ?1 AND key = ?2 AND step > ?3 "
      "ORDER BY step, rowid LIMIT ?4");
  s.bind(1, run_id).bind(2, key).bind(3, after_step).bind(4, limit);
  while (s.step()) {
    MetricPoint p;
    p.step = s.column_int64(0);
    p.is_nan = s.column_int64(2) != 0;
    p.value = p.is_nan ? std::numeric_limits<double>::quiet_NaN() : s.column_double(1);
    p.ts_ms = s.column_int64(3);
    points.push_back(p);
  }
  return points;
}

std::vector<LatestMetric> RunStore::latest_metrics(std::int64_t run_id) {
  std::vector<LatestMetric> out;
  auto s = db_.prepare("SELECT key, step, value, is_nan, ts_ms FROM latest_metrics WHERE run_id = ?1 ORDER BY key");
  s.bind(1, run_id);
  while (s.step()) {
    LatestMetric m;
    m.key = s.column_text(0);
    m.point.step = s.column_int64(1);
    m.point.is_nan = s.column_int64(3) != 0;
    m.point.value = m.point.is_nan ? std::numeric_limits<double>::quiet_NaN() : s.column_double(2);
    m.point.ts_ms = s.column_int64(4);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<EventRecord> RunStore::events_since(std::int64_t run_id, std::int64_t after_id) {
  std::vector<EventRecord> out;
  auto s = db_.prepare("SELECT id, run_id, ts_ms, level, text FROM events WHERE run_id = ?1 AND id > ?2 ORDER BY id");
  s.bind(1, run_id).bind(2, after_id);
  while (s.step()) {
    out.push_back(
        EventRecord{s.column_int64(0), s.column_int64(1), s.column_int64(2), s.column_text(3), s.column_text(4)});
  }
  return out;
}

std::vector<EvalCell> RunStore::eval_cells_since(std::int64_t run_id, std::int64_t after_id) {
  auto s =
      db_.prepare(fmt::format("SELECT {} FROM eval_cells WHERE run_id = ?1 AND id > ?2 ORDER BY id", kEvalCellColumns));
  s.bind(1, run_id).bind(2, after_id);
  return read_eval_cells(s);
}

std::vector<CheckpointRecord> RunStore::checkpoints(std::int64_t run_id) {
  std::vector<CheckpointRecord> out;
  auto s = db_.prepare("SELECT run_id, step, path, ts_ms FROM checkpoints WHERE run_id = ?1 ORDER BY step");
  s.bind(1, run_id);
  while (s.step())
    out.push_back(CheckpointRecord{s.column_int64(0), s.column_int64(1), s.column_text(2), s.column_int64(3)});
  return out;
}

// ---- eval cells by task and checkpoint (heatmap export) ----

std::vector<EvalCellGroup> RunStore::eval_cell_groups(std::int64_t run_id) {
  std::vector<EvalCellGroup> out;
  auto s = db_.prepare(
      "SELECT task, checkpoint_step, COUNT(*) FROM eval_cells WHERE run_id = ?1 "
      "GROUP BY task, checkpoint_step ORDER BY task, checkpoint_step");
  s.bind(1, run_id);
  while (s.step()) out.push_back(EvalCellGroup{s.column_text(0), s.column_int64(1), s.column_int64(2)});
  return out;
}

std::vector<EvalCell> RunStore::eval_cells_at(std::int64_t run_id, std::string_view task,
                                              std::int64_t checkpoint_step) {
  auto s = db_.prepare(
      fmt::format("SELECT {} FROM eval_cells WHERE run_id = ?1 AND task = ?2 AND checkpoint_step = ?3 ORDER BY id",
                  kEvalCellColumns));
  s.bind(1, run_id).bind(2, task).bind(3, checkpoint_step);
  return read_eval_cells(s);
}

}  // namespace rw::core

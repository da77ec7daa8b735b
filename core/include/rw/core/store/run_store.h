// RunStore: runs and their life cycle (queued -> running -> finished|failed|crashed|stopped), heartbeats,
// crash detection, events, eval cells, checkpoints, and the "what is new since X" reader queries the GUI
// polls. Rows are mapped to the structs below so nothing outside core/store sees SQL.
// Not the batched metric writer (metric_writer.h) and not projects/corpora (later).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

enum class RunState { Queued, Running, Finished, Failed, Crashed, Stopped };

/// "queued", "running", ... (the strings stored in runs.state).
std::string_view to_string(RunState state);
/// Inverse of to_string; Error on an unknown name.
RunState run_state_from_string(std::string_view name);
/// queued -> running|failed|stopped; running -> finished|failed|crashed|stopped; the last four are final.
bool is_legal_transition(RunState from, RunState to);
bool is_terminal(RunState state);

struct RunRecord {
  std::int64_t id = 0;
  std::string name;
  std::string kind;  // synth | train | eval | bench
  RunState state = RunState::Queued;
  std::string config_json;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> started_ms;
  std::optional<std::int64_t> ended_ms;
  std::optional<std::int64_t> pid;
  std::string host;
  std::optional<std::int64_t> heartbeat_ms;
  std::string failure_reason;
};

struct MetricPoint {
  std::int64_t step = 0;
  double value = 0;  // quiet NaN when is_nan
  bool is_nan = false;
  std::int64_t ts_ms = 0;
};

struct LatestMetric {
  std::string key;
  MetricPoint point;
};

struct EventRecord {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::int64_t ts_ms = 0;
  std::string level;  // debug | info | warning | error
  std::string text;
};

struct EvalCell {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t run_id = 0;
  std::int64_t checkpoint_step = 0;
  std::string task;
  std::int64_t length = 0;  // context length in tokens
  double depth = 0;         // needle depth, 0..1
  double score = 0;
  std::string prompt_hash;
  std::string output;
  std::int64_t ts_ms = 0;  // set by the store when 0
};

/// How many eval cells a run has for one (task, checkpoint step): what a heatmap can be drawn from.
struct EvalCellGroup {
  std::string task;
  std::int64_t checkpoint_step = 0;
  std::int64_t cells = 0;
};

struct CheckpointRecord {
  std::int64_t run_id = 0;
  std::int64_t step = 0;
  std::string path;
  std::int64_t ts_ms = 0;
};

/// A running run on another host (or without a pid) whose heartbeat is older than this is crashed.
inline constexpr std::int64_t kDefaultStaleHeartbeatMs = 30'000;

/// This machine's host name as stored in runs.host.
std::string this_host();

/// One connection to a run store file. Writers (jobs) open ReadWrite; readers (the GUI) ReadOnly.
/// Not thread-safe; one RunStore per thread.
class RunStore {
 public:
  /// open_store(): creates/upgrades (ReadWrite) or checks the version (ReadOnly).
  static RunStore open(const std::filesystem::path& path, OpenMode mode);
  explicit RunStore(Database db) : db_(std::move(db)) {}

  Database& database() { return db_; }
  const std::filesystem::path& path() const { return db_.path(); }

  // ---- writers ----
  /// New run in state queued; returns its id.
  std::int64_t create_run(std::string_view name, std::string_view kind, std::string_view config_json = "{}");
  /// Replaces a run's config JSON (a resumed run that continues under an accepted change). Error naming
  /// the run when it does not exist.
  void set_config(std::int64_t run_id, std::string_view config_json);
  /// Moves a run to `to` atomically. Error naming the run, `from` and `to` when the change is illegal.
  /// -> running records started_ms, this pid and host, and a first heartbeat; a final state records ended_ms
  /// and `reason` (failure_reason, meant for failed/crashed).
  void set_state(std::int64_t run_id, RunState to, std::string_view reason = {});
  /// Puts a stopped, crashed or failed run back to running to continue it from a checkpoint (the trainer's
  /// --resume): like set_state(running), and clears ended_ms and failure_reason. Error naming the run and
  /// its state otherwise (a finished run is done; a running one belongs to another process).
  void resume(std::int64_t run_id);
  /// "I am alive": heartbeat_ms = now, pid = this process. Error when the run is not running (e.g. it was
  /// reaped as crashed or stopped), which tells the job to stop.
  void heartbeat(std::int64_t run_id);
  std::int64_t add_event(std::int64_t run_id, std::string_view level, std::string_view text);
  std::int64_t add_eval_cell(const EvalCell& cell);
  void add_checkpoint(std::int64_t run_id, std::int64_t step, std::string_view path);

  /// Marks every running run that effective_state() calls crashed as crashed (failure_reason says why);
  /// returns their ids. Safe against a concurrent heartbeat: the check is repeated under the write lock.
  std::vector<std::int64_t> reap_crashed(std::int64_t stale_ms = kDefaultStaleHeartbeatMs);

  // ---- readers ----
  RunRecord run(std::int64_t run_id);  // Error when missing
  std::vector<RunRecord> list_runs();  // newest first
  /// Points with step > after_step, ascending by step (at most `limit`).
  std::vector<MetricPoint> metrics_since(std::int64_t run_id, std::string_view key, std::int64_t after_step,
                                         std::int64_t limit = -1);
  std::vector<LatestMetric> latest_metrics(std::int64_t run_id);
  std::vector<EventRecord> events_since(std::int64_t run_id, std::int64_t after_id);
  std::vector<EvalCell> eval_cells_since(std::int64_t run_id, std::int64_t after_id);
  std::vector<CheckpointRecord> checkpoints(std::int64_t run_id);
  /// Every (task, checkpoint step) with eval cells for the run, by task then step.
  std::vector<EvalCellGroup> eval_cell_groups(std::int64_t run_id);
  /// The run's cells for one task at one checkpoint step, in the order they were scored.
  std::vector<EvalCell> eval_cells_at(std::int64_t run_id, std::string_view task, std::int64_t checkpoint_step);

 private:
  Database db_;
};

/// The state to show: `run.state`, except a running run whose process is gone reads as Crashed. On this
/// host the pid is asked (kill(pid, 0) failing with ESRCH is gone), at once, whatever the heartbeat says; for
/// a run on another host, or without a pid, a heartbeat older than stale_ms decides.
RunState effective_state(const RunRecord& run, std::int64_t now, std::int64_t stale_ms = kDefaultStaleHeartbeatMs);

}  // namespace rw::core

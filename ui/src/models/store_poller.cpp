#include "rw/ui/models/store_poller.h"

#include <tuple>

#include "rw/core/util/error.h"

namespace rw::ui {

using rw::core::RunRecord;
using rw::core::RunState;

namespace {

// Effective states change with time alone (a heartbeat goes stale), so the run list is re-read this often
// even when nothing was written.
constexpr std::int64_t kRunListRefreshMs = 1000;

bool same_runs(const std::vector<RunRecord>& a, const std::vector<RunRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto key = [](const RunRecord& r) {
      return std::tie(r.id, r.name, r.state, r.started_ms, r.ended_ms, r.pid, r.failure_reason, r.config_json);
    };
    if (key(a[i]) != key(b[i])) return false;
  }
  return true;
}

}  // namespace

StorePoller::StorePoller(std::filesystem::path store_path, int interval_ms)
    : path_(std::move(store_path)), interval_ms_(interval_ms) {}

StorePoller::~StorePoller() = default;

void StorePoller::start() {
  timer_ = std::make_unique<QTimer>();
  timer_->setInterval(interval_ms_);
  connect(timer_.get(), &QTimer::timeout, this, &StorePoller::poll);
  timer_->start();
  poll();
}

void StorePoller::poll() {
  StoreDelta out;
  out.polled_ms = rw::core::now_ms();
  bool more = false;
  try {
    if (!store_) store_.emplace(rw::core::RunStore::open(path_, rw::core::OpenMode::ReadOnly));
    // data_version changes whenever another connection commits: the cheap "anything new?" check.
    auto version_query = store_->database().prepare("PRAGMA data_version");
    version_query.step();
    const std::int64_t version = version_query.column_int64(0);
    const bool data_changed = version != data_version_;
    data_version_ = version;
    read_runs(out, data_changed);
    if (data_changed || backlog_) read_new_rows(out, more);
    backlog_ = more;
    if (!last_error_.empty()) {  // recovered: resend the run list so the views leave their error state
      out.runs_changed = true;
      out.runs = runs_;
      out.shown = shown_;
    }
    last_error_.clear();
  } catch (const std::exception& e) {
    store_.reset();  // reopen on the next poll: the file may appear, or be replaced
    data_version_ = -1;
    if (e.what() == last_error_) return;  // said once is enough
    last_error_ = e.what();
    out = StoreDelta{};
    out.polled_ms = rw::core::now_ms();
    out.error = last_error_;
  }
  if (!out.empty()) Q_EMIT delta(out);
  if (more) QTimer::singleShot(0, this, &StorePoller::poll);
}

void StorePoller::read_runs(StoreDelta& out, bool data_changed) {
  const std::int64_t now = rw::core::now_ms();
  if (!data_changed && now - runs_read_ms_ < kRunListRefreshMs) return;
  runs_read_ms_ = now;
  auto runs = store_->list_runs();
  std::vector<RunState> shown;
  shown.reserve(runs.size());
  for (const auto& run : runs) shown.push_back(rw::core::effective_state(run, now));
  if (same_runs(runs, runs_) && shown == shown_) return;
  for (const auto& run : runs) {
    // A run that leaves its final state (resume) can get rows again.
    if (!rw::core::is_terminal(run.state)) cursors_[run.id].caught_up_final = false;
  }
  runs_ = runs;
  shown_ = shown;
  out.runs_changed = true;
  out.runs = std::move(runs);
  out.shown = std::move(shown);
}

void StorePoller::read_new_rows(StoreDelta& out, bool& more) {
  for (const auto& run : runs_) {
    Cursor& cursor = cursors_[run.id];
    if (cursor.caught_up_final) continue;
    bool run_more = false;
    for (const auto& latest : store_->latest_metrics(run.id)) {
      auto [it, fresh] = cursor.last_step.try_emplace(latest.key, -1);
      if (latest.point.step <= it->second) continue;
      auto points = store_->metrics_since(run.id, latest.key, it->second, kBatchRows);
      if (points.empty()) continue;
      run_more = run_more || static_cast<std::int64_t>(points.size()) == kBatchRows;
      it->second = points.back().step;
      out.metrics.push_back({run.id, latest.key, std::move(points)});
    }
    auto cells = store_->eval_cells_since(run.id, cursor.last_cell_id);
    if (!cells.empty()) cursor.last_cell_id = cells.back().id;
    out.cells.insert(out.cells.end(), std::make_move_iterator(cells.begin()), std::make_move_iterator(cells.end()));
    auto events = store_->events_since(run.id, cursor.last_event_id);
    if (!events.empty()) cursor.last_event_id = events.back().id;
    out.events.insert(out.events.end(), std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
    more = more || run_more;
    if (rw::core::is_terminal(run.state) && !run_more) cursor.caught_up_final = true;
  }
}

}  // namespace rw::ui

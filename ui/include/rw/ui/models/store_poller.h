// StorePoller: reads what is new in a project's run store, on its own thread, through a read-only
// connection, and hands it to the UI thread as one StoreDelta per poll. It is the only code of the GUI that
// queries the store for runs, so no query can stall the window. Not the cache the views read (store_feed.h).
#pragma once
#include <QObject>
#include <QTimer>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rw/core/store/run_store.h"

namespace rw::ui {

/// Everything a poll found that the previous polls had not handed over.
struct StoreDelta {
  struct Series {
    std::int64_t run_id = 0;
    std::string key;
    std::vector<rw::core::MetricPoint> points;  // ascending by step, all after the previous batch
  };
  bool runs_changed = false;
  std::vector<rw::core::RunRecord> runs;  // every run, newest first (when runs_changed)
  std::vector<rw::core::RunState> shown;  // the state to show for each (a dead running run reads crashed)
  std::vector<Series> metrics;
  std::vector<rw::core::EvalCell> cells;
  std::vector<rw::core::EventRecord> events;
  std::int64_t polled_ms = 0;  // when this poll read the store
  std::string error;           // why the store could not be read ("" when it could)

  bool empty() const { return !runs_changed && metrics.empty() && cells.empty() && events.empty() && error.empty(); }
};

class StorePoller : public QObject {
  Q_OBJECT
 public:
  /// Rows fetched per series per poll, so a long backlog arrives over several polls instead of one stall.
  static constexpr std::int64_t kBatchRows = 20'000;

  explicit StorePoller(std::filesystem::path store_path, int interval_ms = 200);
  ~StorePoller() override;

 public Q_SLOTS:
  /// Starts polling on the thread this object lives in.
  void start();
  /// Polls now (a view that needs data sooner than the next tick, and tests).
  void poll();

 Q_SIGNALS:
  void delta(const rw::ui::StoreDelta& delta);

 private:
  struct Cursor {
    std::map<std::string, std::int64_t> last_step;  // per metric key
    std::int64_t last_cell_id = 0;
    std::int64_t last_event_id = 0;
    bool caught_up_final = false;  // final state and everything read: nothing more can come
  };
  void read_runs(StoreDelta& out, bool data_changed);
  void read_new_rows(StoreDelta& out, bool& more);

  std::filesystem::path path_;
  int interval_ms_;
  std::unique_ptr<QTimer> timer_;
  std::optional<rw::core::RunStore> store_;
  std::int64_t data_version_ = -1;
  bool backlog_ = false;  // the last poll stopped at kBatchRows: read on even though nothing new was written
  std::int64_t runs_read_ms_ = 0;
  std::vector<rw::core::RunRecord> runs_;
  std::vector<rw::core::RunState> shown_;
  std::map<std::int64_t, Cursor> cursors_;
  std::string last_error_;
};

}  // namespace rw::ui

Q_DECLARE_METATYPE(rw::ui::StoreDelta)

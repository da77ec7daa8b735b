// StoreFeed: the GUI's copy of a project's run store. A StorePoller on a worker thread reads what is new;
// the feed appends it here on the UI thread and announces it in batches (one `updated` at most every
// kBatchMs after new data), so views redraw once per batch, never once per row. Views read runs(), run()
// and never the store itself.
#pragma once
#include <QObject>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "rw/core/store/run_store.h"
#include "rw/ui/models/store_poller.h"

namespace rw::ui {

/// One run as the GUI knows it.
struct RunData {
  rw::core::RunRecord record;
  rw::core::RunState shown = rw::core::RunState::Queued;              // effective state (crash detection included)
  std::map<std::string, std::vector<rw::core::MetricPoint>> metrics;  // every point, by key, ascending step
  std::vector<rw::core::EvalCell> cells;                              // in the order they were scored
  std::deque<rw::core::EventRecord> events;                           // the newest kEventTail

  /// The last step with a loss, or 0.
  std::int64_t last_step() const;
};

/// What one batch changed.
struct FeedChange {
  bool runs = false;
  QSet<qint64> metric_runs;
  QSet<qint64> cell_runs;
  QSet<qint64> event_runs;
  std::int64_t oldest_poll_ms = 0;  // when the oldest delta in the batch was read (latency figures)
};

class StoreFeed : public QObject {
  Q_OBJECT
 public:
  static constexpr int kBatchMs = 40;
  static constexpr size_t kEventTail = 500;

  explicit StoreFeed(QObject* parent = nullptr);
  ~StoreFeed() override;

  /// Follows the store at `store_path` (drops what was followed before). The file may not exist yet.
  void open(const std::filesystem::path& store_path, int poll_interval_ms = 200);
  void close();
  bool is_open() const { return thread_ != nullptr; }

  /// Every run, newest first.
  const std::vector<RunData*>& runs() const { return order_; }
  /// nullptr when the feed has not seen the run (yet).
  const RunData* run(std::int64_t run_id) const;
  /// Why the store cannot be read ("" when it can).
  const QString& error() const { return error_; }
  /// Asks the poller for a poll now instead of at its next tick.
  void poll_now();

 Q_SIGNALS:
  void updated(const rw::ui::FeedChange& change);
  void error_changed(const QString& error);

 private:
  void apply(const StoreDelta& delta);
  void flush();

  QThread* thread_ = nullptr;
  StorePoller* poller_ = nullptr;
  std::map<std::int64_t, RunData> runs_;
  std::vector<RunData*> order_;
  QString error_;
  QTimer batch_timer_;
  FeedChange pending_;
};

}  // namespace rw::ui

Q_DECLARE_METATYPE(rw::ui::FeedChange)

#include "rw/ui/models/store_feed.h"

namespace rw::ui {

std::int64_t RunData::last_step() const {
  const auto it = metrics.find("loss");
  return it == metrics.end() || it->second.empty() ? 0 : it->second.back().step;
}

StoreFeed::StoreFeed(QObject* parent) : QObject(parent) {
  qRegisterMetaType<rw::ui::StoreDelta>();
  qRegisterMetaType<rw::ui::FeedChange>();
  batch_timer_.setSingleShot(true);
  batch_timer_.setInterval(kBatchMs);
  connect(&batch_timer_, &QTimer::timeout, this, &StoreFeed::flush);
}

StoreFeed::~StoreFeed() { close(); }

void StoreFeed::open(const std::filesystem::path& store_path, int poll_interval_ms) {
  close();
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("store poller"));
  poller_ = new StorePoller(store_path, poll_interval_ms);
  poller_->moveToThread(thread_);
  connect(thread_, &QThread::started, poller_, &StorePoller::start);
  connect(thread_, &QThread::finished, poller_, &QObject::deleteLater);
  connect(poller_, &StorePoller::delta, this, &StoreFeed::apply, Qt::QueuedConnection);
  thread_->start();
}

void StoreFeed::close() {
  if (!thread_) return;
  thread_->quit();
  thread_->wait();
  delete thread_;
  thread_ = nullptr;
  poller_ = nullptr;
  batch_timer_.stop();
  runs_.clear();
  order_.clear();
  pending_ = FeedChange{};
  pending_.runs = true;
  error_.clear();
  Q_EMIT updated(pending_);
  pending_ = FeedChange{};
}

const RunData* StoreFeed::run(std::int64_t run_id) const {
  const auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

void StoreFeed::poll_now() {
  if (poller_) QMetaObject::invokeMethod(poller_, &StorePoller::poll, Qt::QueuedConnection);
}

void StoreFeed::apply(const StoreDelta& delta) {
  if (!poller_ || sender() != poller_) return;  // a delta from a store closed meanwhile
  const QString error = QString::fromStdString(delta.error);
  if (error != error_) {
    error_ = error;
    Q_EMIT error_changed(error_);
  }
  if (delta.runs_changed) {
    order_.clear();
    std::map<std::int64_t, RunData> kept;
    for (size_t i = 0; i < delta.runs.size(); ++i) {
      const auto& record = delta.runs[i];
      auto node = runs_.extract(record.id);
      RunData data = node ? std::move(node.mapped()) : RunData{};
      data.record = record;
      data.shown = delta.shown[i];
      kept.emplace(record.id, std::move(data));
    }
    runs_ = std::move(kept);
    for (const auto& record : delta.runs) order_.push_back(&runs_.at(record.id));
    pending_.runs = true;
  }
  for (const auto& series : delta.metrics) {
    const auto it = runs_.find(series.run_id);
    if (it == runs_.end()) continue;
    auto& points = it->second.metrics[series.key];
    points.insert(points.end(), series.points.begin(), series.points.end());
    pending_.metric_runs.insert(series.run_id);
  }
  for (const auto& cell : delta.cells) {
    const auto it = runs_.find(cell.run_id);
    if (it == runs_.end()) continue;
    it->second.cells.push_back(cell);
    pending_.cell_runs.insert(cell.run_id);
  }
  for (const auto& event : delta.events) {
    const auto it = runs_.find(event.run_id);
    if (it == runs_.end()) continue;
    auto& events = it->second.events;
    events.push_back(event);
    if (events.size() > kEventTail) events.pop_front();
    pending_.event_runs.insert(event.run_id);
  }
  if (pending_.oldest_poll_ms == 0) pending_.oldest_poll_ms = delta.polled_ms;
  if (!batch_timer_.isActive()) batch_timer_.start();
}

void StoreFeed::flush() {
  FeedChange change = std::move(pending_);
  pending_ = FeedChange{};
  if (!change.runs && change.metric_runs.isEmpty() && change.cell_runs.isEmpty() && change.event_runs.isEmpty()) return;
  Q_EMIT updated(change);
}

}  // namespace rw::ui

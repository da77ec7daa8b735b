#include "rw/ui/models/runs_model.h"

#include <QBrush>
#include <QDateTime>
#include <algorithm>

namespace rw::ui {

using rw::core::RunState;

QString state_text(const RunData& run) {
  const QString state = QString::fromUtf8(rw::core::to_string(run.shown).data());
  const std::int64_t step = run.last_step();
  if ((run.shown == RunState::Crashed || run.shown == RunState::Stopped || run.shown == RunState::Failed) && step > 0)
    return QObject::tr("%1 at step %2").arg(state).arg(step);
  return state;
}

RunsModel::RunsModel(const StoreFeed* feed, QObject* parent) : QAbstractTableModel(parent), feed_(feed) {
  for (const RunData* run : feed_->runs()) ids_.push_back(run->record.id);
  connect(feed_, &StoreFeed::updated, this, &RunsModel::on_feed_updated);
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(ids_.size());
}
int RunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

const RunData* RunsModel::run_at(int row) const {
  return row >= 0 && row < static_cast<int>(ids_.size()) ? feed_->run(ids_[static_cast<size_t>(row)]) : nullptr;
}

int RunsModel::row_of(std::int64_t run_id) const {
  const auto it = std::find(ids_.begin(), ids_.end(), run_id);
  return it == ids_.end() ? -1 : static_cast<int>(it - ids_.begin());
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const RunData* run = run_at(index.row());
  if (!run) return {};
  const auto& r = run->record;
  if (role == kRunIdRole) return QVariant::fromValue<qint64>(r.id);
  if (role == kShownStateRole) return static_cast<int>(run->shown);
  if (role == Qt::ForegroundRole && index.column() == State) {
    switch (run->shown) {
      case RunState::Running:
        return QBrush(QColor(0x1f, 0x77, 0xb4));
      case RunState::Finished:
        return QBrush(QColor(0x2c, 0xa0, 0x2c));
      case RunState::Failed:
      case RunState::Crashed:
        return QBrush(QColor(0xd6, 0x27, 0x28));
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && index.column() == Reason) return QString::fromStdString(r.failure_reason);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Name:
      return QStringLiteral("%1 #%2").arg(QString::fromStdString(r.name)).arg(r.id);
    case Kind:
      return QString::fromStdString(r.kind);
    case State:
      return state_text(*run);
    case Step:
      return run->last_step() > 0 ? QVariant::fromValue<qint64>(run->last_step()) : QVariant();
    case Started:
      return r.started_ms ? QDateTime::fromMSecsSinceEpoch(*r.started_ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                          : QVariant();
    case Reason:
      return QString::fromStdString(r.failure_reason).section(QLatin1Char('\n'), 0, 0);
    default:
      return {};
  }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Name:
      return tr("Run");
    case Kind:
      return tr("Kind");
    case State:
      return tr("State");
    case Step:
      return tr("Step");
    case Started:
      return tr("Started");
    case Reason:
      return tr("Reason");
    default:
      return {};
  }
}

void RunsModel::on_feed_updated(const FeedChange& change) {
  std::vector<std::int64_t> now;
  for (const RunData* run : feed_->runs()) now.push_back(run->record.id);
  if (now != ids_) {
    // New runs arrive at the top (newest first): insert them so selections below stay put.
    const size_t added = now.size() >= ids_.size() ? now.size() - ids_.size() : 0;
    if (added > 0 && std::equal(ids_.begin(), ids_.end(), now.begin() + static_cast<long>(added))) {
      beginInsertRows({}, 0, static_cast<int>(added) - 1);
      ids_ = std::move(now);
      endInsertRows();
    } else {
      beginResetModel();
      ids_ = std::move(now);
      endResetModel();
      return;
    }
  }
  if ((change.runs || !change.metric_runs.isEmpty()) && !ids_.empty())
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

}  // namespace rw::ui

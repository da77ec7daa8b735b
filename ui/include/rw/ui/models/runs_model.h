// RunsModel: the project's runs as a table (name, kind, state, step, started, reason) over the StoreFeed,
// newest first, with the live state a person needs: "crashed at step N" for a run whose process is gone.
// Rows are inserted and updated in place as the feed changes, so selection survives updates.
#pragma once
#include <QAbstractTableModel>
#include <vector>

#include "rw/ui/models/store_feed.h"

namespace rw::ui {

class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Name, Kind, State, Step, Started, Reason, ColumnCount };
  static constexpr int kRunIdRole = Qt::UserRole + 1;
  static constexpr int kShownStateRole = Qt::UserRole + 2;  // rw::core::RunState as int

  explicit RunsModel(const StoreFeed* feed, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// The run shown in `row`, or nullptr.
  const RunData* run_at(int row) const;
  /// The row of a run, or -1.
  int row_of(std::int64_t run_id) const;

 private:
  void on_feed_updated(const FeedChange& change);

  const StoreFeed* feed_;
  std::vector<std::int64_t> ids_;  // what the views were told, newest first
};

/// What the State column says: "running", "crashed at step 40", "failed: <reason>" is split over State and
/// Reason; a stale running run whose process is gone reads "crashed".
QString state_text(const RunData& run);

}  // namespace rw::ui

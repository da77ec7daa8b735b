// ChartsPage: the training runs to overlay (checkable list, the newest training run checked at first) and
// the chart controls (metric, x axis, log scale, smoothing) around one MetricChart.
#pragma once
#include <QWidget>

class QListWidget;

namespace rw::ui {

class MetricChart;
class ProjectSession;

class ChartsPage : public QWidget {
  Q_OBJECT
 public:
  explicit ChartsPage(ProjectSession* session, QWidget* parent = nullptr);
  MetricChart* chart() const { return chart_; }
  /// Checks exactly these runs.
  void show_runs(const QList<qint64>& run_ids);

 private:
  void refresh_runs();
  void apply_checks();

  ProjectSession* session_;
  QListWidget* runs_;
  MetricChart* chart_;
  bool user_checked_ = false;
};

}  // namespace rw::ui

// MetricChart: one training metric (loss, lr, grad norm, tokens/s, memory) of several runs, overlaid,
// against step or tokens seen, on a linear or log axis, with TensorBoard-style smoothing and the runs'
// stage boundaries as dashed lines. Redraws once per feed batch; each series is reduced per pixel column
// (series_math.h) so 100K points per run stay fluid.
#pragma once
#include <QChartView>
#include <QHash>
#include <QList>
#include <QString>

#include "rw/ui/models/store_feed.h"

class QAbstractAxis;
class QLineSeries;

namespace rw::ui {

enum class ChartXAxis { Step, TokensSeen };

class MetricChart : public QChartView {
  Q_OBJECT
 public:
  explicit MetricChart(const StoreFeed* feed, QWidget* parent = nullptr);

  void set_metric(const QString& key);
  void set_x_axis(ChartXAxis axis);
  void set_log_y(bool log);
  /// 0 = raw; otherwise the smoothed line is drawn over a faint raw one.
  void set_smoothing(double weight);
  void set_runs(const QList<qint64>& run_ids);

  const QString& metric() const { return metric_; }
  /// Points in the drawn (reduced) line of a run, 0 when it is not drawn (tests, benchmarks).
  qsizetype drawn_points(qint64 run_id) const;
  /// Redraws now (benchmarks); normally on feed batches and resizes.
  void redraw();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void on_feed_updated(const FeedChange& change);
  QList<QPointF> series_points(const RunData& run) const;

  const StoreFeed* feed_;
  QString metric_ = QStringLiteral("loss");
  ChartXAxis x_axis_ = ChartXAxis::Step;
  bool log_y_ = false;
  double smoothing_ = 0;
  QList<qint64> runs_;
  QHash<qint64, qsizetype> drawn_;
};

/// The metric keys the trainer writes, in the order the charts offer them, with their labels.
QList<QPair<QString, QString>> chart_metrics();

}  // namespace rw::ui

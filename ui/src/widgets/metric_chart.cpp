#include "rw/ui/widgets/metric_chart.h"

#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "rw/ui/charts/series_math.h"

namespace rw::ui {

namespace {

// A fixed palette so a run keeps its colour between charts (Tableau 10).
QColor run_colour(qint64 run_id) {
  static const QColor palette[] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                   0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
  return palette[static_cast<size_t>(run_id) % std::size(palette)];
}

// x of each step: the step itself, or the tokens seen by then (both series are written at every step).
std::vector<double> x_values(const RunData& run, const std::vector<rw::core::MetricPoint>& points, ChartXAxis axis) {
  std::vector<double> xs;
  xs.reserve(points.size());
  const auto tokens = run.metrics.find("tokens_seen");
  for (const auto& p : points) {
    if (axis == ChartXAxis::Step || tokens == run.metrics.end()) {
      xs.push_back(static_cast<double>(p.step));
      continue;
    }
    const auto& t = tokens->second;
    const auto it = std::lower_bound(t.begin(), t.end(), p.step,
                                     [](const rw::core::MetricPoint& m, std::int64_t s) { return m.step < s; });
    xs.push_back(it != t.end() && it->step == p.step ? it->value : std::numeric_limits<double>::quiet_NaN());
  }
  return xs;
}

}  // namespace

QList<QPair<QString, QString>> chart_metrics() {
  return {{QStringLiteral("loss"), QStringLiteral("Loss")},
          {QStringLiteral("lr"), QStringLiteral("Learning rate")},
          {QStringLiteral("grad_norm"), QStringLiteral("Gradient norm")},
          {QStringLiteral("tokens_per_s"), QStringLiteral("Tokens / s")},
          {QStringLiteral("peak_memory_mb"), QStringLiteral("Peak memory (MB)")},
          {QStringLiteral("seq_len"), QStringLiteral("Sequence length")}};
}

MetricChart::MetricChart(const StoreFeed* feed, QWidget* parent) : QChartView(parent), feed_(feed) {
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::NoRubberBand);
  chart()->legend()->setAlignment(Qt::AlignBottom);
  chart()->setMargins(QMargins(4, 4, 4, 4));
  connect(feed_, &StoreFeed::updated, this, &MetricChart::on_feed_updated);
  redraw();
}

void MetricChart::set_metric(const QString& key) {
  metric_ = key;
  redraw();
}
void MetricChart::set_x_axis(ChartXAxis axis) {
  x_axis_ = axis;
  redraw();
}
void MetricChart::set_log_y(bool log) {
  log_y_ = log;
  redraw();
}
void MetricChart::set_smoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, 0.999);
  redraw();
}
void MetricChart::set_runs(const QList<qint64>& run_ids) {
  runs_ = run_ids;
  redraw();
}

qsizetype MetricChart::drawn_points(qint64 run_id) const { return drawn_.value(run_id, 0); }

void MetricChart::on_feed_updated(const FeedChange& change) {
  bool mine = change.runs;
  for (qint64 id : runs_) mine = mine || change.metric_runs.contains(id);
  if (mine) redraw();
}

void MetricChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  redraw();
}

QList<QPointF> MetricChart::series_points(const RunData& run) const {
  QList<QPointF> out;
  const auto it = run.metrics.find(metric_.toStdString());
  if (it == run.metrics.end()) return out;
  const auto xs = x_values(run, it->second, x_axis_);
  out.reserve(static_cast<qsizetype>(it->second.size()));
  for (size_t i = 0; i < xs.size(); ++i) {
    const double y = it->second[i].is_nan ? std::numeric_limits<double>::quiet_NaN() : it->second[i].value;
    if (!std::isfinite(xs[i]) || (log_y_ && !(y > 0))) continue;  // a log axis cannot show y <= 0
    out.append(QPointF(xs[i], y));
  }
  return out;
}

void MetricChart::redraw() {
  QChart* c = chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  drawn_.clear();
  // Full series first, to know the ranges; then each is reduced to the plot's pixel columns.
  struct Line {
    qint64 id;
    QString name;
    QList<QPointF> points;
    std::vector<double> stage_starts;
  };
  std::vector<Line> lines;
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  for (qint64 id : runs_) {
    const RunData* run = feed_->run(id);
    if (!run) continue;
    Line line{
        id, QStringLiteral("%1 #%2").arg(QString::fromStdString(run->record.name)).arg(id), series_points(*run), {}};
    if (line.points.isEmpty()) continue;
    x_min = std::min(x_min, line.points.front().x());
    x_max = std::max(x_max, line.points.back().x());
    for (const auto& p : line.points) {
      if (!std::isfinite(p.y())) continue;
      y_min = std::min(y_min, p.y());
      y_max = std::max(y_max, p.y());
    }
    if (const auto stage = run->metrics.find("stage"); stage != run->metrics.end()) {
      const auto xs = x_values(*run, stage->second, x_axis_);
      for (size_t i = 1; i < stage->second.size(); ++i)
        if (stage->second[i].value != stage->second[i - 1].value && std::isfinite(xs[i]))
          line.stage_starts.push_back(xs[i]);
    }
    lines.push_back(std::move(line));
  }
  c->setTitle(QString());
  for (const auto& [key, label] : chart_metrics())
    if (key == metric_) c->setTitle(label);
  if (lines.empty()) {
    c->setTitle(runs_.isEmpty() ? tr("Pick a run to chart") : tr("No %1 recorded yet").arg(metric_));
    return;
  }
  if (x_max <= x_min) x_max = x_min + 1;
  if (!(y_max > y_min)) {
    const double pad = std::max(std::abs(y_min) * 0.05, 1e-9);
    y_min -= pad;
    y_max += pad;
  }

  auto* x_axis = new QValueAxis;
  x_axis->setTitleText(x_axis_ == ChartXAxis::Step ? tr("Step") : tr("Tokens seen"));
  x_axis->setRange(x_min, x_max);
  x_axis->applyNiceNumbers();  // ticks at round steps (0, 100, 200 rather than 1, 101, 201)
  x_axis->setLabelFormat(x_axis_ == ChartXAxis::Step ? QStringLiteral("%.0f") : QStringLiteral("%.3g"));
  QAbstractAxis* y_axis = nullptr;
  if (log_y_) {
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    axis->setLabelFormat(QStringLiteral("%.3g"));
    axis->setRange(y_min, y_max);
    y_axis = axis;
  } else {
    auto* axis = new QValueAxis;
    axis->setLabelFormat(QStringLiteral("%.4g"));
    axis->setRange(y_min, y_max);
    axis->applyNiceNumbers();
    y_axis = axis;
  }
  c->addAxis(x_axis, Qt::AlignBottom);
  c->addAxis(y_axis, Qt::AlignLeft);

  const int columns = std::max(64, static_cast<int>(c->plotArea().width()));
  const auto add = [&](QList<QPointF> points, const QPen& pen, const QString& name) {
    auto* series = new QLineSeries;
    series->setPen(pen);
    series->setName(name);
    series->replace(points);
    c->addSeries(series);
    series->attachAxis(x_axis);
    series->attachAxis(y_axis);
    return series;
  };
  for (const auto& line : lines) {
    const QColor colour = run_colour(line.id);
    QList<QPointF> shown = decimate_min_max(line.points, x_min, x_max, columns);
    if (smoothing_ > 0) {
      QColor faint = colour;
      faint.setAlphaF(0.25);
      auto* raw = add(shown, QPen(faint, 1), QString());
      c->legend()->markers(raw).front()->setVisible(false);
      shown = decimate_min_max(ema_smooth(line.points, smoothing_), x_min, x_max, columns);
    }
    drawn_[line.id] = shown.size();
    add(std::move(shown), QPen(colour, 1.6), line.name);
    for (double x : line.stage_starts) {
      QPen pen(colour, 1, Qt::DashLine);
      auto* boundary = add({QPointF(x, y_min), QPointF(x, y_max)}, pen, QString());
      c->legend()->markers(boundary).front()->setVisible(false);
    }
  }
}

}  // namespace rw::ui

#include "rw/ui/widgets/perplexity_chart.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace rw::ui {

PerplexityChart::PerplexityChart(QWidget* parent) : QWidget(parent), chart_(new QChartView) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  chart_->setRenderHint(QPainter::Antialiasing);
  layout->addWidget(chart_);
}

void PerplexityChart::set_cells(const std::vector<rw::core::EvalCell>& cells, std::int64_t step, const QString& title) {
  std::map<std::int64_t, Line> by_length;
  for (const auto& c : cells) {
    if (c.checkpoint_step != step) continue;
    Line& line = by_length[c.length];
    line.length = c.length;
    if (c.task == "ppl/nll_by_position") line.points.emplace_back(c.depth * static_cast<double>(c.length), c.score);
    if (c.task == "ppl/mean_nll") line.ppl = std::exp(c.score);
  }
  lines_.clear();
  for (auto& [length, line] : by_length) {
    if (line.points.empty()) continue;
    if (line.ppl == 0) line.ppl = std::numeric_limits<double>::quiet_NaN();
    std::sort(line.points.begin(), line.points.end());
    lines_.push_back(std::move(line));
  }

  auto* chart = new QChart;
  chart->setTitle(tr("%1: perplexity by position at step %2").arg(title).arg(step));
  auto* x = new QValueAxis;
  x->setTitleText(tr("Position in the sequence (tokens)"));
  x->setLabelFormat(QStringLiteral("%d"));
  auto* y = new QValueAxis;
  y->setTitleText(tr("Mean NLL (nats)"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  double max_x = 1, min_y = std::numeric_limits<double>::infinity(), max_y = -min_y;
  for (const Line& line : lines_) {
    auto* series = new QLineSeries;
    series->setName(std::isnan(line.ppl) ? tr("%1 tokens").arg(line.length)
                                         : tr("%1 tokens (ppl %2)").arg(line.length).arg(line.ppl, 0, 'f', 2));
    for (const auto& [pos, nll] : line.points) {
      series->append(pos, nll);
      max_x = std::max(max_x, pos);
      min_y = std::min(min_y, nll);
      max_y = std::max(max_y, nll);
    }
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
  }
  x->setRange(0, max_x);
  if (min_y <= max_y) y->setRange(std::max(0.0, min_y - 0.1 * (max_y - min_y + 1e-9)), max_y + 0.1 * (max_y - min_y + 1e-9));
  QChart* old = chart_->chart();
  chart_->setChart(chart);
  delete old;
}

}  // namespace rw::ui

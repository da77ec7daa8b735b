// PerplexityChart: perplexity by position — mean NLL (nats) per bucket of positions against the position,
// one line per evaluated context length, at one checkpoint (eval cells of task "ppl/nll_by_position": depth =
// bucket start / length, score = the bucket's mean NLL; "ppl/mean_nll" gives each line's overall perplexity).
// A model that uses its long context keeps the line falling or flat past its trained length; one that does
// not turns up there.
#pragma once
#include <QWidget>
#include <vector>

#include "rw/core/store/run_store.h"

class QChartView;
class QLabel;

namespace rw::ui {

class PerplexityChart : public QWidget {
  Q_OBJECT
 public:
  explicit PerplexityChart(QWidget* parent = nullptr);

  /// Draws the perplexity cells of one checkpoint (others are ignored); `title` names the run.
  void set_cells(const std::vector<rw::core::EvalCell>& cells, std::int64_t step, const QString& title);
  /// The lines drawn: one per length, as (position, NLL) points in order.
  struct Line {
    std::int64_t length = 0;
    double ppl = 0;  ///< exp(mean NLL) over the whole length; NaN without a ppl/mean_nll cell
    std::vector<std::pair<double, double>> points;
  };
  const std::vector<Line>& lines() const { return lines_; }
  QChartView* chart() const { return chart_; }

 private:
  std::vector<Line> lines_;
  QChartView* chart_;
};

}  // namespace rw::ui

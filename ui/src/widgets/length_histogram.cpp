#include "rw/ui/widgets/length_histogram.h"

#include <QPainter>
#include <algorithm>

#include "rw/core/heatmap/heatmap_data.h"

namespace rw::ui {

LengthHistogram::LengthHistogram(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(110);
  setToolTip(tr("Samples by length in tokens; dashed lines: the target lengths"));
}

void LengthHistogram::set_lengths(const std::vector<std::int64_t>& lengths, std::vector<std::int64_t> targets) {
  targets_ = std::move(targets);
  std::int64_t most = 1;
  for (const auto n : lengths) most = std::max(most, n);
  for (const auto t : targets_) most = std::max(most, t);
  // Room past the longest so a target line never sits on the right edge.
  bin_width_ = std::max<std::int64_t>(1, (most + most / 20 + kBins) / kBins);
  bins_.assign(kBins, 0);
  for (const auto n : lengths) ++bins_[static_cast<size_t>(std::clamp<std::int64_t>(n / bin_width_, 0, kBins - 1))];
  update();
}

void LengthHistogram::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  const QRectF plot = QRectF(rect()).adjusted(34, 6, -8, -18);
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(plot);
  if (bins_.empty()) return;
  const std::int64_t tallest = std::max<std::int64_t>(1, *std::max_element(bins_.begin(), bins_.end()));
  const double w = plot.width() / kBins;
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(0x1f, 0x77, 0xb4));
  for (int i = 0; i < kBins; ++i) {
    const double h = plot.height() * static_cast<double>(bins_[static_cast<size_t>(i)]) / static_cast<double>(tallest);
    if (h > 0) p.drawRect(QRectF(plot.left() + i * w + 0.5, plot.bottom() - h, std::max(1.0, w - 1), h));
  }
  const double span = static_cast<double>(bin_width_) * kBins;
  p.setPen(QPen(QColor(0xd6, 0x27, 0x28), 1.5, Qt::DashLine));
  for (const auto t : targets_) {
    const double x = plot.left() + plot.width() * static_cast<double>(t) / span;
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
  }
  p.setPen(palette().color(QPalette::Text));
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  p.setFont(small);
  p.drawText(QRectF(0, plot.top() - 4, 30, 14), Qt::AlignRight, QString::number(tallest));
  p.drawText(QRectF(0, plot.bottom() - 10, 30, 14), Qt::AlignRight, QStringLiteral("0"));
  for (int k = 0; k <= 4; ++k) {
    const double x = plot.left() + plot.width() * k / 4;
    const auto tokens = static_cast<std::int64_t>(span * k / 4);
    p.drawText(QRectF(x - 40, plot.bottom() + 2, 80, 14), Qt::AlignHCenter,
               QString::fromStdString(rw::core::format_context_length(tokens)));
  }
}

}  // namespace rw::ui

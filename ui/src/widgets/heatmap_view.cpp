#include "rw/ui/widgets/heatmap_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <cmath>

namespace rw::ui {

namespace {
constexpr int kLeft = 64;    // depth labels and the axis title
constexpr int kBottom = 44;  // length labels and the axis title
constexpr int kTop = 30;     // title
constexpr int kRight = 70;   // colour bar
constexpr int kBarWidth = 14;
}  // namespace

QColor to_qcolor(rw::core::Rgb8 rgb) { return QColor(rgb.r, rgb.g, rgb.b); }

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void HeatmapView::set_data(std::optional<rw::core::HeatmapData> data, const QString& empty_text) {
  data_ = std::move(data);
  empty_text_ = empty_text;
  update();
}

QRect HeatmapView::grid_rect() const {
  return QRect(kLeft, kTop, std::max(1, width() - kLeft - kRight), std::max(1, height() - kTop - kBottom));
}

QRect HeatmapView::entry_rect(size_t row, size_t col) const {
  if (!data_ || data_->lengths.empty() || data_->depths.empty()) return {};
  const QRect g = grid_rect();
  const double w = static_cast<double>(g.width()) / static_cast<double>(data_->lengths.size());
  const double h = static_cast<double>(g.height()) / static_cast<double>(data_->depths.size());
  const int x0 = g.left() + static_cast<int>(std::lround(w * static_cast<double>(col)));
  const int x1 = g.left() + static_cast<int>(std::lround(w * static_cast<double>(col + 1)));
  const int y0 = g.top() + static_cast<int>(std::lround(h * static_cast<double>(row)));
  const int y1 = g.top() + static_cast<int>(std::lround(h * static_cast<double>(row + 1)));
  return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

std::optional<std::pair<size_t, size_t>> HeatmapView::entry_at(QPoint pos) const {
  if (!data_ || data_->lengths.empty() || data_->depths.empty()) return std::nullopt;
  const QRect g = grid_rect();
  if (!g.contains(pos)) return std::nullopt;
  const auto col = static_cast<size_t>((pos.x() - g.left()) * static_cast<double>(data_->lengths.size()) / g.width());
  const auto row = static_cast<size_t>((pos.y() - g.top()) * static_cast<double>(data_->depths.size()) / g.height());
  return std::pair{std::min(row, data_->depths.size() - 1), std::min(col, data_->lengths.size() - 1)};
}

QString HeatmapView::entry_text(size_t row, size_t col) const {
  if (!data_) return {};
  const auto length = QString::fromStdString(rw::core::format_context_length(data_->lengths[col]));
  const auto depth = QString::number(data_->depths[row] * 100, 'g', 4);
  if (!data_->present(row, col)) return tr("%1 tokens, depth %2%: not scored yet").arg(length, depth);
  const auto count = data_->counts[row * data_->lengths.size() + col];
  if (!data_->baseline.empty()) {
    return tr("%1 tokens, depth %2%: change %3 against %4")
        .arg(length, depth, QString::asprintf("%+.2f", data_->mean(row, col)), QString::fromStdString(data_->baseline));
  }
  return tr("%1 tokens, depth %2%: score %3 (%4 %5)")
      .arg(length, depth, QString::number(data_->mean(row, col), 'f', 2), QString::number(count),
           count == 1 ? tr("trial") : tr("trials"));
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, false);
  if (!data_ || data_->lengths.empty() || data_->depths.empty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, empty_text_);
    return;
  }
  const auto& d = *data_;
  const QColor missing = to_qcolor(rw::core::kHeatmapMissingColor);
  for (size_t row = 0; row < d.depths.size(); ++row) {
    for (size_t col = 0; col < d.lengths.size(); ++col) {
      const QRect r = entry_rect(row, col);
      if (d.present(row, col)) {
        p.fillRect(r, to_qcolor(rw::core::heatmap_color(d, d.mean(row, col))));
      } else {
        p.fillRect(r, missing);
        p.fillRect(r, QBrush(QColor(0xB0, 0xB0, 0xB0), Qt::BDiagPattern));
      }
    }
  }
  // Thin white lines between entries, as in the reference pictures.
  p.setPen(QPen(Qt::white, 1));
  for (size_t col = 1; col < d.lengths.size(); ++col) {
    const int x = entry_rect(0, col).left();
    p.drawLine(x, grid_rect().top(), x, grid_rect().bottom());
  }
  for (size_t row = 1; row < d.depths.size(); ++row) {
    const int y = entry_rect(row, 0).top();
    p.drawLine(grid_rect().left(), y, grid_rect().right(), y);
  }

  const QColor text = palette().color(QPalette::Text);
  p.setPen(text);
  const QFontMetrics fm(font());
  // Axis labels: every length, and depths thinned to what fits.
  for (size_t col = 0; col < d.lengths.size(); ++col) {
    const QRect r = entry_rect(0, col);
    const auto label = QString::fromStdString(rw::core::format_context_length(d.lengths[col]));
    if (fm.horizontalAdvance(label) + 4 > r.width() && col % 2 == 1) continue;
    p.drawText(QRect(r.left() - 20, grid_rect().bottom() + 4, r.width() + 40, fm.height()), Qt::AlignHCenter, label);
  }
  const size_t depth_step = std::max<size_t>(
      1, static_cast<size_t>(fm.height() * 1.2 * static_cast<double>(d.depths.size()) / grid_rect().height()) + 1);
  for (size_t row = 0; row < d.depths.size(); row += depth_step) {
    const QRect r = entry_rect(row, 0);
    p.drawText(QRect(0, r.top(), kLeft - 6, r.height()), Qt::AlignRight | Qt::AlignVCenter,
               QString::number(d.depths[row] * 100, 'g', 3) + QLatin1Char('%'));
  }
  const QString tokenizer =
      d.tokenizer.empty() ? QString() : QStringLiteral(", %1").arg(QString::fromStdString(d.tokenizer));
  p.drawText(QRect(kLeft, height() - fm.height() - 2, grid_rect().width(), fm.height()), Qt::AlignHCenter,
             tr("Context length (tokens%1)").arg(tokenizer));
  p.save();
  p.translate(12, grid_rect().center().y());
  p.rotate(-90);
  p.drawText(QRect(-grid_rect().height() / 2, -fm.height() / 2, grid_rect().height(), fm.height()), Qt::AlignCenter,
             tr("Depth"));
  p.restore();

  // Title: what, which step, the average and how much is still missing.
  const size_t entries = d.lengths.size() * d.depths.size();
  const size_t absent = d.missing().size();
  const QString average = std::isnan(d.average) ? QStringLiteral("-")
                          : d.baseline.empty()    ? QString::number(d.average, 'f', 2)
                                                  : QString::asprintf("%+.2f", d.average);
  QString title = d.baseline.empty() ? tr("%1 at step %2: average %3")
                                           .arg(QString::fromStdString(d.task))
                                           .arg(d.checkpoint_step)
                                           .arg(average)
                                     : tr("%1 at step %2 against %3: average change %4")
                                           .arg(QString::fromStdString(d.task))
                                           .arg(d.checkpoint_step)
                                           .arg(QString::fromStdString(d.baseline), average);
  if (absent > 0) title += tr(" (%1 of %2 not scored yet)").arg(absent).arg(entries);
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.drawText(QRect(kLeft, 4, grid_rect().width(), kTop - 6), Qt::AlignHCenter | Qt::AlignVCenter, title);
  p.setFont(font());

  // Colour bar, 0 at the bottom.
  const QRect bar(grid_rect().right() + 14, grid_rect().top(), kBarWidth, grid_rect().height());
  const rw::core::HeatmapScale scale = rw::core::heatmap_scale(d);
  const auto fraction = [&](double value) { return (value - scale.low) / (scale.high - scale.low); };
  for (int y = 0; y < bar.height(); ++y) {
    const double t = 1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1);
    p.setPen(to_qcolor(rw::core::heatmap_color(d, scale.low + t * (scale.high - scale.low))));
    p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
  }
  p.setPen(text);
  for (const auto& [value, label] : scale.ticks) {
    const int y = bar.bottom() - static_cast<int>(std::lround(fraction(value) * (bar.height() - 1)));
    p.drawText(QRect(bar.right() + 4, y - fm.height() / 2, 40, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromStdString(label));
  }
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
  const auto entry = entry_at(event->position().toPoint());
  if (!entry) {
    QToolTip::hideText();
    return;
  }
  QToolTip::showText(event->globalPosition().toPoint(), entry_text(entry->first, entry->second), this,
                     entry_rect(entry->first, entry->second));
}

void HeatmapView::mousePressEvent(QMouseEvent* event) {
  const auto entry = entry_at(event->position().toPoint());
  if (entry && event->button() == Qt::LeftButton)
    Q_EMIT entry_clicked(data_->lengths[entry->second], data_->depths[entry->first]);
}

}  // namespace rw::ui

#include "rw/ui/widgets/sample_minimap.h"

#include <QMouseEvent>
#include <QPainter>

namespace rw::ui {

namespace {
constexpr int kMargin = 2;
constexpr int kBarWidth = 22;
QString base_tip() { return QObject::tr("The whole sample: where each part sits along its length. Click to go there."); }
}  // namespace

SampleMinimap::SampleMinimap(QWidget* parent) : QWidget(parent) {
  setMinimumWidth(46);
  setMaximumWidth(60);
  setCursor(Qt::PointingHandCursor);
  setToolTip(base_tip());
}

void SampleMinimap::set_layout(int length, std::vector<Band> bands, std::vector<int> marks) {
  length_ = length;
  bands_ = std::move(bands);
  marks_ = std::move(marks);
  update();
}

void SampleMinimap::set_bracket(std::optional<Bracket> bracket) {
  bracket_ = std::move(bracket);
  // The bar is too narrow for the distance: it is in the tooltip.
  setToolTip(bracket_ && !bracket_->label.isEmpty() ? base_tip() + tr("\nRed bracket: from the needle to the question, %1.").arg(bracket_->label)
                                                    : base_tip());
  update();
}

void SampleMinimap::set_visible_range(int begin, int end) {
  visible_begin_ = begin;
  visible_end_ = end;
  update();
}

double SampleMinimap::y_of(int position) const {
  const double h = height() - 2 * kMargin;
  return kMargin + (length_ > 0 ? h * position / length_ : 0.0);
}

int SampleMinimap::position_at(double y) const {
  const double h = std::max(1, height() - 2 * kMargin);
  return static_cast<int>(std::clamp((y - kMargin) / h, 0.0, 1.0) * length_);
}

void SampleMinimap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRectF bar(kMargin, kMargin, kBarWidth, height() - 2 * kMargin);
  p.fillRect(bar, QColor(0xf4, 0xf4, 0xf4));
  if (length_ <= 0) return;
  // Bands thinner than a pixel still show: each covers at least one pixel row.
  for (const Band& b : bands_) {
    const double top = y_of(b.begin);
    p.fillRect(QRectF(bar.left(), top, bar.width(), std::max(1.0, y_of(b.end) - top)), b.colour);
  }
  p.setPen(QColor(0x40, 0x40, 0x40));
  for (const int m : marks_) p.drawLine(QPointF(bar.left(), y_of(m)), QPointF(bar.right() + 3, y_of(m)));
  if (bracket_) {
    const double a = y_of(bracket_->from), b = y_of(bracket_->to);
    const double x = bar.right() + 6;
    p.setPen(QPen(QColor(0xd6, 0x27, 0x28), 2));
    p.drawLine(QPointF(bar.right(), a), QPointF(x, a));
    p.drawLine(QPointF(x, a), QPointF(x, b));
    p.drawLine(QPointF(x, b), QPointF(bar.right(), b));
  }
  if (visible_end_ > visible_begin_) {
    p.setPen(QPen(QColor(0, 0, 0, 160), 1.5));
    p.setBrush(QColor(0, 0, 0, 28));
    const double top = y_of(visible_begin_);
    p.drawRect(QRectF(bar.left() - 1, top, bar.width() + 2, std::max(3.0, y_of(visible_end_) - top)));
  }
}

void SampleMinimap::mousePressEvent(QMouseEvent* event) { Q_EMIT jump(position_at(event->position().y())); }

void SampleMinimap::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) Q_EMIT jump(position_at(event->position().y()));
}

}  // namespace rw::ui

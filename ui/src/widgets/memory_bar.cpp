#include "rw/ui/widgets/memory_bar.h"

#include <QLocale>
#include <QPainter>
#include <array>

namespace rw::ui {
namespace {

struct Part {
  const char* name;
  std::int64_t rw::core::TrainingMemory::* bytes;
  QColor colour;
};

// The tab10 colours the charts use, one per part.
const std::array<Part, 5> kParts = {{{"weights", &rw::core::TrainingMemory::weights, QColor(0x1f, 0x77, 0xb4)},
                                     {"gradients", &rw::core::TrainingMemory::gradients, QColor(0xff, 0x7f, 0x0e)},
                                     {"optimizer", &rw::core::TrainingMemory::optimizer, QColor(0x2c, 0xa0, 0x2c)},
                                     {"activations", &rw::core::TrainingMemory::activations, QColor(0x94, 0x67, 0xbd)},
                                     {"logits", &rw::core::TrainingMemory::logits, QColor(0x8c, 0x56, 0x4b)}}};

}  // namespace

QString format_bytes(std::int64_t bytes) {
  return QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

MemoryBar::MemoryBar(QWidget* parent) : QWidget(parent) { setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed); }

void MemoryBar::set_estimate(std::optional<rw::core::TrainingMemory> memory, std::optional<std::int64_t> limit,
                             const QString& empty_text) {
  memory_ = memory;
  limit_ = limit;
  empty_text_ = empty_text;
  setToolTip(summary());
  update();
}

QString MemoryBar::summary() const {
  if (!memory_) return empty_text_;
  QStringList parts;
  for (const Part& part : kParts) parts << QStringLiteral("%1 %2").arg(QLatin1String(part.name), format_bytes((*memory_).*part.bytes));
  QString text = tr("about %1 per training step: %2").arg(format_bytes(memory_->total()), parts.join(QStringLiteral(", ")));
  if (limit_) {
    text += memory_->total() > *limit_ ? tr("; more than the %1 available").arg(format_bytes(*limit_))
                                       : tr("; %1 available").arg(format_bytes(*limit_));
  }
  return text;
}

void MemoryBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, false);
  const QRect bar(0, 4, width() - 1, 22);
  if (!memory_) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, empty_text_);
    return;
  }
  const double total = static_cast<double>(memory_->total());
  // The bar is the total; a limit it exceeds is drawn inside it, so the overshoot shows (a limit far above
  // the total would shrink the bar to a sliver, and the summary says it fits).
  const double scale_max = total;
  double x = bar.left();
  int legend_x = 0;
  const int legend_y = bar.bottom() + 8;
  for (const Part& part : kParts) {
    const double bytes = static_cast<double>((*memory_).*part.bytes);
    const double w = scale_max > 0 ? bytes / scale_max * bar.width() : 0;
    p.fillRect(QRectF(x, bar.top(), w, bar.height()), part.colour);
    x += w;
    p.fillRect(legend_x, legend_y + 3, 10, 10, part.colour);
    const QString label = QStringLiteral("%1 %2").arg(QLatin1String(part.name), format_bytes(static_cast<std::int64_t>(bytes)));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(legend_x + 14, legend_y + 12, label);
    legend_x += 20 + fontMetrics().horizontalAdvance(label);
  }
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(bar);
  if (limit_ && *limit_ < memory_->total() && scale_max > 0) {
    const int lx = bar.left() + static_cast<int>(static_cast<double>(*limit_) / scale_max * bar.width());
    p.setPen(QPen(QColor(0xd6, 0x27, 0x28), 2));
    p.drawLine(lx, bar.top() - 3, lx, bar.bottom() + 3);
  }
  p.setPen(palette().color(QPalette::WindowText));
  QString total_text = tr("total %1").arg(format_bytes(memory_->total()));
  if (limit_) {
    total_text += *limit_ < memory_->total() ? tr(", more than the %1 available").arg(format_bytes(*limit_))
                                             : tr(" of %1").arg(format_bytes(*limit_));
  }
  p.drawText(QRect(bar.left() + 6, bar.top(), bar.width() - 12, bar.height()), Qt::AlignRight | Qt::AlignVCenter,
             total_text);
}

}  // namespace rw::ui

#include "rw/ui/charts/series_math.h"

#include <algorithm>
#include <cmath>

namespace rw::ui {

QList<QPointF> ema_smooth(std::span<const QPointF> points, double weight) {
  QList<QPointF> out(points.begin(), points.end());
  if (weight <= 0) return out;
  weight = std::min(weight, 0.999);
  double average = 0;
  double debias = 0;
  for (auto& p : out) {
    if (!std::isfinite(p.y())) continue;
    average = average * weight + (1 - weight) * p.y();
    debias = debias * weight + (1 - weight);
    p.setY(average / debias);
  }
  return out;
}

QList<QPointF> decimate_min_max(std::span<const QPointF> points, double x_min, double x_max, int columns) {
  QList<QPointF> out;
  if (points.empty() || columns <= 0 || !(x_max >= x_min)) return out;
  const auto less_x = [](const QPointF& p, double x) { return p.x() < x; };
  auto begin = std::lower_bound(points.begin(), points.end(), x_min, less_x);
  auto end =
      std::upper_bound(points.begin(), points.end(), x_max, [](double x, const QPointF& p) { return x < p.x(); });
  // The nearest finite point outside the range on each side keeps the line running to the edge.
  for (auto it = begin; it != points.begin();) {
    --it;
    if (std::isfinite(it->y())) {
      out.append(*it);
      break;
    }
  }
  const double width = std::max(x_max - x_min, 1e-300);
  size_t slice_begin = out.size();
  long column = -1;
  QPointF first, low, high, last;
  const auto close_column = [&] {
    if (column < 0) return;
    // first, then min and max in the order they occur, then last; repeats removed.
    QPointF mid[2] = {low, high};
    if (mid[0].x() > mid[1].x()) std::swap(mid[0], mid[1]);
    for (const QPointF& p : {first, mid[0], mid[1], last}) {
      if (out.size() > static_cast<qsizetype>(slice_begin) && out.back() == p) continue;
      out.append(p);
    }
    slice_begin = out.size();
  };
  for (auto it = begin; it != end; ++it) {
    if (!std::isfinite(it->y())) continue;
    const long c = std::min<long>(columns - 1, static_cast<long>((it->x() - x_min) / width * columns));
    if (c != column) {
      close_column();
      column = c;
      first = low = high = last = *it;
      continue;
    }
    if (it->y() < low.y()) low = *it;
    if (it->y() > high.y()) high = *it;
    last = *it;
  }
  close_column();
  for (auto it = end; it != points.end(); ++it) {
    if (std::isfinite(it->y())) {
      out.append(*it);
      break;
    }
  }
  return out;
}

}  // namespace rw::ui

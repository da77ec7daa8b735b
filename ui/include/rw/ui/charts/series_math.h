// What the charts do to a metric series before drawing it: TensorBoard's smoothing, and a per-pixel-column
// reduction that keeps every extreme, so a 100K-point series draws as a few thousand points and looks the
// same. The data itself is never thinned (store_feed.h keeps every point).
#pragma once
#include <QList>
#include <QPointF>
#include <span>

namespace rw::ui {

/// TensorBoard's smoothing: an exponential moving average with `weight` in [0, 1) whose start-up bias is
/// divided out, so the first points are not pulled towards 0. weight 0 returns `points`. Non-finite values
/// are passed through and do not enter the average.
QList<QPointF> ema_smooth(std::span<const QPointF> points, double weight);

/// For each of `columns` equal slices of [x_min, x_max], the first, lowest, highest and last point of the
/// slice, in x order (M4 reduction: the drawn line touches the same pixels as the full series). Points
/// outside the range are dropped except the nearest one on each side, so the line reaches the plot edge.
/// Non-finite y values are dropped. Input must be ascending in x.
QList<QPointF> decimate_min_max(std::span<const QPointF> points, double x_min, double x_max, int columns);

}  // namespace rw::ui

// charts/series_math: TensorBoard smoothing (values checked by hand) and the per-pixel-column reduction
// (every column's extremes kept, checked against a brute-force pass over 100K points).
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "rw/ui/charts/series_math.h"

using rw::ui::decimate_min_max;
using rw::ui::ema_smooth;

class TestSeriesMath : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void smoothingIsDebiased() {
    const QList<QPointF> raw = {{1, 1.0}, {2, 0.0}, {3, 0.0}};
    QCOMPARE(ema_smooth(raw, 0), raw);
    const auto s = ema_smooth(raw, 0.5);
    QCOMPARE(s[0].y(), 1.0);                          // no pull towards 0 at the start
    QVERIFY(std::abs(s[1].y() - 1.0 / 3.0) < 1e-12);  // (0.25) / (0.75)
    QVERIFY(std::abs(s[2].y() - 1.0 / 7.0) < 1e-12);  // (0.125) / (0.875)
    QCOMPARE(s[2].x(), 3.0);
    const QList<QPointF> flat = {{1, 2.5}, {2, 2.5}, {3, 2.5}, {4, 2.5}};
    for (const auto& p : ema_smooth(flat, 0.9)) QVERIFY(std::abs(p.y() - 2.5) < 1e-12);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto with_nan = ema_smooth(QList<QPointF>{{1, 1.0}, {2, nan}, {3, 1.0}}, 0.6);
    QVERIFY(std::isnan(with_nan[1].y()));
    QVERIFY(std::abs(with_nan[2].y() - 1.0) < 1e-12);  // the NaN did not enter the average
  }

  void reductionKeepsEveryColumnsExtremes() {
    std::mt19937 rng(7);
    std::normal_distribution<double> step(0, 1);
    QList<QPointF> points;
    double y = 0;
    for (int i = 0; i < 100'000; ++i) points.append({static_cast<double>(i), y += step(rng)});
    const int columns = 800;
    const auto out = decimate_min_max(points, 0, 99'999, columns);
    QVERIFY2(out.size() <= 4 * columns, qPrintable(QString::number(out.size())));
    QVERIFY(out.size() >= 2 * columns);
    QCOMPARE(out.front(), points.front());
    QCOMPARE(out.back(), points.back());
    for (qsizetype i = 1; i < out.size(); ++i) QVERIFY(out[i].x() > out[i - 1].x());
    // Brute force: each column's min and max appear in the output.
    std::vector<double> lo(columns, 1e300), hi(columns, -1e300);
    for (const auto& p : points) {
      const int c = std::min(columns - 1, static_cast<int>(p.x() / 99'999 * columns));
      lo[static_cast<size_t>(c)] = std::min(lo[static_cast<size_t>(c)], p.y());
      hi[static_cast<size_t>(c)] = std::max(hi[static_cast<size_t>(c)], p.y());
    }
    std::vector<double> out_lo(columns, 1e300), out_hi(columns, -1e300);
    for (const auto& p : out) {
      const int c = std::min(columns - 1, static_cast<int>(p.x() / 99'999 * columns));
      out_lo[static_cast<size_t>(c)] = std::min(out_lo[static_cast<size_t>(c)], p.y());
      out_hi[static_cast<size_t>(c)] = std::max(out_hi[static_cast<size_t>(c)], p.y());
    }
    QCOMPARE(out_lo, lo);
    QCOMPARE(out_hi, hi);
  }

  void reductionOfAZoomedRangeReachesTheEdges() {
    QList<QPointF> points;
    for (int i = 0; i < 1000; ++i) points.append({static_cast<double>(i), static_cast<double>(i % 10)});
    const auto out = decimate_min_max(points, 100.5, 199.5, 10);
    QCOMPARE(out.front(), QPointF(100, 0));  // the nearest point left of the range
    QCOMPARE(out.back(), QPointF(200, 0));   // and right of it
    for (qsizetype i = 1; i + 1 < out.size(); ++i) QVERIFY(out[i].x() > 100.5 && out[i].x() < 199.5);
  }

  void reductionDropsNonFiniteValues() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto out = decimate_min_max(QList<QPointF>{{0, 1.0}, {1, nan}, {2, 3.0}}, 0, 2, 100);
    QCOMPARE(out, (QList<QPointF>{{0, 1.0}, {2, 3.0}}));
    QVERIFY(decimate_min_max({}, 0, 1, 10).isEmpty());
    QVERIFY(decimate_min_max(QList<QPointF>{{0, 1.0}}, 0, 1, 0).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestSeriesMath)
#include "test_series_math.moc"

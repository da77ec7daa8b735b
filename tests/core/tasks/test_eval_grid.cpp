// Eval grids: gkamradt's linspace rounding (numpy's half-to-even), sigmoid depths, the coarse-to-fine
// order (a permutation with the coarse cells first) and seeds that depend only on the cell.
#include <QtTest>

#include <set>

#include "rw/core/tasks/eval_grid.h"
#include "test_support.h"

using namespace rw::core;

class TestEvalGrid : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void lengthGridMatchesNumpy() {
    // numpy.round(numpy.linspace(1000, 16000, 35)).astype(int), gkamradt's default length grid.
    const auto grid = linspace_rounded(1000, 16000, 35);
    QCOMPARE(grid.size(), size_t(35));
    const std::vector<std::int64_t> head{1000, 1441, 1882, 2324, 2765, 3206, 3647, 4088, 4529, 4971};
    QVERIFY(std::equal(head.begin(), head.end(), grid.begin()));
    QCOMPARE(grid[33], std::int64_t(15559));
    QCOMPARE(grid.back(), std::int64_t(16000));
    // Half to even, like numpy: linspace(1, 2, 5) = 1, 1.25, 1.5, 1.75, 2 -> 1, 1, 2, 2, 2.
    QCOMPARE(linspace_rounded(1, 2, 5), (std::vector<std::int64_t>{1, 1, 2, 2, 2}));
    QCOMPARE(linspace_rounded(0, 100, 4), (std::vector<std::int64_t>{0, 33, 67, 100}));
    QVERIFY(rw::test::error_of([] { linspace_rounded(0, 1, 0); }).contains("at least one point"));
  }

  void depthGrids() {
    const auto linear = linear_depth_percents(35);
    QCOMPARE(linear[9], 26.0);  // 26.47 rounds down; 50 sits at index 17
    QCOMPARE(linear[17], 50.0);
    QCOMPARE(linear.back(), 100.0);
    // gkamradt's logistic over linspace(0, 100, 11), 3 decimals, ends kept (values from numpy).
    const std::vector<double> sigmoid{0.0, 1.799, 4.743, 11.92, 26.894, 50.0, 73.106, 88.08, 95.257, 98.201, 100.0};
    const auto got = sigmoid_depth_percents(11);
    QCOMPARE(got.size(), sigmoid.size());
    for (size_t i = 0; i < got.size(); ++i)
      QVERIFY2(std::abs(got[i] - sigmoid[i]) < 1e-9, qPrintable(QString::number(got[i])));
  }

  void coarseToFineIsAPermutationWithCoarseFirst_data() {
    QTest::addColumn<int>("lengths");
    QTest::addColumn<int>("depths");
    QTest::newRow("35x35") << 35 << 35;
    QTest::newRow("5x11") << 5 << 11;
    QTest::newRow("1x1") << 1 << 1;
    QTest::newRow("2x3") << 2 << 3;
  }
  void coarseToFineIsAPermutationWithCoarseFirst() {
    QFETCH(int, lengths);
    QFETCH(int, depths);
    const auto order = coarse_to_fine_order(lengths, depths);
    QCOMPARE(order.size(), size_t(lengths * depths));
    std::set<std::pair<std::int64_t, std::int64_t>> seen;
    for (const GridIndex& g : order) {
      QVERIFY(g.length_index >= 0 && g.length_index < lengths && g.depth_index >= 0 && g.depth_index < depths);
      QVERIFY2(seen.insert({g.length_index, g.depth_index}).second, "a cell appears twice");
    }
    // Levels never decrease along the order, and level 0 is exactly every 4th index (plus the last) on both axes.
    int last_level = 0;
    size_t coarse = 0;
    for (const GridIndex& g : order) {
      const int level = coarse_to_fine_level(g, lengths, depths);
      QVERIFY(level >= last_level);
      last_level = level;
      const bool l4 = g.length_index % 4 == 0 || g.length_index == lengths - 1;
      const bool d4 = g.depth_index % 4 == 0 || g.depth_index == depths - 1;
      QCOMPARE(level == 0, l4 && d4);
      if (level == 0) ++coarse;
    }
    const auto axis = [](int n) {
      int c = 0;
      for (int i = 0; i < n; ++i) c += (i % 4 == 0 || i == n - 1) ? 1 : 0;
      return c;
    };
    QCOMPARE(coarse, size_t(axis(lengths) * axis(depths)));
    // The first cells are the grid's corners region: cell (0, 0) first, and the last length within level 0.
    QCOMPARE(order.front(), (GridIndex{0, 0}));
    // Within a level, consecutive cells of one length are contiguous (so the runner can batch them).
    for (size_t i = 1; i < order.size(); ++i) {
      const int a = coarse_to_fine_level(order[i - 1], lengths, depths),
                b = coarse_to_fine_level(order[i], lengths, depths);
      if (a == b) QVERIFY(order[i - 1].length_index <= order[i].length_index);
    }
  }

  void coarseOrderFor35x35StartsWithNineByNine() {
    const auto order = coarse_to_fine_order(35, 35);
    // every 4th of 35 = 0,4,...,32 (9 values) plus 34 = 10 per axis.
    for (size_t i = 0; i < 100; ++i) QCOMPARE(coarse_to_fine_level(order[i], 35, 35), 0);
    QVERIFY(coarse_to_fine_level(order[100], 35, 35) > 0);
    QCOMPARE(order[9], (GridIndex{0, 34}));
    QCOMPARE(order[10], (GridIndex{4, 0}));
  }

  void largestFittingIsABinarySearch() {
    int calls = 0;
    const auto upto37 = [&](std::int64_t n) {
      ++calls;
      return n <= 37;
    };
    QCOMPARE(largest_fitting(1000, upto37), std::int64_t(37));
    QVERIFY(calls <= 12);  // about log2(1000) probes, not a linear scan
    QCOMPARE(largest_fitting(20, upto37), std::int64_t(20));
    QCOMPARE(largest_fitting(1000, [](std::int64_t) { return false; }), std::int64_t(-1));
    QCOMPARE(largest_fitting(0, [](std::int64_t) { return true; }), std::int64_t(0));
  }

  void seedsAndRandomNumbers() {
    QCOMPARE(item_seed(SeedSpace::Eval, 42, "passkey", 1000, 3), item_seed(SeedSpace::Eval, 42, "passkey", 1000, 3));
    QVERIFY(item_seed(SeedSpace::Eval, 42, "passkey", 1000, 3) != item_seed(SeedSpace::Eval, 42, "passkey", 1000, 4));
    QVERIFY(item_seed(SeedSpace::Eval, 42, "passkey", 1000, 3) != item_seed(SeedSpace::Eval, 42, "niah", 1000, 3));
    QVERIFY(item_seed(SeedSpace::Eval, 42, "passkey", 1000, 3) != item_seed(SeedSpace::Eval, 43, "passkey", 1000, 3));
    SplitMix64 a(7), b(7);
    std::set<std::int64_t> values;
    for (int i = 0; i < 2000; ++i) {
      const auto v = a.uniform(1, 50000);
      QCOMPARE(v, b.uniform(1, 50000));
      QVERIFY(v >= 1 && v <= 50000);
      values.insert(v);
    }
    QVERIFY(values.size() > 1900);  // not stuck
    SplitMix64 c(1);
    std::set<std::int64_t> small;
    for (int i = 0; i < 200; ++i) small.insert(c.uniform(0, 2));
    QCOMPARE(small, (std::set<std::int64_t>{0, 1, 2}));
  }
};

QTEST_GUILESS_MAIN(TestEvalGrid)
#include "test_eval_grid.moc"

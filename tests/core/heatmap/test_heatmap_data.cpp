// heatmap/heatmap_data: the colour scale's exact stops, context length labels, and aggregation of cells
// into a grid (means, sorting, depth 0 on the top row, missing cells, refusals). The pictures are
// test_heatmap_render.cpp.
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "heatmap_test_cells.h"
#include "rw/core/heatmap/heatmap_data.h"
#include "test_support.h"

using rw::core::EvalCell;
using rw::core::Rgb8;
using rw::core::rgb_from_hex;
using rw::test::eval_cell;
using rw::test::hex;

class TestHeatmapData : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void colormapStops() {
    using rw::core::niah_colormap;
    QCOMPARE(hex(niah_colormap(0.0)), QString("#F0496E"));
    QCOMPARE(hex(niah_colormap(0.5)), QString("#EBB839"));
    QCOMPARE(hex(niah_colormap(1.0)), QString("#0CD79F"));
    QCOMPARE(niah_colormap(0.25), (Rgb8{238, 129, 84}));   // halfway red -> yellow, halves rounded up
    QCOMPARE(niah_colormap(0.75), (Rgb8{124, 200, 108}));  // halfway yellow -> green
    QCOMPARE(niah_colormap(-3.0), rgb_from_hex(0xF0496E));
    QCOMPARE(niah_colormap(7.0), rgb_from_hex(0x0CD79F));
    QCOMPARE(niah_colormap(std::numeric_limits<double>::quiet_NaN()), rw::core::kHeatmapMissingColor);
  }

  void diffScaleStops() {
    using rw::core::diff_colormap;
    QCOMPARE(hex(diff_colormap(-1.0)), QString("#F0496E"));  // got worse: the score scale's red
    QCOMPARE(hex(diff_colormap(0.0)), QString("#D9D9D9"));   // unchanged
    QCOMPARE(hex(diff_colormap(1.0)), QString("#0CD79F"));   // got better: its green
    QCOMPARE(diff_colormap(-5.0), diff_colormap(-1.0));
    QCOMPARE(diff_colormap(std::numeric_limits<double>::quiet_NaN()), rw::core::kHeatmapMissingColor);
  }

  void diffAgainstABaseline() {
    // before: 256 and 1024 at depths 0 and 1; after: 1024 and 4096 (one entry unscored). The diff covers the
    // union and has a value only where both have one.
    const auto before = rw::core::make_heatmap_data(
        {eval_cell(256, 0.0, 1.0, 10), eval_cell(256, 1.0, 1.0, 10), eval_cell(1024, 0.0, 0.0, 10),
         eval_cell(1024, 1.0, 0.5, 10)});
    const auto after = rw::core::make_heatmap_data(
        {eval_cell(1024, 0.0, 1.0, 50), eval_cell(1024, 1.0, 0.25, 50), eval_cell(4096, 0.0, 0.0, 50)},
        {.lengths = {1024, 4096}, .depths = {0.0, 1.0}});
    const auto diff = rw::core::diff_heatmap(after, before, "step 10");
    QCOMPARE(diff.baseline, std::string("step 10"));
    QCOMPARE(diff.checkpoint_step, std::int64_t{50});
    QCOMPARE(diff.lengths, (std::vector<std::int64_t>{256, 1024, 4096}));
    QCOMPARE(diff.depths, (std::vector<double>{0.0, 1.0}));
    QVERIFY(!diff.present(0, 0) && !diff.present(0, 2) && !diff.present(1, 2));
    QCOMPARE(diff.mean(0, 1), 1.0);    // 0 -> 1 at 1024, depth 0
    QCOMPARE(diff.mean(1, 1), -0.25);  // 0.5 -> 0.25
    QCOMPARE(diff.average, 0.375);
    QCOMPARE(rw::core::heatmap_scale(diff).title, std::string("Change"));
    QCOMPARE(rw::core::heatmap_color(diff, -1.0), rw::core::diff_colormap(-1.0));
    QCOMPARE(rw::core::heatmap_color(after, 0.0), rw::core::niah_colormap(0.0));
    QVERIFY(rw::test::error_of([&] {
              rw::core::diff_heatmap(after, rw::core::make_heatmap_data({eval_cell(256, 0.0, 1.0, 10, "passkey")}), "x");
            }).contains("task niah cannot be compared with task passkey"));
  }

  void taskGridSpansEveryStep() {
    const std::vector<EvalCell> cells = {eval_cell(256, 0.0, 1.0, 10), eval_cell(1024, 1.0, 1.0, 20),
                                         eval_cell(4096, 0.5, 1.0, 20, "passkey")};
    const auto grid = rw::core::task_grid(cells, "niah");
    QCOMPARE(grid.lengths, (std::vector<std::int64_t>{256, 1024}));
    QCOMPARE(grid.depths, (std::vector<double>{0.0, 1.0}));
    QVERIFY(rw::core::task_grid(cells, "ruler/qa_1").lengths.empty());
  }

  void contextLengthLabels() {
    using rw::core::format_context_length;
    QCOMPARE(format_context_length(256), std::string("256"));
    QCOMPARE(format_context_length(1000), std::string("1000"));
    QCOMPARE(format_context_length(1024), std::string("1K"));
    QCOMPARE(format_context_length(1536), std::string("1.5K"));
    QCOMPARE(format_context_length(32768), std::string("32K"));
    QCOMPARE(format_context_length(1438), std::string("1438"));
  }

  void aggregation() {
    // Out of order, a repeated (length, depth) averaged, depths equal up to rounding merged, one cell missing.
    const std::vector<EvalCell> cells = {
        eval_cell(4096, 1.0, 0.0),       eval_cell(256, 0.0, 1.0),   eval_cell(1024, 0.5, 0.5),
        eval_cell(256, 0.5, 1.0),        eval_cell(4096, 0.0, 0.25), eval_cell(1024, 0.0, 1.0),
        eval_cell(256, 1.0, 0.0),        eval_cell(256, 1.0, 1.0),   eval_cell(4096, 0.5, 0.0),
        eval_cell(1024, 0.1 + 0.2, 0.2), eval_cell(1024, 0.3, 0.4)};
    const auto data = rw::core::make_heatmap_data(cells);
    QCOMPARE(data.task, std::string("niah"));
    QCOMPARE(data.checkpoint_step, std::int64_t{100});
    QCOMPARE(data.cell_count, std::int64_t{11});
    QCOMPARE(data.lengths, (std::vector<std::int64_t>{256, 1024, 4096}));
    QCOMPARE(data.depths, (std::vector<double>{0.0, 0.3, 0.5, 1.0}));  // row 0 = depth 0 = top
    QCOMPARE(data.mean(0, 0), 1.0);
    QCOMPARE(data.mean(0, 2), 0.25);
    QCOMPARE(data.mean(3, 0), 0.5);  // two trials, 0 and 1
    QCOMPARE(data.counts[3 * 3 + 0], std::int64_t{2});
    QVERIFY(std::abs(data.mean(1, 1) - 0.3) < 1e-12);  // 0.1 + 0.2 and 0.3 are one row
    QVERIFY(!data.present(1, 0) && !data.present(1, 2) && !data.present(3, 1));
    QVERIFY(std::isnan(data.mean(1, 0)));
    const auto missing = data.missing();
    QCOMPARE(missing.size(), size_t{3});
    QCOMPARE(missing[0].first, std::int64_t{256});
    QCOMPARE(missing[0].second, 0.3);
    QCOMPARE(missing[2].first, std::int64_t{1024});
    QCOMPARE(missing[2].second, 1.0);
    // Mean of the 9 present cell means, not of the 11 raw cells.
    const double expected = (1.0 + 1.0 + 0.25 + 0.3 + 1.0 + 0.5 + 0.0 + 0.5 + 0.0) / 9;
    QVERIFY2(std::abs(data.average - expected) < 1e-12, qPrintable(QString::number(data.average)));
  }

  void gridKeepsUnscoredEntries() {
    // 4 cells of a 3 x 3 eval: the grid stays 3 x 3 with 5 entries missing, not a complete-looking 2 x 2.
    const rw::core::HeatmapGrid grid{{256, 512, 1024}, {0.0, 0.5, 1.0}};
    const auto data = rw::core::make_heatmap_data(
        {eval_cell(256, 0, 1), eval_cell(512, 0, 1), eval_cell(256, 0.5, 0), eval_cell(512, 0.5, 1)}, grid);
    QCOMPARE(data.lengths, (std::vector<std::int64_t>{256, 512, 1024}));
    QCOMPARE(data.depths, (std::vector<double>{0.0, 0.5, 1.0}));
    QCOMPARE(data.missing().size(), size_t{5});
    QVERIFY(!data.present(0, 2) && data.present(1, 1));
    QCOMPARE(data.average, 0.75);
    // No cells yet: an all-missing grid, so a view can draw the eval before its first cell.
    const auto empty = rw::core::make_heatmap_data({}, grid);
    QCOMPARE(empty.missing().size(), size_t{9});
    QVERIFY(std::isnan(empty.average));
    QVERIFY(rw::test::error_of([] {
              rw::core::make_heatmap_data({}, rw::core::HeatmapGrid{{256}, {2.0}});
            }).contains("grid depth 2 outside [0, 1]"));
  }

  void aggregationRefusals() {
    using rw::core::make_heatmap_data;
    QVERIFY(rw::test::error_of([] { make_heatmap_data({}); }).contains("no eval cells"));
    QVERIFY(rw::test::error_of([] {
              make_heatmap_data({eval_cell(256, 0, 1), eval_cell(256, 0.5, 1, 200)});
            }).contains("at step 200"));
    QVERIFY(rw::test::error_of([] {
              make_heatmap_data({eval_cell(256, 0, 1), eval_cell(256, 0.5, 1, 100, "passkey")});
            }).contains("task 'passkey'"));
    QVERIFY(
        rw::test::error_of([] { make_heatmap_data({eval_cell(256, 1.5, 1)}); }).contains("depth 1.5 outside [0, 1]"));
    QVERIFY(rw::test::error_of([] { make_heatmap_data({eval_cell(256, 0.5, std::nan(""))}); }).contains("score"));
  }
};

QTEST_GUILESS_MAIN(TestHeatmapData)
#include "test_heatmap_data.moc"

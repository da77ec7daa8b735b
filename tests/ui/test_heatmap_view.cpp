// widgets/heatmap_view + the heatmaps page's grid: each entry painted in the core colour of its mean score,
// unscored entries hatched, depth 0 on top, hover text and click reporting the entry; a checkpoint with
// fewer cells than the run's grid keeps the whole grid. Screenshots go to $RW_SCREENSHOT_DIR when set.
#include <QSignalSpy>
#include <QtTest>

#include "../core/heatmap/heatmap_test_cells.h"
#include "rw/ui/widgets/heatmap_view.h"
#include "rw/ui/window/heatmaps_page.h"
#include "ui_screenshot.h"

using rw::ui::HeatmapView;

using rw::test::eval_cell;

class TestHeatmapView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void paintsScoresAndHatchesGaps() {
    rw::ui::RunData run;
    run.record.name = "extend";
    // Step 100 has the whole 3 x 3 grid; step 200 only two cells so far.
    for (const std::int64_t length : {256, 512, 1024})
      for (const double depth : {0.0, 0.5, 1.0})
        run.cells.push_back(eval_cell(length, depth, length == 1024 ? 0.0 : 1.0));
    run.cells.push_back(eval_cell(256, 0.0, 1.0, 200));
    run.cells.push_back(eval_cell(512, 0.5, 0.5, 200));
    const auto partial = rw::ui::run_heatmap(run, "niah", 200);
    QVERIFY(partial);
    QCOMPARE(partial->lengths.size(), size_t{3});
    QCOMPARE(partial->depths.size(), size_t{3});
    QCOMPARE(partial->missing().size(), size_t{7});
    QVERIFY(!rw::ui::run_heatmap(run, "passkey", 100));
    // With the run's suite, its grid: a length and a depth no cell has reached yet are there too.
    rw::core::EvalSuite suite;
    suite.lengths = {256, 512, 1024, 2048};
    suite.depth_percents = {0, 50, 100, 25};
    const auto planned = rw::ui::run_heatmap(run, "niah", 200, &suite);
    QVERIFY(planned);
    QCOMPARE(planned->lengths.size(), size_t{4});
    QCOMPARE(planned->depths.size(), size_t{4});
    QCOMPARE(planned->missing().size(), size_t{14});

    HeatmapView view;
    view.resize(640, 400);
    view.set_data(partial);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.grab().toImage();
    const auto colour_at = [&](size_t row, size_t col) {
      return image.pixelColor(view.entry_rect(row, col).center()).rgb() & 0xFFFFFF;
    };
    const auto expected = [](double score) {
      const auto c = rw::core::niah_colormap(score);
      return static_cast<QRgb>((c.r << 16) | (c.g << 8) | c.b);
    };
    QCOMPARE(colour_at(0, 0), expected(1.0));  // depth 0 (top row), 256 tokens
    QCOMPARE(colour_at(1, 1), expected(0.5));
    // An unscored entry: the light missing colour with the darker hatch lines across it.
    const QRect gap = view.entry_rect(2, 2);
    QSet<QRgb> colours;
    for (int x = gap.left() + 2; x < gap.right() - 2; ++x) colours.insert(image.pixel(x, gap.center().y()) & 0xFFFFFF);
    QVERIFY(colours.contains(0xF2F2F2));
    QVERIFY2(colours.size() >= 2, "the unscored entry is not hatched");
    QVERIFY(view.entry_text(2, 2).contains("not scored yet"));
    QCOMPARE(view.entry_text(1, 1), QStringLiteral("512 tokens, depth 50%: score 0.50 (1 trial)"));
    rw::test::save_screenshot(view, QStringLiteral("heatmap-partial.png"));

    QSignalSpy clicks(&view, &HeatmapView::entry_clicked);
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.entry_rect(2, 1).center());
    QCOMPARE(clicks.count(), 1);
    QCOMPARE(clicks.front().at(0).toLongLong(), 512);
    QCOMPARE(clicks.front().at(1).toDouble(), 1.0);
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(2, 2));  // the margin is no entry
    QCOMPARE(clicks.count(), 1);

    view.set_data(rw::ui::run_heatmap(run, "niah", 100));
    const QImage full = view.grab().toImage();
    QCOMPARE(full.pixelColor(view.entry_rect(2, 2).center()).rgb() & 0xFFFFFF, expected(0.0));
    rw::test::save_screenshot(view, QStringLiteral("heatmap-full.png"));
  }

  void emptyShowsItsText() {
    HeatmapView view;
    view.set_data(std::nullopt, QStringLiteral("No eval cells yet"));
    QVERIFY(!view.entry_at(QPoint(100, 100)));
    QVERIFY(view.entry_rect(0, 0).isNull());
  }
};

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"

// The heatmaps page over a store fixture: perplexity cells draw as NLL-by-position lines (one per length,
// with the length's perplexity from its ppl/mean_nll cell) in the heatmap's place, and the summary task is
// not offered as a heatmap; a run's NIAH cells against another run's give the change entry by entry.
#include <QComboBox>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/heatmap_view.h"
#include "rw/ui/widgets/perplexity_chart.h"
#include "rw/ui/window/heatmaps_page.h"

using rw::core::EvalCell;
using rw::core::RunStore;

namespace {

EvalCell cell(std::int64_t run, const char* task, std::int64_t length, double depth, double score) {
  EvalCell c;
  c.run_id = run;
  c.checkpoint_step = 0;
  c.task = task;
  c.length = length;
  c.depth = depth;
  c.score = score;
  return c;
}

}  // namespace

class TestHeatmapsPage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void perplexityLinesAndRunDiff() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = tmp.path().toStdString();
    rw::core::Project::init(dir, {});
    std::int64_t ppl_run = 0, base = 0, extended = 0;
    {
      RunStore store = RunStore::open(dir / "store.db", rw::core::OpenMode::ReadWrite);
      ppl_run = store.create_run("ppl", "eval");
      for (const std::int64_t length : {64, 128}) {
        for (int b = 0; b < 4; ++b)  // NLL falls along the sequence, more so for the longer one
          store.add_eval_cell(cell(ppl_run, "ppl/nll_by_position", length, b / 4.0, 4.0 - b * (length / 64.0) * 0.25));
        store.add_eval_cell(cell(ppl_run, "ppl/mean_nll", length, 0, 3.5));
      }
      base = store.create_run("base", "eval");
      extended = store.create_run("extended", "eval");
      for (const double depth : {0.0, 1.0}) {
        store.add_eval_cell(cell(base, "niah", 256, depth, 1.0));
        store.add_eval_cell(cell(base, "niah", 512, depth, 0.0));
        store.add_eval_cell(cell(extended, "niah", 256, depth, 1.0));
        store.add_eval_cell(cell(extended, "niah", 512, depth, 1.0));
      }
    }
    rw::ui::ProjectSession session(dir, nullptr, 20);
    rw::ui::HeatmapsPage page(&session);
    page.resize(900, 600);
    const auto loaded = [&] {
      for (const std::int64_t id : {ppl_run, base, extended})
        if (!session.feed().run(id) || session.feed().run(id)->cells.empty()) return false;
      return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(loaded(), 10'000);
    // The page lists the runs from the feed's next batch.
    QTRY_VERIFY_WITH_TIMEOUT((page.show_run(ppl_run), page.show_task("ppl/nll_by_position")), 10'000);
    QVERIFY(!page.show_task("ppl/mean_nll"));  // a summary, not a grid
    QVERIFY(page.show_task("ppl/nll_by_position"));
    const auto& lines = page.perplexity()->lines();
    QCOMPARE(lines.size(), size_t{2});
    QCOMPARE(lines[1].length, std::int64_t{128});
    QCOMPARE(lines[1].points.size(), size_t{4});
    QCOMPARE(lines[1].points[2], (std::pair<double, double>{64.0, 3.0}));  // bucket at 64 of 128: 4 - 2 x 0.5
    QCOMPARE(lines[0].ppl, std::exp(3.5));
    QVERIFY(page.perplexity()->isVisibleTo(&page));
    QVERIFY(!page.view()->isVisibleTo(&page));

    page.show_run(extended);
    QVERIFY(page.show_task("niah"));
    QVERIFY(page.view()->isVisibleTo(&page));
    QVERIFY(page.compare_with(base, 0));
    const auto& diff = page.view()->data();
    QVERIFY(diff.has_value());
    QCOMPARE(diff->baseline, std::string("base #") + std::to_string(base) + " step 0");
    QCOMPARE(diff->mean(0, 0), 0.0);  // 256: found before and after
    QCOMPARE(diff->mean(0, 1), 1.0);  // 512: lost before, found after
    QCOMPARE(diff->average, 0.5);
  }

  void gridOfTheSuiteNotOfTheCells() {
    // A 7 x 5 suite of which 4 cells are scored: all 35 entries show, 31 of them as not scored.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = tmp.path().toStdString();
    rw::core::Project::init(dir, {});
    std::int64_t run = 0;
    {
      RunStore store = RunStore::open(dir / "store.db", rw::core::OpenMode::ReadWrite);
      run = store.create_run(
          "partial", "eval",
          R"({"suite": {"lengths": [128, 256, 384, 512, 640, 768, 896], "depths": [0, 25, 50, 75, 100]}})");
      for (const std::int64_t length : {128, 256})
        for (const double depth : {0.0, 0.25}) store.add_eval_cell(cell(run, "niah", length, depth, 1.0));
    }
    rw::ui::ProjectSession session(dir, nullptr, 20);
    rw::ui::HeatmapsPage page(&session);
    QTRY_VERIFY_WITH_TIMEOUT(session.feed().run(run) && session.feed().run(run)->cells.size() == 4, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT((page.show_run(run), page.show_task("niah")), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(page.view()->data() && page.view()->data()->lengths.size() == 7, 10'000);
    QCOMPARE(page.view()->data()->depths.size(), size_t{5});
    QCOMPARE(page.view()->data()->missing().size(), size_t{31});
  }
};

QTEST_MAIN(TestHeatmapsPage)
#include "test_heatmaps_page.moc"

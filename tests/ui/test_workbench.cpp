// The workbench driving real workers, as a user would: a tiny CPU training run launched from the Runs page
// fills the loss chart and the NIAH heatmap while it trains (the test waits on the condition); a bad config
// is refused with the parser's message before anything starts; a worker killed with SIGKILL shows as
// crashed with Resume offered, and Resume finishes the run; closing the window with a job running and
// "leave running" keeps the job alive, and a reopened window finds it and stops it.
// Screenshots of every page go to $RW_SCREENSHOT_DIR when set.
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

#include <csignal>
#include <fstream>

#include "cli_test_support.h"
#include "rw/ui/models/runs_model.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/cell_prompt_dialog.h"
#include "rw/ui/widgets/heatmap_view.h"
#include "rw/ui/widgets/metric_chart.h"
#include "rw/ui/window/charts_page.h"
#include "rw/ui/window/corpus_page.h"
#include "rw/ui/window/heatmaps_page.h"
#include "rw/ui/window/import_dialog.h"
#include "rw/ui/window/main_window.h"
#include "rw/ui/window/runs_page.h"
#include "ui_screenshot.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using rw::core::RunState;
using rw::test::q;
using rw::ui::MainWindow;

namespace {

constexpr int kTrainWaitMs = 240'000;

const rw::ui::RunData* run_of(MainWindow& window, std::int64_t id) { return window.session()->feed().run(id); }

// The run id of the newest job of the window, once its worker said `started`.
std::int64_t newest_job_run(MainWindow& window) {
  const auto& jobs = window.session()->jobs();
  return jobs.empty() || !jobs.back()->run_id() ? 0 : *jobs.back()->run_id();
}

}  // namespace

class TestWorkbench : public QObject {
  Q_OBJECT
  rw::test::ScratchProject scratch_;
  fs::path project_;

  QString write_config(const std::string& name, std::int64_t steps, bool with_eval) {
    json config = rw::test::tiny_run_config(steps);
    config["name"] = name;
    config["checkpoint"]["every_steps"] = 10;
    if (with_eval) config["eval"] = {{"suite", "suite.json"}, {"every_steps", 10}};
    const fs::path path = project_ / (name + ".run.json");
    std::ofstream(path) << config.dump(2);
    return q(path);
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the recent-projects list goes to a test location, not the user's
    QVERIFY2(scratch_.error.isEmpty(), qPrintable(scratch_.error));
    project_ = scratch_.project;
    qputenv("ROPEWALK_CLI", RW_CLI_PATH);
    for (int i = 0; i < 8; ++i) {
      std::string text;
      for (int j = 0; j < 40; ++j) text += "sentence " + std::to_string((i * 7 + j) % 13) + " of the gui corpus. ";
      rw::test::write_bytes(scratch_.root / "texts" / ("t" + std::to_string(i) + ".txt"), text);
    }
    const auto r = rw::test::run_cli({"corpus", "add", q(project_), q(scratch_.root / "texts"), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json suite = {{"tasks", {"niah"}},
                        {"lengths", {40, 56}},
                        {"depths", {0, 50, 100}},
                        {"batch_size", 6},
                        {"prompt_format", "plain"},
                        {"haystack", {{"corpus", "demo"}}},
                        {"niah",
                         {{"needle", " The key is 7."},
                          {"question", "What is the key?"},
                          {"answer", "7"},
                          {"buffer_tokens", 4},
                          {"max_new_tokens", 2}}}};
    std::ofstream(project_ / "suite.json") << suite.dump(2);
  }

  void liveTrainingFillsChartAndHeatmap() {
    MainWindow window;
    QString error;
    QVERIFY2(window.open_project(project_, &error), qPrintable(error));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.runs_page()->launch(write_config("live", 30, true));
    QTRY_VERIFY_WITH_TIMEOUT(newest_job_run(window) > 0, 60'000);
    const std::int64_t run = newest_job_run(window);
    // The chart follows the newest training run and draws its loss as the worker writes it.
    window.show_page(MainWindow::Page::Charts);
    QTRY_VERIFY_WITH_TIMEOUT(window.charts_page()->chart()->drawn_points(run) > 0, kTrainWaitMs);
    // The heatmap fills in from the periodic evals (2 lengths x 3 depths per checkpoint).
    window.show_page(MainWindow::Page::Heatmaps);
    QTRY_VERIFY_WITH_TIMEOUT(
        window.heatmaps_page()->view()->data() && window.heatmaps_page()->view()->data()->cell_count > 0, kTrainWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(run_of(window, run)->shown == RunState::Finished, kTrainWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window.session()->has_active_jobs(), 30'000);
    QCOMPARE(window.session()->jobs().back()->state(), rw::ui::WorkerProcess::State::Finished);
    // Everything written is shown: 30 loss points, and each checkpoint's full 2 x 3 grid.
    QTRY_COMPARE_WITH_TIMEOUT(run_of(window, run)->metrics.at("loss").size(), size_t{30}, 10'000);
    const auto& heatmap = window.heatmaps_page()->view()->data();
    QCOMPARE(heatmap->checkpoint_step, std::int64_t{30});
    QCOMPARE(heatmap->lengths, (std::vector<std::int64_t>{40, 56}));
    QVERIFY(heatmap->missing().empty());
    QVERIFY(window.heatmaps_page()->entry_details(40, 0.0).contains("score"));
    // Against the first checkpoint the view shows the change, entry by entry.
    QVERIFY(window.heatmaps_page()->compare_with(run, 10));
    QCOMPARE(window.heatmaps_page()->view()->data()->baseline, std::string("step 10"));
    QVERIFY(window.heatmaps_page()->view()->entry_text(0, 0).contains("against step 10"));
    rw::test::save_screenshot(window, QStringLiteral("workbench-heatmap-diff.png"));
    QVERIFY(window.heatmaps_page()->compare_with(0, 0));
    QVERIFY(window.heatmaps_page()->view()->data()->baseline.empty());
    // A click opens the cell: its output, and the prompt rebuilt from the run's suite and checkpoint
    // tokenizer, exactly as scored (hash checked), with the needle highlighted.
    auto* cell = window.heatmaps_page()->open_cell(56, 0.5);
    QVERIFY(cell);
    QTRY_VERIFY_WITH_TIMEOUT(!cell->status().startsWith("Rebuilding"), 30'000);
    QVERIFY2(cell->status().contains("exactly the prompt the model saw"), qPrintable(cell->status()));
    QCOMPARE(cell->needle_ranges().size(), size_t{1});
    const auto [begin, end] = cell->needle_ranges().front();
    QCOMPARE(cell->prompt_text().mid(begin, end - begin), QString("The key is 7."));
    rw::test::save_screenshot(*cell, QStringLiteral("workbench-cell.png"));
    cell->close();

    window.resize(1200, 800);
    window.show_page(MainWindow::Page::Heatmaps);
    rw::test::save_screenshot(window, QStringLiteral("workbench-heatmaps.png"));
    window.show_page(MainWindow::Page::Charts);
    rw::test::save_screenshot(window, QStringLiteral("workbench-charts.png"));
    window.show_page(MainWindow::Page::Runs);
    window.runs_page()->select_run(run);
    rw::test::save_screenshot(window, QStringLiteral("workbench-runs.png"));
  }

  void corpusImportBrowseAndSearch() {
    const fs::path notes = scratch_.root / "notes";
    rw::test::write_bytes(notes / "harbour.txt", "The old harbour keeps a lighthouse whose lamp burns blue.\n");
    rw::test::write_bytes(notes / "market.txt", "On market day the square smells of bread and tar.\n");
    rw::test::write_bytes(notes / "blob.bin", std::string("\x00\x01\x02binary\x00", 10));
    MainWindow window;
    QVERIFY(window.open_project(project_));
    window.show_page(MainWindow::Page::Corpus);
    auto* page = window.corpus_page();
    page->import({.paths = {q(notes)}, .corpus = QStringLiteral("notes")});
    QTRY_VERIFY_WITH_TIMEOUT(page->report()->text().startsWith("Imported"), 60'000);
    QVERIFY2(page->report()->text().contains("Imported 2 documents") && page->report()->text().contains("blob.bin"),
             qPrintable(page->report()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(page->corpora()->findText("notes") >= 0, 10'000);
    page->corpora()->setCurrentIndex(page->corpora()->findText("notes"));
    QTRY_COMPARE_WITH_TIMEOUT(page->documents()->rowCount(), 2, 10'000);
    page->search(QStringLiteral("lighthouse"));
    QTRY_VERIFY_WITH_TIMEOUT(page->hits()->count() == 1 && page->hits()->item(0)->text().contains("harbour.txt"),
                             10'000);
    QListWidgetItem* hit = page->hits()->item(0);
    Q_EMIT page->hits()->itemClicked(hit);
    QTRY_VERIFY_WITH_TIMEOUT(page->text()->toPlainText().contains("lamp burns blue"), 10'000);
    QVERIFY(page->text()->textCursor().selectedText().contains("lighthouse"));
    window.resize(1200, 800);
    rw::test::save_screenshot(window, QStringLiteral("workbench-corpus.png"));

    // JSONL with its own text field, and a glob that keeps only some files: the options reach the worker.
    const fs::path feed = scratch_.root / "feed";
    rw::test::write_bytes(feed / "posts.jsonl", "{\"body\": \"first post about tides\"}\n{\"body\": \"second post\"}\n");
    rw::test::write_bytes(feed / "skip.txt", "not included\n");
    page->import({.paths = {q(feed)}, .corpus = QStringLiteral("posts"), .jsonl_field = QStringLiteral("body"),
                  .include = {QStringLiteral("*.jsonl")}});
    QCOMPARE(page->report()->text(), QString("Importing into posts…"));  // until this import's worker ends
    QTRY_VERIFY_WITH_TIMEOUT(page->report()->text().startsWith("Imported"), 60'000);
    QVERIFY2(page->report()->text().startsWith("Imported 2 documents"), qPrintable(page->report()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(page->corpora()->findText("posts") >= 0, 10'000);
    page->corpora()->setCurrentIndex(page->corpora()->findText("posts"));
    QTRY_COMPARE_WITH_TIMEOUT(page->documents()->rowCount(), 2, 10'000);
    // The options dialog leaves everything to the project's settings until told otherwise.
    rw::ui::ImportDialog dialog({q(feed)}, {QStringLiteral("notes"), QStringLiteral("posts")}, QStringLiteral("posts"));
    dialog.show();
    const rw::ui::ImportRequest defaults = dialog.request();
    QCOMPARE(defaults.corpus, QString("posts"));
    QCOMPARE(defaults.arguments("P"), (QStringList{"corpus", "add", "P", q(feed), "--corpus", "posts"}));
    rw::test::save_screenshot(dialog, QStringLiteral("workbench-import.png"));
    dialog.close();
    // A bad option is the worker's message, shown as the import's failure.
    page->import({.paths = {q(feed)}, .corpus = QStringLiteral("posts"), .chunk_tokens = 1, .chunk_overlap = 5});
    QTRY_VERIFY_WITH_TIMEOUT(page->report()->text().startsWith("Import failed"), 60'000);
    QVERIFY2(page->report()->text().contains("overlap"), qPrintable(page->report()->text()));
  }

  void badConfigIsRefusedWithTheParsersMessage() {
    MainWindow window;
    QVERIFY(window.open_project(project_));
    json bad = rw::test::tiny_run_config(4);
    bad["optimizer"]["lr"] = "fast";
    std::ofstream(project_ / "bad.run.json") << bad.dump();
    window.runs_page()->launch(q(project_ / "bad.run.json"));
    const QString message = window.runs_page()->message();
    QVERIFY2(message.contains("bad.run.json") && message.contains("optimizer.lr"), qPrintable(message));
    QVERIFY(window.session()->jobs().empty());
  }

  void aWorkerThatCannotStartFailsItsRun() {
    MainWindow window;
    QVERIFY(window.open_project(project_));
    qputenv("ROPEWALK_CLI", "/nonexistent/ropewalk-cli");
    window.runs_page()->launch(write_config("orphan", 4, false));
    QTRY_VERIFY_WITH_TIMEOUT(!window.session()->jobs().empty(), 10'000);
    qputenv("ROPEWALK_CLI", RW_CLI_PATH);
    auto* job = window.session()->jobs().back().get();
    QTRY_COMPARE_WITH_TIMEOUT(job->state(), rw::ui::WorkerProcess::State::Failed, 10'000);
    QVERIFY2(job->error().contains("could not start /nonexistent/ropewalk-cli"), qPrintable(job->error()));
    // The run it was queued for does not stay queued: it ends failed with the same reason.
    const auto orphan = [&]() -> const rw::ui::RunData* {
      for (const auto* run : window.session()->feed().runs())
        if (run->record.name == "orphan") return run;
      return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(orphan() && orphan()->shown == RunState::Failed, 10'000);
    QVERIFY(QString::fromStdString(orphan()->record.failure_reason).contains("could not start"));
  }

  void killedWorkerShowsCrashedAndResumes() {
    MainWindow window;
    QVERIFY(window.open_project(project_));
    window.runs_page()->launch(write_config("victim", 200, false));
    QTRY_VERIFY_WITH_TIMEOUT(newest_job_run(window) > 0, 60'000);
    const std::int64_t run = newest_job_run(window);
    auto* job = window.session()->jobs().back().get();
    // Past the first checkpoint, then SIGKILL: no chance to record anything.
    QTRY_VERIFY_WITH_TIMEOUT(job->progress() && job->progress()->done >= 25, kTrainWaitMs);
    job->kill();
    QTRY_VERIFY_WITH_TIMEOUT(run_of(window, run)->shown == RunState::Crashed, 10'000);
    window.runs_page()->select_run(run);
    const int row = window.runs_page()->model()->row_of(run);
    QVERIFY(window.runs_page()
                ->model()
                ->data(window.runs_page()->model()->index(row, rw::ui::RunsModel::State))
                .toString()
                .startsWith("crashed at step"));
    QTRY_VERIFY(window.runs_page()->resume_button()->isEnabled());
    rw::test::save_screenshot(window, QStringLiteral("workbench-crashed.png"));
    window.runs_page()->resume_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(run_of(window, run)->shown == RunState::Finished, kTrainWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(run_of(window, run)->last_step(), std::int64_t{200}, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(!window.session()->has_active_jobs(), 30'000);
    // Its config against the first run's: the lines that differ, each side marked.
    for (const auto* other : window.session()->feed().runs())
      if (other->record.name == "live") window.runs_page()->compare_with(other->record.id);
    const QString details = window.runs_page()->details_text();
    QVERIFY2(details.contains("-   \"name\": \"live\"") && details.contains("+   \"name\": \"victim\""),
             qPrintable(details));
  }

  void closingLeavesAJobRunningAndReopeningFindsIt() {
    std::int64_t run = 0;
    qint64 pid = 0;
    {
      MainWindow window;
      QVERIFY(window.open_project(project_));
      window.runs_page()->launch(write_config("long", 1'000'000, false));
      QTRY_VERIFY_WITH_TIMEOUT(newest_job_run(window) > 0, 60'000);
      run = newest_job_run(window);
      pid = window.session()->jobs().back()->pid();
      window.set_close_choice([] { return QMessageBox::Ignore; });  // "leave running"
      QVERIFY(window.close());
    }
    QVERIFY(pid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(pid), 0), 0);  // still alive after the window is gone
    MainWindow again;
    QVERIFY(again.open_project(project_));
    QTRY_VERIFY_WITH_TIMEOUT(run_of(again, run) && run_of(again, run)->shown == RunState::Running, 10'000);
    // Its loss keeps arriving: the worker still writes to the store.
    QTRY_VERIFY_WITH_TIMEOUT(run_of(again, run)->last_step() > 0, kTrainWaitMs);
    const std::int64_t seen = run_of(again, run)->last_step();
    QTRY_VERIFY_WITH_TIMEOUT(run_of(again, run)->last_step() > seen, kTrainWaitMs);
    QCOMPARE(again.session()->stop_run(run), QString());
    QTRY_VERIFY_WITH_TIMEOUT(run_of(again, run)->shown == RunState::Stopped, kTrainWaitMs);
  }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"

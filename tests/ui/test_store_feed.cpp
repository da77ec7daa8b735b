// models/store_feed + store_poller + runs_model: the GUI's copy of a run store follows rows written by
// another connection (as a worker writes them), in batches, without duplicates or gaps, including a
// backlog larger than one poll's batch; a dead run reads "crashed at step N"; an unreadable store says why;
// the runs table keeps its rows in place as runs arrive (checked by QAbstractItemModelTester).
#include <sys/wait.h>
#include <unistd.h>
#include <QAbstractItemModelTester>

#include <QSignalSpy>
#include <QtTest>

#include "rw/core/store/metric_writer.h"
#include "rw/core/store/run_store.h"
#include "rw/ui/models/runs_model.h"
#include "rw/ui/models/store_feed.h"
#include "test_support.h"

using namespace rw::core;
using rw::ui::RunsModel;
using rw::ui::StoreFeed;

namespace {

constexpr int kPollMs = 30;
constexpr int kWaitMs = 10'000;

void write_losses(RunStore& store, std::int64_t run, std::int64_t from, std::int64_t to) {
  MetricWriter writer(store);
  for (std::int64_t step = from; step <= to; ++step) writer.add(run, "loss", step, 10.0 / static_cast<double>(step));
  writer.flush();
}

bool steps_are(const std::vector<MetricPoint>& points, std::int64_t first, std::int64_t last) {
  if (static_cast<std::int64_t>(points.size()) != last - first + 1) return false;
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].step != first + static_cast<std::int64_t>(i)) return false;
  return true;
}

}  // namespace

class TestStoreFeed : public QObject {
  Q_OBJECT
  rw::test::ScratchStore scratch_;

 private Q_SLOTS:
  void init() { QVERIFY(scratch_.renew()); }
  void cleanup() { scratch_.close(); }

  void followsRowsInBatches() {
    RunStore store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    StoreFeed feed;
    QSignalSpy updates(&feed, &StoreFeed::updated);
    feed.open(scratch_.path(), kPollMs);
    const auto run = store.create_run("extend", "train");
    store.set_state(run, RunState::Running);
    QTRY_VERIFY_WITH_TIMEOUT(feed.run(run) && feed.run(run)->shown == RunState::Running, kWaitMs);

    write_losses(store, run, 1, 1000);
    QTRY_VERIFY_WITH_TIMEOUT(feed.run(run)->metrics.count("loss") && feed.run(run)->metrics.at("loss").size() == 1000,
                             kWaitMs);
    QVERIFY(steps_are(feed.run(run)->metrics.at("loss"), 1, 1000));
    // 1000 rows arrive as a handful of batches, not a signal per row.
    QVERIFY2(updates.count() < 20, qPrintable(QString::number(updates.count())));

    EvalCell cell;
    cell.run_id = run;
    cell.task = "niah";
    cell.checkpoint_step = 1000;
    for (const std::int64_t length : {256, 512, 1024}) {
      cell.length = length;
      store.add_eval_cell(cell);
    }
    store.add_event(run, "info", "checkpoint 1000");
    write_losses(store, run, 1001, 1500);
    QTRY_VERIFY_WITH_TIMEOUT(feed.run(run)->metrics.at("loss").size() == 1500 && feed.run(run)->cells.size() == 3 &&
                                 feed.run(run)->events.size() == 1,
                             kWaitMs);
    QVERIFY(steps_are(feed.run(run)->metrics.at("loss"), 1, 1500));
    QCOMPARE(feed.run(run)->events.back().text, std::string("checkpoint 1000"));
    QCOMPARE(feed.run(run)->last_step(), std::int64_t{1500});

    store.set_state(run, RunState::Finished);
    QTRY_VERIFY_WITH_TIMEOUT(feed.run(run)->shown == RunState::Finished, kWaitMs);
  }

  void backlogLargerThanOneBatch() {
    RunStore store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto run = store.create_run("long", "train");
    const std::int64_t n = rw::ui::StorePoller::kBatchRows * 2 + 123;
    write_losses(store, run, 1, n);
    StoreFeed feed;
    feed.open(scratch_.path(), kPollMs);
    QTRY_VERIFY_WITH_TIMEOUT(feed.run(run) && feed.run(run)->metrics.count("loss") &&
                                 static_cast<std::int64_t>(feed.run(run)->metrics.at("loss").size()) == n,
                             kWaitMs);
    QVERIFY(steps_are(feed.run(run)->metrics.at("loss"), 1, n));
  }

  void deadRunReadsCrashedAtItsStep() {
    RunStore store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    StoreFeed feed;
    RunsModel model(&feed);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    feed.open(scratch_.path(), kPollMs);
    const auto older = store.create_run("older", "eval");
    const auto run = store.create_run("victim", "train");
    store.set_state(run, RunState::Running);
    write_losses(store, run, 1, 40);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, kWaitMs);
    QCOMPARE(model.run_at(0)->record.id, run);  // newest first
    QCOMPARE(model.run_at(1)->record.id, older);
    // A process that has exited, and a heartbeat older than the stale limit: what kill -9 leaves behind.
    const pid_t done = ::fork();  // a process that has exited and been waited for: its pid is free
    if (done == 0) ::_exit(0);
    QVERIFY(done > 0 && ::waitpid(done, nullptr, 0) == done);
    const qint64 dead_pid = done;
    auto update = store.database().prepare("UPDATE runs SET pid = ?1, heartbeat_ms = ?2 WHERE id = ?3");
    update.bind(1, static_cast<std::int64_t>(dead_pid)).bind(2, now_ms() - 10 * kDefaultStaleHeartbeatMs).bind(3, run);
    update.run();
    QTRY_COMPARE_WITH_TIMEOUT(model.data(model.index(0, RunsModel::State)).toString(),
                              QStringLiteral("crashed at step 40"), kWaitMs);
    QCOMPARE(model.data(model.index(0, RunsModel::Step)).toLongLong(), 40);
    // A new run is inserted on top; the old rows keep their place.
    const QPersistentModelIndex victim = model.index(0, 0);
    const auto newer = store.create_run("newer", "train");
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, kWaitMs);
    QCOMPARE(model.run_at(0)->record.id, newer);
    QCOMPARE(victim.row(), 1);
    QCOMPARE(model.row_of(older), 2);
  }

  void unreadableStoreSaysWhy() {
    StoreFeed feed;
    QSignalSpy errors(&feed, &StoreFeed::error_changed);
    const auto missing = scratch_.path().parent_path() / "no-such-folder" / "store.db";
    feed.open(missing, kPollMs);
    QTRY_VERIFY_WITH_TIMEOUT(!feed.error().isEmpty(), kWaitMs);
    QVERIFY2(feed.error().contains(QString::fromStdString(missing.string())), qPrintable(feed.error()));
    QTest::qWait(5 * kPollMs);
    QCOMPARE(errors.count(), 1);  // said once, not on every poll
  }
};

QTEST_GUILESS_MAIN(TestStoreFeed)
#include "test_store_feed.moc"

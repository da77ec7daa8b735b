// RunStore in one process: run state machine, heartbeats, NaN metrics, the since-queries the GUI polls,
// and MetricWriter batching. Multi-process behaviour is in test_store_concurrency.cpp.
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <thread>

#include "rw/core/store/metric_writer.h"
#include "rw/core/store/run_store.h"
#include "test_support.h"

using rw::core::MetricWriter;
using rw::core::OpenMode;
using rw::core::RunState;
using rw::core::RunStore;

class TestRunStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(scratch_.renew()); }

  void legalTransitions() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("tiny", "train", R"({"lr": 0.001})");
    auto run = store.run(id);
    QCOMPARE(run.state, RunState::Queued);
    QCOMPARE(QString::fromStdString(run.config_json), QString(R"({"lr": 0.001})"));
    QVERIFY(!run.started_ms && !run.pid);

    store.set_state(id, RunState::Running);
    run = store.run(id);
    QCOMPARE(run.state, RunState::Running);
    QVERIFY(run.started_ms && run.heartbeat_ms);
    QCOMPARE(*run.pid, static_cast<std::int64_t>(::getpid()));
    QCOMPARE(run.host, rw::core::this_host());
    store.heartbeat(id);

    store.set_state(id, RunState::Finished);
    run = store.run(id);
    QCOMPARE(run.state, RunState::Finished);
    QVERIFY(run.ended_ms && *run.ended_ms >= *run.started_ms);

    const auto cancelled = store.create_run("cancelled", "eval");
    store.set_state(cancelled, RunState::Stopped);
    QCOMPARE(store.run(cancelled).state, RunState::Stopped);

    const auto failed = store.create_run("oom", "train");
    store.set_state(failed, RunState::Running);
    store.set_state(failed, RunState::Failed, "CUDA out of memory at step 12");
    QCOMPARE(QString::fromStdString(store.run(failed).failure_reason), QString("CUDA out of memory at step 12"));
  }

  void transitionTable() {
    const std::set<std::pair<RunState, RunState>> legal = {
        {RunState::Queued, RunState::Running},  {RunState::Queued, RunState::Failed},
        {RunState::Queued, RunState::Stopped},  {RunState::Running, RunState::Finished},
        {RunState::Running, RunState::Failed},  {RunState::Running, RunState::Crashed},
        {RunState::Running, RunState::Stopped},
    };
    const RunState all[] = {RunState::Queued, RunState::Running, RunState::Finished,
                            RunState::Failed, RunState::Crashed, RunState::Stopped};
    for (RunState from : all) {
      QCOMPARE(rw::core::run_state_from_string(rw::core::to_string(from)), from);
      for (RunState to : all) QCOMPARE(rw::core::is_legal_transition(from, to), legal.count({from, to}) == 1);
    }
  }

  void illegalTransitionsRejected() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("r", "train");
    QString message = rw::test::error_of([&] { store.set_state(id, RunState::Finished); });
    QVERIFY2(message.contains(QString("run %1 cannot go from queued to finished").arg(id)), qPrintable(message));
    QVERIFY2(message.contains(QString::fromStdString(scratch_.path().string())), qPrintable(message));
    QVERIFY2(rw::test::error_of([&] { store.heartbeat(id); }).contains("not running"), "heartbeat while queued");

    store.set_state(id, RunState::Running);
    store.set_state(id, RunState::Finished);
    message = rw::test::error_of([&] { store.set_state(id, RunState::Running); });
    QVERIFY2(message.contains("cannot go from finished to running"), qPrintable(message));
    message = rw::test::error_of([&] { store.heartbeat(id); });
    QVERIFY2(message.contains("which is finished, not running"), qPrintable(message));
    QCOMPARE(store.run(id).state, RunState::Finished);

    message = rw::test::error_of([&] { store.set_state(9999, RunState::Running); });
    QVERIFY2(message.contains("no run with id 9999"), qPrintable(message));
    QVERIFY(!rw::test::error_of([] { rw::core::run_state_from_string("sleeping"); }).isEmpty());
  }

  void effectiveStateOfStaleRuns() {
    rw::core::RunRecord run;
    run.state = RunState::Running;
    run.host = rw::core::this_host();
    run.pid = ::getpid();
    run.heartbeat_ms = 1000;
    // Stale heartbeat but the process is alive on this host: slow, not crashed.
    QCOMPARE(rw::core::effective_state(run, 1'000'000, 100), RunState::Running);
    // Its process gone on this host: crashed at once, even with a fresh heartbeat (kill -9 a second ago).
    const pid_t done = ::fork();  // a process that has exited and been waited for: its pid is free
    if (done == 0) ::_exit(0);
    QVERIFY(done > 0 && ::waitpid(done, nullptr, 0) == done);
    run.pid = done;
    QCOMPARE(rw::core::effective_state(run, 1050, 100), RunState::Crashed);
    // No pid to ask: the heartbeat decides.
    run.pid = 0;
    QCOMPARE(rw::core::effective_state(run, 1050, 100), RunState::Running);
    QCOMPARE(rw::core::effective_state(run, 1'000'000, 100), RunState::Crashed);
    // Another host: the stale heartbeat alone decides.
    run.pid = ::getpid();
    run.host = "some-other-host.invalid";
    QCOMPARE(rw::core::effective_state(run, 1'000'000, 100), RunState::Crashed);
    run.state = RunState::Finished;
    QCOMPARE(rw::core::effective_state(run, 1'000'000, 100), RunState::Finished);
  }

  void nanMetricsRoundTrip() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("nan", "train");
    {
      MetricWriter writer(store);
      writer.add(id, "loss", 1, 2.5);
      writer.add(id, "loss", 2, std::nan(""));
      writer.add(id, "loss", 3, -INFINITY);
    }
    const auto points = store.metrics_since(id, "loss", 0);
    QCOMPARE(points.size(), size_t(3));
    QCOMPARE(points[0].value, 2.5);
    QVERIFY(!points[0].is_nan);
    QVERIFY(points[1].is_nan && std::isnan(points[1].value));
    QVERIFY(std::isinf(points[2].value) && points[2].value < 0);
    auto raw = store.database().prepare("SELECT value, is_nan FROM metrics WHERE step = 2");
    QVERIFY(raw.step());
    QVERIFY(!raw.column_is_null(0));
    QCOMPARE(raw.column_double(0), 0.0);
    QCOMPARE(raw.column_int64(1), 1);
    const auto latest = store.latest_metrics(id);
    QCOMPARE(latest.size(), size_t(1));
    QCOMPARE(latest[0].point.step, 3);
  }

  void sinceQueries() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto a = store.create_run("a", "train");
    const auto b = store.create_run("b", "eval");
    {
      MetricWriter writer(store);
      for (int step = 0; step < 10; ++step) {
        writer.add(a, "loss", step, 10.0 - step);
        writer.add(a, "lr", step, 1e-3);
        writer.add(b, "loss", step, 99);
      }
    }
    auto points = store.metrics_since(a, "loss", 6);
    QCOMPARE(points.size(), size_t(3));
    QCOMPARE(points.front().step, 7);
    QCOMPARE(points.back().value, 1.0);
    QCOMPARE(store.metrics_since(a, "loss", -1, /*limit=*/4).size(), size_t(4));
    QVERIFY(store.metrics_since(a, "loss", 9).empty());
    QCOMPARE(store.latest_metrics(a).size(), size_t(2));

    const auto e1 = store.add_event(a, "info", "started");
    store.add_event(b, "info", "other run");
    const auto e3 = store.add_event(a, "warning", "loss spike");
    auto events = store.events_since(a, 0);
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[0].id, e1);
    events = store.events_since(a, e1);
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].id, e3);
    QCOMPARE(QString::fromStdString(events[0].level), QString("warning"));
    QCOMPARE(QString::fromStdString(events[0].text), QString("loss spike"));

    rw::core::EvalCell cell;
    cell.run_id = a;
    cell.checkpoint_step = 100;
    cell.task = "niah";
    cell.length = 4096;
    cell.depth = 0.5;
    cell.score = 1.0;
    cell.prompt_hash = "abc";
    cell.output = "the magic number is 42";
    const auto c1 = store.add_eval_cell(cell);
    cell.depth = 0.75;
    cell.score = 0.0;
    const auto c2 = store.add_eval_cell(cell);
    auto cells = store.eval_cells_since(a, c1);
    QCOMPARE(cells.size(), size_t(1));
    QCOMPARE(cells[0].id, c2);
    QCOMPARE(cells[0].depth, 0.75);
    QCOMPARE(cells[0].length, 4096);
    QVERIFY(cells[0].ts_ms > 0);
    QCOMPARE(store.eval_cells_since(a, 0).size(), size_t(2));
    QVERIFY(store.eval_cells_since(b, 0).empty());

    store.add_checkpoint(a, 100, "checkpoints/1/step-100");
    store.add_checkpoint(a, 100, "checkpoints/1/step-100b");
    QCOMPARE(store.checkpoints(a).size(), size_t(1));

    const auto runs = store.list_runs();
    QCOMPARE(runs.size(), size_t(2));
    QCOMPARE(runs[0].id, b);  // newest first
  }

  void batchingUsesFewTransactions() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("batch", "train");
    {
      MetricWriter writer(store, {.max_rows = 100, .max_delay = std::chrono::hours(1)});
      for (int step = 0; step < 1050; ++step) writer.add(id, "loss", step, step * 0.5);
      QCOMPARE(writer.transactions(), size_t(10));
      QCOMPARE(writer.buffered(), size_t(50));
      // Buffered rows are not visible yet.
      QCOMPARE(store.metrics_since(id, "loss", -1).size(), size_t(1000));
    }  // destructor flushes the rest
    const auto points = store.metrics_since(id, "loss", -1);
    QCOMPARE(points.size(), size_t(1050));
    for (size_t i = 0; i < points.size(); ++i) QCOMPARE(points[i].step, static_cast<std::int64_t>(i));
    QCOMPARE(store.latest_metrics(id).at(0).point.step, 1049);
  }

  void batchingFlushesAfterDelay() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("slow", "train");
    MetricWriter writer(store, {.max_rows = 100000, .max_delay = std::chrono::milliseconds(30)});
    writer.add(id, "loss", 0, 1.0);
    QCOMPARE(writer.transactions(), size_t(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    writer.add(id, "loss", 1, 1.0);
    QCOMPARE(writer.transactions(), size_t(1));
    QCOMPARE(store.metrics_since(id, "loss", -1).size(), size_t(2));
  }

  void latestOnlyMovesForward() {
    auto store = RunStore::open(scratch_.path(), OpenMode::ReadWrite);
    const auto id = store.create_run("order", "train");
    {
      MetricWriter writer(store);
      writer.add(id, "loss", 5, 5.0);
      writer.add(id, "loss", 3, 3.0);
    }
    const auto latest = store.latest_metrics(id);
    QCOMPARE(latest.at(0).point.step, 5);
    QCOMPARE(latest.at(0).point.value, 5.0);
  }

 private:
  rw::test::ScratchStore scratch_;
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "test_run_store.moc"

// RunLease: the one life cycle of worker jobs. A new run and an adopted queued run end finished, stopped
// or failed with the reason; adoption refuses other kinds and non-queued runs; a stopped, crashed or
// failed run reopens; a lease dropped by an exception fails its run; heartbeats are throttled; and a stop
// request (request_stop, as SIGTERM's handler does) is seen by the lease.
#include <QTemporaryDir>
#include <QtTest>

#include <thread>

#include "rw/core/util/error.h"
#include "rw/core/worker/run_lease.h"
#include "rw/core/worker/stop_signal.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;

class TestRunLease : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(scratch_.renew());
    store_ = std::make_unique<RunStore>(RunStore::open(scratch_.path(), OpenMode::ReadWrite));
  }
  void cleanup() { store_.reset(); }

  void createdRunEndsFinished() {
    RunLease lease = RunLease::create(*store_, {.kind = "eval", .name = "e", .config_json = R"({"a":1})"});
    RunRecord run = store_->run(lease.run_id());
    QCOMPARE(run.state, RunState::Running);
    QCOMPARE(run.kind, std::string("eval"));
    QCOMPARE(run.config_json, std::string(R"({"a":1})"));
    QCOMPARE(*run.pid, static_cast<std::int64_t>(::getpid()));
    QCOMPARE(run_job(lease, [] { return RunState::Finished; }), RunState::Finished);
    QCOMPARE(store_->run(lease.run_id()).state, RunState::Finished);
    QVERIFY(lease.ended());
  }

  void jobsEndStoppedOrFailedWithTheReason() {
    RunLease stopped = RunLease::create(*store_, {.kind = "import", .name = "i"});
    run_job(stopped, [] { return RunState::Stopped; });
    QCOMPARE(store_->run(stopped.run_id()).state, RunState::Stopped);

    RunLease failed = RunLease::create(*store_, {.kind = "train", .name = "t"});
    const QString what = error_of([&] { run_job(failed, []() -> RunState { fail("disk full at step 3"); }); });
    QCOMPARE(what, QString("disk full at step 3"));
    const RunRecord run = store_->run(failed.run_id());
    QCOMPARE(run.state, RunState::Failed);
    QCOMPARE(run.failure_reason, std::string("disk full at step 3"));
    QCOMPARE(store_->events_since(failed.run_id(), 0).back().text, std::string("disk full at step 3"));

    RunLease described = RunLease::create(*store_, {.kind = "train", .name = "t2"});
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             run_job(
                                 described, []() -> RunState { throw std::runtime_error("raw"); },
                                 [](const std::exception& e) { return std::string("described: ") + e.what(); }));
    QCOMPARE(store_->run(described.run_id()).failure_reason, std::string("described: raw"));

    RunLease odd = RunLease::create(*store_, {.kind = "eval", .name = "odd"});
    QVERIFY(error_of([&] { run_job(odd, [] { return RunState::Running; }); }).contains("must end finished or stopped"));
  }

  void jobThatEndsItsOwnLeaseIsNotEndedTwice() {
    RunLease lease = RunLease::create(*store_, {.kind = "train", .name = "t"});
    run_job(lease, [&] {
      lease.stop("stopped at step 4 on request");
      return RunState::Stopped;
    });
    QCOMPARE(store_->run(lease.run_id()).state, RunState::Stopped);
    QCOMPARE(store_->events_since(lease.run_id(), 0).back().text, std::string("stopped at step 4 on request"));
    QVERIFY(error_of([&] { lease.finish(); }).contains("ended twice"));
  }

  void adoptionTakesQueuedRunsOfItsKindOnly() {
    const std::int64_t queued = store_->create_run("from the GUI", "eval", R"({"gui":true})");
    {
      RunLease lease = RunLease::adopt(*store_, queued, {.kind = "eval"});
      QCOMPARE(lease.run_id(), queued);
      QCOMPARE(store_->run(queued).state, RunState::Running);
      QCOMPARE(store_->run(queued).config_json, std::string(R"({"gui":true})"));  // "{}" keeps the GUI's config
      lease.finish();
    }
    QVERIFY(error_of([&] { RunLease::adopt(*store_, queued, {.kind = "eval"}); })
                .contains("is finished; --run-id takes a queued run"));
    const std::int64_t train = store_->create_run("t", "train");
    QVERIFY(error_of([&] { RunLease::adopt(*store_, train, {.kind = "eval"}); })
                .contains("is a train run, not a eval run"));
    QVERIFY(error_of([&] { RunLease::adopt(*store_, 999, {.kind = "eval"}); }).contains("999"));
    QCOMPARE(store_->run(train).state, RunState::Queued);  // a refused adoption changes nothing
  }

  void queuedRunFailsBeforeItsJobStarts() {
    const std::int64_t queued = store_->create_run("from the GUI", "train");
    fail_queued_run(*store_, queued, "train", "run.json: not valid JSON");
    QCOMPARE(store_->run(queued).state, RunState::Failed);
    QCOMPARE(store_->run(queued).failure_reason, std::string("run.json: not valid JSON"));
    QVERIFY(error_of([&] { fail_queued_run(*store_, queued, "train", "again"); }).contains("is failed"));
  }

  void droppedLeaseFailsItsRun() {
    std::int64_t id = 0;
    try {
      RunLease lease = RunLease::create(*store_, {.kind = "synth", .name = "s"});
      id = lease.run_id();
      throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    const RunRecord run = store_->run(id);
    QCOMPARE(run.state, RunState::Failed);
    QVERIFY(run.failure_reason.find("without recording an outcome") != std::string::npos);
  }

  void reopenContinuesEndedRuns() {
    RunLease first = RunLease::create(*store_, {.kind = "eval", .name = "e"});
    first.stop();
    RunLease again = RunLease::reopen(*store_, first.run_id(), {.kind = "eval"});
    QCOMPARE(store_->run(first.run_id()).state, RunState::Running);
    again.finish();
    QVERIFY(error_of([&] { RunLease::reopen(*store_, first.run_id(), {.kind = "eval"}); })
                .contains("only a stopped, crashed or failed run can be resumed"));
  }

  void heartbeatsAreThrottledAndStopIsSeen() {
    RunLease lease = RunLease::create(*store_, {.kind = "eval", .name = "e", .heartbeat_interval_ms = 50});
    const std::int64_t first = *store_->run(lease.run_id()).heartbeat_ms;
    lease.heartbeat();  // within the interval: not written
    QCOMPARE(*store_->run(lease.run_id()).heartbeat_ms, first);
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    lease.heartbeat();
    QVERIFY(*store_->run(lease.run_id()).heartbeat_ms > first);
    QVERIFY(!lease.stop_requested());
    request_stop();
    QVERIFY(lease.stop_requested());
    lease.stop();
  }

 private:
  rw::test::ScratchStore scratch_;
  std::unique_ptr<RunStore> store_;
};

QTEST_GUILESS_MAIN(TestRunLease)
#include "test_run_lease.moc"

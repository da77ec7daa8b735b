// The run store as an inter-process bus: a forked writer process logs metrics while this process polls
// read-only (no lost or duplicated rows, no SQLITE_BUSY), and a SIGKILLed job is detected as crashed.
// Children only touch SQLite (opened after fork) and leave with _exit.
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "rw/core/store/metric_writer.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/error.h"
#include "test_support.h"

using rw::core::MetricWriter;
using rw::core::OpenMode;
using rw::core::RunState;
using rw::core::RunStore;
using namespace std::chrono_literals;

namespace {

constexpr int kRows = 20000;

[[noreturn]] void writer_child(const std::filesystem::path& path, std::int64_t run_id) {
  int code = 0;
  try {
    auto store = RunStore::open(path, OpenMode::ReadWrite);
    store.set_state(run_id, RunState::Running);
    MetricWriter writer(store, {.max_rows = 37, .max_delay = 5ms});
    for (int step = 0; step < kRows; ++step) {
      writer.add(run_id, "loss", step, 1.0 / (step + 1));
      writer.add(run_id, "lr", step, 1e-4);
      if (step % 2000 == 0) store.add_event(run_id, "info", "step " + std::to_string(step));
    }
    writer.flush();
    store.set_state(run_id, RunState::Finished);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer child: %s\n", e.what());
    code = 1;
  }
  _exit(code);
}

[[noreturn]] void heartbeat_child(const std::filesystem::path& path, std::int64_t run_id) {
  try {
    auto store = RunStore::open(path, OpenMode::ReadWrite);
    store.set_state(run_id, RunState::Running);
    for (;;) {
      store.heartbeat(run_id);
      std::this_thread::sleep_for(20ms);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "heartbeat child: %s\n", e.what());
  }
  _exit(1);
}

}  // namespace

class TestStoreConcurrency : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(dir_.isValid()); }

  void readerSeesEveryRowOnce() {
    const auto path = file("bus.db");
    std::int64_t run_id = 0;
    {
      auto store = RunStore::open(path, OpenMode::ReadWrite);
      run_id = store.create_run("writer", "train");
    }  // closed before fork: SQLite connections must not cross fork()
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) writer_child(path, run_id);

    QString error;
    std::int64_t last = -1;
    int seen = 0;
    int gaps = 0;
    int polls = 0;
    int partial_polls = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    try {
      auto reader = RunStore::open(path, OpenMode::ReadOnly);
      while (last < kRows - 1 && std::chrono::steady_clock::now() < deadline) {
        ++polls;
        for (const auto& point : reader.metrics_since(run_id, "loss", last)) {
          if (point.step != last + 1) ++gaps;  // a skipped or repeated step
          last = point.step;
          ++seen;
        }
        if (last >= 0 && last < kRows - 1) ++partial_polls;  // caught the writer mid-way
        reader.latest_metrics(run_id);
        reader.events_since(run_id, 0);
        std::this_thread::sleep_for(2ms);
      }
    } catch (const rw::core::Error& e) {
      error = QString::fromUtf8(e.what());
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QCOMPARE(gaps, 0);
    QCOMPARE(seen, kRows);
    QCOMPARE(last, kRows - 1);
    qInfo("reader polled %d times, %d while the writer was mid-way", polls, partial_polls);

    auto store = RunStore::open(path, OpenMode::ReadOnly);
    QCOMPARE(store.metrics_since(run_id, "lr", -1).size(), size_t(kRows));
    QCOMPARE(store.run(run_id).state, RunState::Finished);
    QCOMPARE(store.events_since(run_id, 0).size(), size_t(kRows / 2000));
  }

  void twoWritersQueueInsteadOfFailing() {
    // BEGIN IMMEDIATE + busy_timeout: a second writer (e.g. the GUI queueing a run) waits its turn.
    const auto path = file("two_writers.db");
    std::int64_t run_id = 0;
    {
      auto store = RunStore::open(path, OpenMode::ReadWrite);
      run_id = store.create_run("writer", "train");
    }
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) writer_child(path, run_id);
    QString error;
    int created = 0;
    try {
      auto store = RunStore::open(path, OpenMode::ReadWrite);
      while (store.run(run_id).state != RunState::Finished && created < 2000) {
        const auto other = store.create_run("queued meanwhile", "eval");
        store.add_event(other, "info", "queued");
        ++created;
      }
    } catch (const rw::core::Error& e) {
      error = QString::fromUtf8(e.what());
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    auto store = RunStore::open(path, OpenMode::ReadOnly);
    QCOMPARE(store.metrics_since(run_id, "loss", -1).size(), size_t(kRows));
    QCOMPARE(store.list_runs().size(), size_t(created + 1));
  }

  void killedWriterIsCrashed() {
    const auto path = file("crash.db");
    std::int64_t run_id = 0;
    {
      auto store = RunStore::open(path, OpenMode::ReadWrite);
      run_id = store.create_run("doomed", "train");
    }
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) heartbeat_child(path, run_id);

    auto store = RunStore::open(path, OpenMode::ReadWrite);
    constexpr std::int64_t kStaleMs = 150;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    bool running = false;
    while (!running && std::chrono::steady_clock::now() < deadline) {
      const auto run = store.run(run_id);
      running = run.state == RunState::Running && run.pid == child;
      if (!running) std::this_thread::sleep_for(10ms);
    }
    if (!running) ::kill(child, SIGKILL);
    QVERIFY(running);

    // Alive and heartbeating: never crashed, even after longer than the stale threshold.
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * kStaleMs));
    QCOMPARE(rw::core::effective_state(store.run(run_id), rw::core::now_ms(), kStaleMs), RunState::Running);
    QVERIFY(store.reap_crashed(kStaleMs).empty());

    QCOMPARE(::kill(child, SIGKILL), 0);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);  // reaped: kill(pid, 0) now says ESRCH
    QVERIFY(WIFSIGNALED(status));

    // Its process is gone on this host: crashed at once, without waiting for the heartbeat to go stale.
    QCOMPARE(rw::core::effective_state(store.run(run_id), rw::core::now_ms(), kStaleMs), RunState::Crashed);
    const auto reaped = store.reap_crashed(kStaleMs);
    QCOMPARE(reaped.size(), size_t(1));
    QCOMPARE(reaped[0], run_id);
    const auto run = store.run(run_id);
    QCOMPARE(run.state, RunState::Crashed);
    QVERIFY2(QString::fromStdString(run.failure_reason).contains(QString::number(child)), run.failure_reason.c_str());
    QVERIFY(store.reap_crashed(kStaleMs).empty());
  }

 private:
  std::filesystem::path file(const char* name) const { return std::filesystem::path(dir_.path().toStdString()) / name; }
  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestStoreConcurrency)
#include "test_store_concurrency.moc"

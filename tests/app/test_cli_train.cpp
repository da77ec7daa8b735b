// `ropewalk-cli train` as a user runs it: JSON-lines progress, a SIGKILLed trainer leaves its complete
// checkpoints loadable and the run reads as crashed, --resume continues it without duplicated metrics,
// SIGINT checkpoints and stops (exit 130), and a bad run config fails before any work with one line.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/store/run_store.h"
#include "rw/core/train/checkpoint.h"
#include "rw/core/worker/worker_protocol.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace rw::core;

using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;
using rw::test::write_bytes;

namespace {

/// Starts the trainer and returns once a progress line reports at least `min_step` and a checkpoint exists.
void start_until(QProcess& process, const QStringList& args, std::int64_t min_step, const fs::path& run_root) {
  process.start(QStringLiteral(RW_CLI_PATH), args);
  QVERIFY(process.waitForStarted());
  std::int64_t step = 0;
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 120000) {
    process.waitForReadyRead(200);
    while (process.canReadLine()) {
      const WorkerEvent e = parse_worker_event(process.readLine().trimmed().toStdString());
      if (e.type != WorkerEventType::Progress) continue;  // started, log lines
      QCOMPARE(e.unit, std::string("steps"));
      step = e.done;
    }
    bool checkpoint = false;
    if (fs::exists(run_root)) {
      for (const auto& run_dir : fs::directory_iterator(run_root)) checkpoint |= latest_checkpoint(run_dir).has_value();
    }
    if (step >= min_step && checkpoint) return;
    QVERIFY2(process.state() == QProcess::Running, qPrintable(process.readAllStandardError()));
  }
  QFAIL("the trainer did not get far enough in time");
}

}  // namespace

class TestCliTrain : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    project_ = fs::path(tmp_.path().toStdString()) / "p";
    auto r = run_cli({"project", "init", q(project_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const fs::path texts = project_ / "corpus";
    for (int i = 0; i < 12; ++i) {
      std::ofstream out(texts / ("t" + std::to_string(i) + ".txt"));
      for (int j = 0; j < 60; ++j) out << "sentence " << (i * 7 + j) % 13 << " of the little test corpus goes here. ";
    }
    r = run_cli({"corpus", "add", q(project_), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    config_ = project_ / "run.json";
    std::ofstream(config_) << rw::test::tiny_run_config(5000).dump(2);
  }

  void killedTrainerLeavesCheckpointsAndResumes() {
    QProcess trainer;
    start_until(trainer, {"train", q(project_), q(config_), "--progress", "json"}, 9, project_ / "checkpoints");
    ::kill(static_cast<pid_t>(trainer.processId()), SIGKILL);
    QVERIFY(trainer.waitForFinished(10000));

    auto store = RunStore::open(project_ / "store.db", OpenMode::ReadWrite);
    const RunRecord run = store.list_runs().at(0);
    QCOMPARE(effective_state(run, now_ms(), 0), RunState::Crashed);
    const fs::path run_dir = project_ / "checkpoints" / ("cli-" + std::to_string(run.id));
    const auto checkpoints = list_checkpoints(run_dir);
    QVERIFY(!checkpoints.empty() && checkpoints.size() <= 2);  // keep_last 2
    for (const fs::path& c : checkpoints) {
      const TrainingState state = load_training_state(c);
      QCOMPARE(c, checkpoint_path(run_dir, state.step));
      QVERIFY(load_hf_model(c).model->named_parameters().size() > 0);
    }
    const std::int64_t saved = load_training_state(checkpoints.back()).step;

    auto r = run_cli({"train", q(project_), q(config_), "--resume", "--max-steps", "3", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json result = json::parse(r.std_out.trimmed().toStdString());
    QCOMPARE(result.at("state").get<std::string>(), std::string("stopped"));
    QCOMPARE(result.at("step").get<std::int64_t>(), saved + 3);
    QCOMPARE(result.at("run_id").get<std::int64_t>(), run.id);
    // Steps the killed process logged after its last checkpoint were dropped and trained again: one point each.
    const auto points = store.metrics_since(run.id, "loss", 0);
    QCOMPARE(points.size(), static_cast<size_t>(saved + 3));
    for (size_t i = 0; i < points.size(); ++i) QCOMPARE(points[i].step, static_cast<std::int64_t>(i + 1));
    QCOMPARE(store.run(run.id).state, RunState::Stopped);
  }

  void interruptCheckpointsAndStops() {
    QProcess trainer;
    start_until(trainer, {"train", q(project_), q(config_), "--resume", "--progress", "json"}, 14,
                project_ / "checkpoints");
    ::kill(static_cast<pid_t>(trainer.processId()), SIGINT);
    QVERIFY(trainer.waitForFinished(60000));
    QCOMPARE(trainer.exitCode(), 130);
    auto store = RunStore::open(project_ / "store.db", OpenMode::ReadOnly);
    const RunRecord run = store.list_runs().at(0);
    QCOMPARE(run.state, RunState::Stopped);
    const auto latest = store.metrics_since(run.id, "loss", 0).back().step;
    QCOMPARE(store.checkpoints(run.id).back().step, latest);  // stopped right after a checkpoint of its last step
  }

  void badConfigFailsWithOneLine() {
    json bad = rw::test::tiny_run_config(5000);
    bad["stages"][0]["sequence_length"] = 64;
    const fs::path path = project_ / "bad.json";
    std::ofstream(path) << bad.dump();
    const auto r = run_cli({"train", q(project_), q(path)});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("stages[0].sequence_length"), qPrintable(r.std_err));
    QCOMPARE(r.std_err.trimmed().count('\n'), 0);
  }

 private:
  QTemporaryDir tmp_;
  fs::path project_, config_;
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"

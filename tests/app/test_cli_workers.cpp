// Every worker command (train, eval, corpus add) as the GUI runs it: with --progress json its stdout is the
// worker protocol and nothing else (each line checked by parse_worker_transcript): `started` first, then
// exactly one `result` on success or `error` on bad input, last. SIGTERM ends each in state `stopped`
// (exit 130), never `crashed`; --run-id makes each work on the run the GUI queued, and bad input then ends
// that run `failed` with the reason.
#include <QElapsedTimer>
#include <QProcess>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_test_support.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/files.h"
#include "rw/core/worker/worker_protocol.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace rw::core;
using rw::test::q;
using rw::test::run_cli;
using rw::test::write_bytes;

namespace {

QString model() { return q(rw::test::hf_fixture_dir() / "chat-llama" / "model"); }

struct Transcript {
  int exit_code = -1;
  std::vector<WorkerEvent> events;
  QString std_err;
};

/// Runs ropewalk-cli; when `signal_when` accepts an event, sends SIGTERM. Every stdout line must be protocol.
Transcript run_worker(const QStringList& args, const std::function<bool(const WorkerEvent&)>& signal_when = {}) {
  QProcess process;
  process.start(QStringLiteral(RW_CLI_PATH), args);
  Transcript t;
  if (!process.waitForStarted()) return t;
  std::string out;
  bool signalled = false;
  QElapsedTimer timer;
  timer.start();
  while (process.state() != QProcess::NotRunning && timer.elapsed() < 240000) {
    process.waitForReadyRead(100);
    while (process.canReadLine()) {
      const std::string line = process.readLine().toStdString();
      out += line;
      if (signal_when && !signalled && signal_when(parse_worker_event(line.substr(0, line.size() - 1)))) {
        ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
        signalled = true;
      }
    }
  }
  process.waitForFinished(60000);
  out += process.readAllStandardOutput().toStdString();
  t.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  t.std_err = QString::fromUtf8(process.readAllStandardError());
  t.events = parse_worker_transcript(out);  // throws (fails the test) on any line that is not protocol
  return t;
}

bool progressed(const WorkerEvent& e, std::int64_t done) {
  return e.type == WorkerEventType::Progress && e.done >= done;
}

json payload(const Transcript& t) {
  if (t.events.back().type != WorkerEventType::Result) return json();
  return json::parse(t.events.back().payload_json);
}

}  // namespace

class TestCliWorkers : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(scratch_.error.isEmpty(), qPrintable(scratch_.error));
    project_ = scratch_.project;
    for (int i = 0; i < 8; ++i) {
      std::string text;
      for (int j = 0; j < 40; ++j) text += "sentence " + std::to_string((i * 7 + j) % 13) + " of the worker corpus. ";
      write_bytes(scratch_.root / "texts" / ("t" + std::to_string(i) + ".txt"), text);
    }
    const auto r = run_cli({"corpus", "add", q(project_), q(scratch_.root / "texts"), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    for (const std::int64_t steps : {4, 100000}) {
      const fs::path path = project_ / ("run-" + std::to_string(steps) + ".json");
      std::ofstream(path) << rw::test::tiny_run_config(steps).dump();
    }
    json bad = rw::test::tiny_run_config(4);
    bad["stages"][0]["seq_len"] = 0;
    std::ofstream(project_ / "bad.json") << bad.dump();
  }

  void trainProtocol() {
    const Transcript ok = run_worker({"train", q(project_), q(project_ / "run-4.json"), "--progress", "json"});
    QCOMPARE(ok.exit_code, 0);
    QCOMPARE(ok.events.front().kind, std::string("train"));
    QCOMPARE(payload(ok).at("state").get<std::string>(), std::string("finished"));
    QCOMPARE(payload(ok).at("run_id").get<std::int64_t>(), *ok.events.front().run_id);
    QVERIFY(std::any_of(ok.events.begin(), ok.events.end(),
                        [](const WorkerEvent& e) { return e.type == WorkerEventType::Progress && e.unit == "steps"; }));
    QCOMPARE(store().run(*ok.events.front().run_id).state, RunState::Finished);

    const auto runs_before = store().list_runs().size();
    const Transcript error = run_worker({"train", q(project_), q(project_ / "bad.json"), "--progress", "json"});
    QCOMPARE(error.exit_code, 1);
    const WorkerEvent& e = error.events.back();
    QVERIFY(e.type == WorkerEventType::Error);
    QVERIFY2(e.message.find("stages[0].seq_len") != std::string::npos, e.message.c_str());
    QVERIFY2(e.file.ends_with("bad.json"), e.file.c_str());  // where, for the GUI to point at the field
    QCOMPARE(e.json_path, std::string("stages[0].seq_len"));
    QCOMPARE(e.key, std::string("seq_len"));
    QVERIFY(!error.events.front().run_id);  // refused before any run row was written
    QCOMPARE(store().list_runs().size(), runs_before);

    const Transcript stopped = run_worker({"train", q(project_), q(project_ / "run-100000.json"), "--progress", "json"},
                                          [](const WorkerEvent& e) { return progressed(e, 3); });
    QCOMPARE(stopped.exit_code, 130);
    QCOMPARE(payload(stopped).at("state").get<std::string>(), std::string("stopped"));
    QCOMPARE(store().run(*stopped.events.front().run_id).state, RunState::Stopped);
  }

  void evalProtocol() {
    const QStringList cells = {"--lengths", "200,240",  "--depths", "0,100",     "--max-new-tokens",
                               "2",         "--device", "cpu",      "--project", q(project_)};
    const Transcript ok = run_worker(QStringList{"eval", "passkey", model(), "--progress", "json"} + cells);
    QCOMPARE(ok.exit_code, 0);
    QCOMPARE(ok.events.front().kind, std::string("eval"));
    QCOMPARE(payload(ok).at("cells").size(), size_t{4});
    QCOMPARE(store().run(*ok.events.front().run_id).state, RunState::Finished);

    const Transcript error =
        run_worker(QStringList{"eval", "niah", model(), "--progress", "json", "--lengths", "abc"} + cells.mid(2));
    QCOMPARE(error.exit_code, 1);
    QVERIFY2(error.events.back().message.find("--lengths needs integers, got 'abc'") != std::string::npos,
             error.events.back().message.c_str());

    // Many cells, one per batch: SIGTERM after the first lands between batches.
    const Transcript stopped =
        run_worker({"eval", "passkey", model(), "--progress", "json", "--length-range", "200:600:40", "--depth-count",
                    "5", "--batch-size", "1", "--device", "cpu", "--max-new-tokens", "2", "--project", q(project_)},
                   [](const WorkerEvent& e) { return progressed(e, 1); });
    QCOMPARE(stopped.exit_code, 130);
    QVERIFY(payload(stopped).at("stopped").get<bool>());
    const std::int64_t run = *stopped.events.front().run_id;
    QCOMPARE(store().run(run).state, RunState::Stopped);
    const auto stored = store().eval_cells_since(run, 0).size();
    QVERIFY2(stored >= 1 && stored < 200, qPrintable(QString::number(stored)));
  }

  void absurdModelIsAnErrorEvent() {
    // A config.json no machine can hold: an `error` event naming the file and key, exit 1, no signal.
    const fs::path dir = scratch_.root / "absurd-model";
    fs::copy(model().toStdString(), dir, fs::copy_options::recursive);
    json config = json::parse(read_text_file(dir / "config.json"));
    config["vocab_size"] = std::int64_t{1} << 40;
    write_bytes(dir / "config.json", config.dump());
    const Transcript t = run_worker({"eval", "passkey", q(dir), "--progress", "json", "--lengths", "200", "--depths",
                                     "0", "--device", "cpu", "--project", q(project_)});
    QCOMPARE(t.exit_code, 1);
    const WorkerEvent& e = t.events.back();
    QVERIFY(e.type == WorkerEventType::Error);
    QVERIFY2(e.message.find("'vocab_size' = 1099511627776") != std::string::npos, e.message.c_str());
    QCOMPARE(e.file, (dir / "config.json").string());
    QCOMPARE(e.key, std::string("vocab_size"));
  }

  void importProtocol() {
    for (int i = 0; i < 3; ++i) write_bytes(scratch_.root / "small" / (std::to_string(i) + ".txt"), "tidal words");
    const Transcript ok = run_worker(
        {"corpus", "add", q(project_), q(scratch_.root / "small"), "--corpus", "small", "--progress", "json"});
    QCOMPARE(ok.exit_code, 0);
    QCOMPARE(ok.events.front().kind, std::string("import"));
    QCOMPARE(payload(ok).at("documents_added").get<int>(), 1);  // the three files hold the same text
    QCOMPARE(payload(ok).at("duplicates").get<int>(), 2);

    const Transcript error =
        run_worker({"corpus", "add", q(project_), q(scratch_.root / "missing"), "--progress", "json"});
    QCOMPARE(error.exit_code, 1);
    QVERIFY(error.events.back().message.find("missing does not exist") != std::string::npos);

    // Thousands of files: SIGTERM after the first progress line; the import rolls back whole.
    for (int i = 0; i < 4000; ++i)
      write_bytes(scratch_.root / "many" / (std::to_string(i) + ".txt"),
                  "file " + std::to_string(i) + " talks about harbours, tides and lighthouse number " +
                      std::to_string(i * 7) + ".");
    const Transcript stopped =
        run_worker({"corpus", "add", q(project_), q(scratch_.root / "many"), "--corpus", "many", "--progress", "json"},
                   [](const WorkerEvent& e) { return progressed(e, 1); });
    QCOMPARE(stopped.exit_code, 130);
    QVERIFY(payload(stopped).at("stopped").get<bool>());
    QCOMPARE(store().run(*stopped.events.front().run_id).state, RunState::Stopped);
    Database db = open_store(project_ / "store.db", OpenMode::ReadOnly);
    QVERIFY(!CorpusStore(db).find_corpus("many"));  // nothing of the stopped import was kept
  }

  void runIdAdoptionForEveryWorker() {
    const auto queue = [&](const char* kind) { return store().create_run("queued by the GUI", kind); };
    const struct {
      const char* kind;
      QStringList args;
    } workers[] = {
        {"train", {"train", q(project_), q(project_ / "run-4.json")}},
        {"eval",
         {"eval", "passkey", model(), "--lengths", "200", "--depths", "50", "--device", "cpu", "--project",
          q(project_)}},
        {"import", {"corpus", "add", q(project_), q(scratch_.root / "small"), "--corpus", "adopted"}},
    };
    for (const auto& w : workers) {
      const std::int64_t id = queue(w.kind);
      const Transcript t = run_worker(w.args + QStringList{"--progress", "json", "--run-id", QString::number(id)});
      QVERIFY2(t.exit_code == 0, qPrintable(t.std_err));
      QCOMPARE(*t.events.front().run_id, id);
      QCOMPARE(store().run(id).state, RunState::Finished);
      QCOMPARE(store().run(id).kind, std::string(w.kind));
    }
    // Bad input ends the queued run failed, with the reason the error event gives.
    const std::int64_t id = queue("train");
    const Transcript bad = run_worker(
        {"train", q(project_), q(project_ / "bad.json"), "--progress", "json", "--run-id", QString::number(id)});
    QCOMPARE(bad.exit_code, 1);
    const RunRecord run = store().run(id);
    QCOMPARE(run.state, RunState::Failed);
    QVERIFY2(run.failure_reason.find("stages[0].seq_len") != std::string::npos, run.failure_reason.c_str());
    // A run of another kind is refused and left as it was.
    const std::int64_t other = queue("eval");
    const Transcript wrong = run_worker({"corpus", "add", q(project_), q(scratch_.root / "small"), "--progress", "json",
                                         "--run-id", QString::number(other)});
    QCOMPARE(wrong.exit_code, 1);
    QVERIFY(wrong.events.back().message.find("is a eval run, not a import run") != std::string::npos);
    QCOMPARE(store().run(other).state, RunState::Queued);
  }

  // After the tests above the store holds finished, stopped, failed and queued runs of every kind.
  void runsListAndShow() {
    auto r = run_cli({"runs", "list", q(project_), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json list = json::parse(r.std_out.toStdString())["runs"];
    std::set<std::string> states;
    std::int64_t stopped_train = 0;
    for (const auto& run : list) {
      states.insert(run["state"].get<std::string>());
      if (run["kind"] == "train" && run["state"] == "stopped") stopped_train = run["id"].get<std::int64_t>();
    }
    QVERIFY(states.count("finished") && states.count("stopped") && states.count("failed") && states.count("queued"));
    QVERIFY(stopped_train > 0);
    QCOMPARE(list.front()["id"].get<std::int64_t>() > list.back()["id"].get<std::int64_t>(), true);  // newest first
    r = run_cli({"runs", "list", q(project_)});
    QVERIFY2(r.std_out.contains("stages[0].seq_len") && r.std_out.contains("stopped"), qPrintable(r.std_out));
    // One run: where it stopped, with its checkpoint and config.
    r = run_cli({"runs", "show", q(project_), QString::number(stopped_train), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json shown = json::parse(r.std_out.toStdString());
    QVERIFY(shown["last_step"].get<std::int64_t>() > 0);
    QVERIFY(!shown["checkpoints"].empty());
    QVERIFY(shown["latest_metrics"].contains("loss"));
    QCOMPARE(shown["config"]["stages"][0]["seq_len"].get<std::int64_t>(), std::int64_t{64});
    QVERIFY(rw::test::one_line_error_problem(run_cli({"runs", "show", q(project_), "abc"}), "run id must be a number")
                .isEmpty());
    QVERIFY(rw::test::one_line_error_problem(run_cli({"runs", "show", q(project_), "99999"}), "no run").isEmpty());
  }

 private:
  RunStore store() { return RunStore::open(project_ / "store.db", OpenMode::ReadWrite); }

  rw::test::ScratchProject scratch_;
  fs::path project_;
};

QTEST_GUILESS_MAIN(TestCliWorkers)
#include "test_cli_workers.moc"

// End to end through ropewalk-cli: `eval niah` on the tiny HF fixture model into a project store (a run of
// kind eval, finished, one row per cell), `eval passkey` and `eval ppl` printing JSON without a project,
// progress JSON lines, a failing eval leaving its run failed with the cause, and bad input as one line.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_test_support.h"
#include "rw/core/worker/worker_protocol.h"
#include "rw/core/tasks/default_haystack.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/tasks/cell_prompt.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

using rw::test::q;
using rw::test::run_cli;

namespace {

QString model() { return q(rw::test::hf_fixture_dir() / "chat-llama" / "model"); }

}  // namespace

class TestCliEval : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    scratch_ = std::make_unique<rw::test::ScratchProject>();
    QVERIFY2(scratch_->error.isEmpty(), qPrintable(scratch_->error));
  }
  void cleanup() { scratch_.reset(); }

  void niahIntoProjectStore() {
    const auto r = run_cli({"eval",      "niah",         model(),       "--project",
                            q(scratch_->project), "--lengths",    "128,160,192", "--depth-count",
                            "3",         "--buffer",     "8",           "--max-new-tokens",
                            "4",         "--batch-size", "2",           "--device",
                            "cpu",       "--run-name",   "tiny niah",   "--checkpoint-step",
                            "50",        "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json out = json::parse(r.std_out.trimmed().toStdString());
    const auto run_id = out.at("run_id").get<std::int64_t>();
    QCOMPARE(out.at("prompt_format").get<std::string>(), std::string("completion"));  // no chat template
    QCOMPARE(out.at("haystack").get<std::string>(), std::string(rw::core::kBuiltinHaystackName));
    QCOMPARE(out.at("cells").size(), size_t(9));

    auto store = rw::core::RunStore::open(scratch_->project / "store.db", rw::core::OpenMode::ReadOnly);
    const auto run = store.run(run_id);
    QCOMPARE(run.kind, std::string("eval"));
    QCOMPARE(run.name, std::string("tiny niah"));
    QCOMPARE(run.state, rw::core::RunState::Finished);
    const json config = json::parse(run.config_json);
    QCOMPARE(config.at("checkpoint_step").get<int>(), 50);
    QCOMPARE(config.at("suite").at("lengths"), json::parse("[128, 160, 192]"));
    const auto cells = store.eval_cells_since(run_id, 0);
    QCOMPARE(cells.size(), size_t(9));
    std::set<std::pair<std::int64_t, double>> grid;
    for (const auto& c : cells) {
      QCOMPARE(c.task, std::string("niah"));
      QCOMPARE(c.checkpoint_step, std::int64_t(50));
      QVERIFY(c.score >= 0 && c.score <= 1);
      QCOMPARE(c.prompt_hash.size(), size_t(64));
      grid.insert({c.length, c.depth});
    }
    QCOMPARE(grid.size(), size_t(9));
    QVERIFY(grid.count({192, 1.0}) && grid.count({128, 0.0}) && grid.count({160, 0.5}));
    // The CLI's JSON and the store agree cell by cell.
    for (size_t i = 0; i < cells.size(); ++i) {
      QCOMPARE(out.at("cells")[i].at("prompt_hash").get<std::string>(), cells[i].prompt_hash);
      QCOMPARE(out.at("cells")[i].at("output").get<std::string>(), cells[i].output);
    }
  }

  void cellPromptsAreRebuiltExactly() {
    const auto r = run_cli({"eval", "passkey", model(), "--project", q(scratch_->project), "--lengths", "200,260",
                            "--depths", "0,50,100", "--max-new-tokens", "4", "--device", "cpu", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto n = run_cli({"eval", "niah", model(), "--project", q(scratch_->project), "--lengths", "128,160",
                            "--depth-count", "3", "--buffer", "8", "--max-new-tokens", "4", "--device", "cpu", "--json"});
    QVERIFY2(n.exit_code == 0, qPrintable(n.std_err));
    const rw::core::Project project = rw::core::Project::open(scratch_->project);
    auto store = rw::core::RunStore::open(project.store_path(), rw::core::OpenMode::ReadWrite);
    for (const auto& out : {json::parse(r.std_out.trimmed().toStdString()), json::parse(n.std_out.trimmed().toStdString())}) {
      const auto run = store.run(out.at("run_id").get<std::int64_t>());
      const auto cells = store.eval_cells_since(run.id, 0);
      QCOMPARE(cells.size(), size_t(6));
      for (const auto& cell : cells) {
        const rw::core::CellPrompt p = rw::core::rebuild_cell_prompt(project, store, run, cell);
        QVERIFY2(p.exact, qPrintable(QString::fromStdString(cell.task + " " + p.note)));
        QVERIFY(p.note.empty());
        QVERIFY(!p.needles.empty());
        // The highlighted span is the needle (NIAH) or holds the pass key the scorer looks for.
        const std::string needle = p.prompt.substr(p.needles[0].first, p.needles[0].second - p.needles[0].first);
        if (cell.task == "niah") QVERIFY2(needle.find("sandwich") != std::string::npos, needle.c_str());
        else QCOMPARE(needle, p.references.at(0));
      }
    }
    // A suite changed after the fact gives a prompt that is not the one scored, and says so.
    const auto run = store.run(json::parse(n.std_out.trimmed().toStdString()).at("run_id").get<std::int64_t>());
    json config = json::parse(run.config_json);
    config["suite"]["niah"]["needle"] = " The secret word is tangerine.";
    store.set_config(run.id, config.dump());
    const auto cell = store.eval_cells_since(run.id, 0).front();
    const rw::core::CellPrompt changed = rw::core::rebuild_cell_prompt(project, store, store.run(run.id), cell);
    QVERIFY(!changed.exact);
    QVERIFY2(QString::fromStdString(changed.note).contains("not the prompt the model saw"), changed.note.c_str());
    QVERIFY(changed.prompt.find("tangerine") != std::string::npos);
  }

  void passkeyAndPerplexityWithoutProject() {
    auto r = run_cli({"eval", "passkey", model(), "--lengths", "200,260", "--depths", "0,100", "--device", "cpu",
                      "--json", "--seed", "3"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    json out = json::parse(r.std_out.trimmed().toStdString());
    QVERIFY(out.at("run_id").is_null());
    QCOMPARE(out.at("cells").size(), size_t(4));
    QCOMPARE(out.at("cells")[0].at("task").get<std::string>(), std::string("passkey"));

    const fs::path doc = scratch_->root / "doc.txt";
    std::ofstream(doc) << rw::core::builtin_haystack_text();
    r = run_cli({"eval", "ppl", model(), "--text", q(doc), "--lengths", "64,100", "--bucket", "16", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    out = json::parse(r.std_out.trimmed().toStdString());
    QCOMPARE(out.at("perplexity").size(), size_t(2));
    const json& p = out.at("perplexity")[0];
    QCOMPARE(p.at("length").get<int>(), 64);
    QCOMPARE(p.at("documents").get<int>(), 1);
    QCOMPARE(p.at("buckets").size(), size_t(4));
    QVERIFY(p.at("mean_nll").get<double>() > 0 && std::isfinite(p.at("mean_nll").get<double>()));
  }

  void progressJsonLines() {
    const auto r = run_cli(
        {"eval", "passkey", model(), "--lengths", "200", "--depths", "0,50", "--device", "cpu", "--progress", "json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    // Under --progress json stdout is the worker protocol and nothing else.
    const auto events = rw::core::parse_worker_transcript(r.std_out.toStdString());
    QCOMPARE(events.front().kind, std::string("eval"));
    QVERIFY(!events.front().run_id);  // no --project: no run
    const rw::core::WorkerEvent* last_progress = nullptr;
    for (const auto& e : events) {
      if (e.type == rw::core::WorkerEventType::Progress) last_progress = &e;
    }
    QVERIFY(last_progress);
    QCOMPARE(last_progress->done, std::int64_t{2});
    QCOMPARE(last_progress->total, std::int64_t{2});
    QCOMPARE(last_progress->unit, std::string("cells"));
    QVERIFY(events.back().type == rw::core::WorkerEventType::Result);
    const json payload = json::parse(events.back().payload_json);
    QVERIFY(payload.at("mean_scores").contains("passkey"));
    QCOMPARE(payload.at("cells").size(), size_t{2});
  }

  void failedEvalMarksRunFailed() {
    const auto r = run_cli(
        {"eval", "niah", model(), "--project", q(scratch_->project), "--lengths", "30", "--depths", "50", "--device", "cpu"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("length 30 leaves no haystack"), qPrintable(r.std_err));
    auto store = rw::core::RunStore::open(scratch_->project / "store.db", rw::core::OpenMode::ReadOnly);
    const auto runs = store.list_runs();
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0].state, rw::core::RunState::Failed);
    QVERIFY(runs[0].failure_reason.find("leaves no haystack") != std::string::npos);
  }

  void unknownHaystackCorpusSaysWhatThereIs() {
    const auto r = run_cli(
        {"eval", "niah", model(), "--project", q(scratch_->project), "--haystack-corpus", "nope", "--device", "cpu"});
    const QString problem = rw::test::one_line_error_problem(
        r, "no corpus named 'nope' in the project store (no corpus yet: ropewalk-cli corpus add imports one)");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  void badInputIsOneReadableLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown eval") << QStringList{"eval", "helmet", model()} << "unknown eval 'helmet'";
    QTest::newRow("bad length") << QStringList{"eval", "niah", model(), "--lengths", "1k"}
                                << "--lengths needs integers";
    QTest::newRow("both formats") << QStringList{"eval", "niah", model(), "--chat", "llama3", "--completion"}
                                  << "not both";
    QTest::newRow("bad chat") << QStringList{"eval", "niah", model(), "--chat", "gpt9"} << "gpt9";
    QTest::newRow("bad depth") << QStringList{"eval", "niah", model(), "--depths", "0,150"} << "within 0..100";
    QTest::newRow("ppl without text") << QStringList{"eval", "ppl", model()} << "needs \"texts\"";
    QTest::newRow("missing model") << QStringList{"eval", "passkey", "/nonexistent/model", "--lengths", "100"}
                                   << "/nonexistent/model";
    QTest::newRow("run name without project")
        << QStringList{"eval", "niah", model(), "--run-name", "x"} << "need --project";
  }
  void badInputIsOneReadableLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const QString problem = rw::test::one_line_error_problem(run_cli(args), expected);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

 private:
  std::unique_ptr<rw::test::ScratchProject> scratch_;
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "test_cli_eval.moc"

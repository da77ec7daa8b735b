// `ropewalk-cli synth` as a user runs it on the demo almanac: a job fills a dataset and a stored sample
// regenerates identically from its provenance; a SIGKILLed job resumes without duplicates or gaps; the
// trainer learns from each generator's output (CIP as pretraining text, SynL and training tasks as SFT
// chats); a bad config fails with one line, and a queued run it was started for ends failed.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_test_support.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/store/run_store.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace rw::core;
using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;

class TestCliSynth : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  fs::path project_;

  fs::path write_config(const std::string& file, json config) {
    config.emplace("tokenizer", rw::test::source_path("resources/demo/base-model").string());
    const fs::path path = project_ / file;
    std::ofstream(path) << config.dump(2);
    return path;
  }

  json synth(const fs::path& config) {
    const auto r = run_cli({"synth", "run", q(project_), q(config), "--json"});
    if (r.exit_code != 0) qWarning() << r.std_err;
    return r.exit_code == 0 ? stdout_json(r) : json();
  }

  /// Trains the tiny scratch model for `steps` steps on `data`; the loss of each step, in order.
  std::vector<double> train(const std::string& name, json data, bool sft) {
    json config = rw::test::tiny_run_config(0);
    config["name"] = name;
    config["init"]["tokenizer"]["sentencepiece"]["vocab_size"] = 600;  // the almanac has 322 characters
    config["stages"][0]["steps"] = 40;
    config["stages"][0]["data"] = std::move(data);
    config["checkpoint"] = {{"every_steps", 40}, {"keep_last", 1}};
    config["optimizer"]["lr"] = 3e-3;
    if (sft) {
      config["objective"] = "sft";
      config["chat_format"] = "plain";
      config["loss_on"] = "all";
    }
    const fs::path path = project_ / (name + ".run.json");
    std::ofstream(path) << config.dump(2);
    const auto r = run_cli({"train", q(project_), q(path), "--progress", "none", "--json"});
    if (r.exit_code != 0) qWarning() << r.std_err;
    if (r.exit_code != 0) return {};
    auto store = RunStore::open(project_ / "store.db", OpenMode::ReadOnly);
    std::vector<double> losses;
    for (const auto& p : store.metrics_since(stdout_json(r).at("run_id").get<std::int64_t>(), "loss", 0))
      losses.push_back(p.value);
    return losses;
  }

  static double mean(const std::vector<double>& v, size_t from, size_t to) {
    double sum = 0;
    for (size_t i = from; i < to; ++i) sum += v[i];
    return sum / static_cast<double>(to - from);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    project_ = fs::path(tmp_.path().toStdString()) / "p";
    auto r = run_cli({"project", "init", q(project_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    r = run_cli({"corpus", "add", q(project_), q(rw::test::source_path("resources/demo/corpus")), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
  }

  void runFillsDatasetAndSamplesRegenerate() {
    const fs::path config = write_config("synl.json", {{"name", "tables"}, {"generator", "synl"}, {"samples", 6},
                                                       {"lengths", {600, 900}}});
    const json result = synth(config);
    QCOMPARE(result.value("written", -1), 6);
    QCOMPARE(result.value("samples", -1), 6);
    QCOMPARE(result.value("resumed_from", -1), 0);
    for (const char* index : {"0", "5"}) {
      const auto r = run_cli({"synth", "regenerate", q(project_), "tables", "--index", index, "--json"});
      QVERIFY2(r.exit_code == 0, qPrintable(r.std_out + r.std_err));
      QVERIFY(stdout_json(r).at("identical").get<bool>());
    }
    auto r = run_cli({"synth", "show", q(project_), "tables", "--index", "2", "--color", "never"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY(r.std_out.contains("[needle]") && r.std_out.contains("[question]") && r.std_out.contains("[answer]"));
    r = run_cli({"synth", "preview", q(project_), q(config), "--index", "1", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json preview = stdout_json(r);
    QCOMPARE(preview.at("target_tokens").get<int>(), 900);
    QVERIFY(preview.at("n_tokens").get<int>() <= 900);
    // A tampered sample no longer matches its provenance, and regenerate says so.
    {
      Database db = open_store(project_ / "store.db", OpenMode::ReadWrite);
      db.exec("UPDATE samples SET messages_json = replace(messages_json, 'the', 'teh') WHERE idx = 0");
    }
    r = run_cli({"synth", "regenerate", q(project_), "tables", "--index", "0"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_out.contains("differs in message 0"), qPrintable(r.std_out));
    // Exported for LLaMA-Factory and Axolotl: one line per sample in each layout.
    const fs::path out = project_ / "exports" / "tables";
    r = run_cli({"dataset", "export", q(project_), "tables", q(out), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json exported = stdout_json(r);
    QCOMPARE(exported.at("samples").get<int>(), 6);
    for (const json& f : exported.at("files")) {
      QVERIFY(fs::exists(out / f.at("name").get<std::string>()));
      if (f.at("name").get<std::string>().ends_with(".jsonl")) QCOMPARE(f.at("lines").get<int>(), 6);
    }
  }

  void killedJobResumesWithoutDuplicatesOrGaps() {
    const fs::path config = write_config("long.json", {{"name", "long-tables"}, {"generator", "synl"},
                                                       {"samples", 300}, {"lengths", {1500}}});
    QProcess job;
    job.start(QStringLiteral(RW_CLI_PATH), {"synth", "run", q(project_), q(config), "--progress", "json"});
    QVERIFY(job.waitForStarted());
    QElapsedTimer timer;
    timer.start();
    std::int64_t stored = 0;
    while (stored < 3 && timer.elapsed() < 60000) {
      QTest::qWait(20);
      Database db = open_store(project_ / "store.db", OpenMode::ReadOnly);
      if (const auto d = DatasetStore(db).find_dataset("long-tables")) stored = d->sample_count;
    }
    QVERIFY2(job.state() == QProcess::Running, "the job ended before it could be killed");
    ::kill(static_cast<pid_t>(job.processId()), SIGKILL);
    QVERIFY(job.waitForFinished(10000));
    {
      auto runs = RunStore::open(project_ / "store.db", OpenMode::ReadOnly);
      int found = 0;
      for (const RunRecord& run : runs.list_runs()) {
        if (run.name != "synth long-tables") continue;
        QCOMPARE(effective_state(run, now_ms(), 0), RunState::Crashed);
        ++found;
      }
      QCOMPARE(found, 1);
    }
    const json result = synth(config);
    QVERIFY(result.value("resumed_from", 0) >= 3);
    QCOMPARE(result.value("samples", 0) + result.value("duplicates", 0), 300);
    Database db = open_store(project_ / "store.db", OpenMode::ReadOnly);
    DatasetStore store(db);
    std::set<std::int64_t> indices;
    for (const std::int64_t id : store.sample_ids(store.find_dataset("long-tables")->id))
      QVERIFY(indices.insert(json::parse(store.sample(id).meta_json).at("index").get<std::int64_t>()).second);
    QCOMPARE(static_cast<std::int64_t>(indices.size()), result.value("samples", 0));
    QCOMPARE(*indices.rbegin(), std::int64_t{299});
  }

  void trainerLearnsFromEachGenerator() {
    QCOMPARE(synth(write_config("cip.json", {{"name", "cip"}, {"generator", "cip"}, {"samples", 24},
                                              {"lengths", {512}}, {"cip", {{"corpus", "demo"}, {"chunk_tokens", 64}}}}))
                 .value("written", 0),
             24);
    QCOMPARE(synth(write_config("synl-train.json", {{"name", "synl-train"}, {"generator", "synl"}, {"samples", 24},
                                                    {"lengths", {600}}}))
                 .value("samples", 0),
             24);
    QCOMPARE(synth(write_config("needles.json", {{"name", "needles"}, {"generator", "tasks"}, {"samples", 24},
                                                 {"lengths", {256}}, {"tasks", {{"corpus", "demo"}}}}))
                 .value("written", 0),
             24);
    const std::vector<std::pair<std::string, std::vector<double>>> runs = {
        {"cip", train("on-cip", json::array({{{"dataset", "cip"}}}), false)},
        {"synl", train("on-synl", json::array({{{"dataset", "synl-train"}}}), true)},
        {"needles", train("on-needles", json::array({{{"dataset", "needles"}}}), true)}};
    for (const auto& [name, losses] : runs) {
      QVERIFY2(losses.size() == 40, qPrintable(QString::fromStdString(name)));
      const double first = mean(losses, 0, 5), last = mean(losses, 35, 40);
      qInfo("%s: mean loss of the first 5 steps %.3f, of the last 5 %.3f", name.c_str(), first, last);
      QVERIFY2(last < 0.8 * first, qPrintable(QString("%1: loss %2 -> %3").arg(QString::fromStdString(name)).arg(first).arg(last)));
    }
  }

  // The whole workflow with a real model, the demo base model (256 tokens of context): what it writes is
  // poor, but every step is stored and a sample regenerates identically (greedy decoding).
  void bootstrapWorkflowWithTheDemoModel() {
    const fs::path config = write_config(
        "boot.json", {{"name", "boot"},
                      {"generator", "bootstrap"},
                      {"samples", 2},
                      {"lengths", {3000}},
                      {"bootstrap",
                       {{"model", rw::test::source_path("resources/demo/base-model").string()},
                        {"prompt_format", "plain"},
                        {"corpus", "demo"},
                        {"queries", 1},
                        {"top_k", 1},
                        {"passage_tokens", 48},
                        {"instruction_tokens", 32},
                        {"summary_tokens", 24},
                        {"answer_tokens", 32}}}});
    const json result = synth(config);
    QCOMPARE(result.value("written", 0), 2);
    Database db = open_store(project_ / "store.db", OpenMode::ReadOnly);
    DatasetStore store(db);
    const auto ids = store.sample_ids(store.find_dataset("boot")->id);
    QCOMPARE(ids.size(), size_t{2});
    const SampleRecord sample = store.sample(ids[0]);
    const json meta = json::parse(sample.meta_json);
    std::vector<std::string> steps;
    for (const json& step : meta.at("steps")) steps.push_back(step.at("step"));
    QVERIFY2(steps.size() >= 4 && steps[0] == "instruction" && steps[1] == "retrieval" && steps[2] == "summary" &&
                 steps.back() == "answer",
             meta.at("steps").dump().substr(0, 2000).c_str());
    QVERIFY(meta.at("model").get<std::string>().find("weights sha256 ") != std::string::npos);
    QCOMPARE(sample.messages.back().content, meta.at("answer").get<std::string>());
    const auto r = run_cli({"synth", "regenerate", q(project_), "boot", "--index", "1", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_out + r.std_err));
    QVERIFY(stdout_json(r).at("identical").get<bool>());
  }

  void badConfigFailsWithOneLine() {
    const fs::path config = write_config("bad.json", {{"name", "bad"}, {"generator", "cip"}, {"samples", 2},
                                                      {"lengths", {512}}, {"cip", {{"corpus", "demo"}, {"documents", 1}}}});
    auto r = run_cli({"synth", "run", q(project_), q(config)});
    QCOMPARE(rw::test::one_line_error_problem(r, "\"cip.documents\" must be at least 2"), QString());
    // A queued run the worker was started for ends failed with the reason.
    std::int64_t queued = 0;
    {
      auto runs = RunStore::open(project_ / "store.db", OpenMode::ReadWrite);
      queued = runs.create_run("queued synth", "synth");
    }
    r = run_cli({"synth", "run", q(project_), q(config), "--run-id", QString::number(queued)});
    QCOMPARE(r.exit_code, 1);
    auto runs = RunStore::open(project_ / "store.db", OpenMode::ReadOnly);
    const RunRecord run = runs.run(queued);
    QCOMPARE(run.state, RunState::Failed);
    QVERIFY2(QString::fromStdString(run.failure_reason).contains("cip.documents"), run.failure_reason.c_str());
    const fs::path missing = write_config("missing.json", {{"name", "m"}, {"generator", "cip"}, {"samples", 2},
                                                           {"lengths", {512}}, {"cip", {{"corpus", "novels"}}}});
    r = run_cli({"synth", "run", q(project_), q(missing)});
    QCOMPARE(rw::test::one_line_error_problem(r, "no corpus named 'novels'"), QString());
  }
};

QTEST_GUILESS_MAIN(TestCliSynth)
#include "test_cli_synth.moc"

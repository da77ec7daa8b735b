// The eval runner with constructed generators (eval_test_support.h: string-level oracles, not neural
// models): the oracle scores 1.0 on every NIAH, passkey and RULER cell and a constant answer 0; cells reach
// the store one by one while a separate read-only connection reads them; a killed run resumes without
// recomputing stored cells; batches hold cells of one length; the stored prompt hash is the prompt's SHA-256.
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "eval_test_support.h"
#include "rw/core/tasks/default_haystack.h"
#include "rw/core/eval/eval_runner.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

using namespace rw::core;

namespace {

const rw::test::ByteTokenizer kBytes;

EvalSuite small_suite(std::vector<EvalTaskKind> tasks) {
  EvalSuite s;
  s.tasks = std::move(tasks);
  s.lengths = {400, 700, 1000, 1300, 1600};
  s.depth_percents = linear_depth_percents(6);
  s.niah.buffer_tokens = 20;
  s.batch_size = 3;
  return s;
}

EvalTexts builtin_texts(const EvalSuite& s) { return load_eval_texts(s, nullptr); }

/// Throws after `limit` calls, like a job killed mid-run.
class CrashingGenerator : public rw::test::OracleGenerator {
 public:
  CrashingGenerator(std::string needle, int limit) : OracleGenerator(std::move(needle)), limit_(limit) {}
  std::vector<GeneratedText> generate(const std::vector<Prompt>& prompts, const GenerationConfig& decoding) override {
    if (calls_++ == limit_) throw rw::core::Error("simulated crash");
    return OracleGenerator::generate(prompts, decoding);
  }

 private:
  int limit_, calls_ = 0;
};

}  // namespace

class TestEvalRunner : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    tmp_ = std::make_unique<QTemporaryDir>();
    path_ = std::filesystem::path(tmp_->path().toStdString()) / "store.db";
  }
  void cleanup() { tmp_.reset(); }

  void oracleScoresOneConstantScoresZero() {
    EvalSuite suite = small_suite({EvalTaskKind::Niah, EvalTaskKind::Passkey, EvalTaskKind::Ruler});
    suite.lengths = {3000, 3600};
    suite.depth_percents = {0, 50, 100};
    const EvalTexts texts = builtin_texts(suite);
    rw::test::OracleGenerator oracle(suite.niah.needle);
    const auto good = run_eval_suite(suite, texts, EvalTarget{&oracle, &kBytes, {}, nullptr}, {});
    const size_t cells = (2 + suite.ruler_tasks.size()) * 2 * 3;
    QCOMPARE(good.cells.size(), cells);
    std::set<std::string> tasks;
    for (const EvalCell& c : good.cells) {
      tasks.insert(c.task);
      QVERIFY2(c.score == 1.0, qPrintable(QString::fromStdString(c.task + " scored " + std::to_string(c.score) +
                                                                 " at " + std::to_string(c.length) + ": " + c.output)));
    }
    QCOMPARE(tasks.size(), 2 + suite.ruler_tasks.size());
    rw::test::ConstantGenerator constant("I do not know.");
    const auto bad = run_eval_suite(suite, texts, EvalTarget{&constant, &kBytes, {}, nullptr}, {});
    QCOMPARE(bad.cells.size(), cells);
    for (const EvalCell& c : bad.cells) QCOMPARE(c.score, 0.0);
  }

  void cellsStreamToAReaderAndBatchByLength() {
    RunStore writer = RunStore::open(path_, OpenMode::ReadWrite);
    const auto run = writer.create_run("eval", "eval");
    RunStore reader = RunStore::open(path_, OpenMode::ReadOnly);
    const EvalSuite suite = small_suite({EvalTaskKind::Niah});
    rw::test::OracleGenerator oracle(suite.niah.needle);
    EvalRunOptions options;
    options.store = &writer;
    options.run_id = run;
    options.checkpoint_step = 100;
    std::int64_t seen = 0, last_id = 0;
    options.on_cell = [&](const EvalCell& cell) {
      // The reader sees every cell the moment it is scored (each INSERT commits on its own).
      const auto fresh = reader.eval_cells_since(run, last_id);
      QCOMPARE(fresh.size(), size_t(1));
      QCOMPARE(fresh.front().id, cell.id);
      QCOMPARE(fresh.front().score, 1.0);
      last_id = cell.id;
      ++seen;
    };
    const auto report = run_eval_suite(suite, builtin_texts(suite), EvalTarget{&oracle, &kBytes, {}, nullptr}, options);
    QCOMPARE(seen, std::int64_t(30));
    const auto stored = reader.eval_cells_since(run, 0);
    QCOMPARE(stored.size(), size_t(30));
    // Stored in coarse-to-fine order: the coarse cells (lengths 0 and 4 x depths 0, 4 and 5) come first.
    const auto order = coarse_to_fine_order(5, 6);
    for (size_t i = 0; i < stored.size(); ++i) {
      QCOMPARE(stored[i].length, suite.lengths[static_cast<size_t>(order[i].length_index)]);
      QCOMPARE(stored[i].depth, suite.depth_percents[static_cast<size_t>(order[i].depth_index)] / 100.0);
      QCOMPARE(stored[i].checkpoint_step, std::int64_t(100));
      QCOMPARE(stored[i].task, std::string("niah"));
      QCOMPARE(stored[i].output, suite.niah.needle);
    }
    QCOMPARE(coarse_to_fine_level(order[5], 5, 6), 0);
    // The prompt hash is the SHA-256 of the exact prompt, rebuilt here from the same settings.
    const NiahBuilder builder(kBytes, suite.niah, builtin_haystack_text(), 1600);
    QCOMPARE(stored[0].prompt_hash, sha256_hex(builder.item(stored[0].length, 0, ChatFormat::Completion).prompt.text));
    // Batches never exceed batch_size and never mix lengths (the level-0 row at length 400 has 3 cells).
    int total = 0;
    for (const int b : oracle.batch_sizes) {
      QVERIFY(b >= 1 && b <= 3);
      total += b;
    }
    QCOMPARE(total, 30);
    QCOMPARE(oracle.batch_sizes.front(), 3);
    QCOMPARE(report.cells.size(), size_t(30));
  }

  void resumeSkipsStoredCells() {
    RunStore store = RunStore::open(path_, OpenMode::ReadWrite);
    const auto run = store.create_run("eval", "eval");
    const EvalSuite suite = small_suite({EvalTaskKind::Niah, EvalTaskKind::Passkey});
    const EvalTexts texts = builtin_texts(suite);
    EvalRunOptions options;
    options.store = &store;
    options.run_id = run;
    options.checkpoint_step = 7;
    CrashingGenerator crashing(suite.niah.needle, 4);
    QVERIFY(rw::test::error_of([&] {
              run_eval_suite(suite, texts, {&crashing, &kBytes, {}, nullptr}, options);
            }).contains("simulated crash"));
    const auto before = store.eval_cells_since(run, 0);
    QVERIFY(!before.empty() && before.size() < 60);

    rw::test::OracleGenerator oracle(suite.niah.needle);
    const auto report = run_eval_suite(suite, texts, {&oracle, &kBytes, {}, nullptr}, options);
    QCOMPARE(report.skipped, static_cast<std::int64_t>(before.size()));
    QCOMPARE(report.cells.size(), 60 - before.size());
    const auto after = store.eval_cells_since(run, 0);
    QCOMPARE(after.size(), size_t(60));
    std::set<std::tuple<std::string, std::int64_t, double>> keys;
    for (const EvalCell& c : after)
      QVERIFY2(keys.insert({c.task, c.length, c.depth}).second, "a cell was stored twice");
    // Another checkpoint step is a different heatmap: nothing is skipped there.
    options.checkpoint_step = 8;
    rw::test::ConstantGenerator constant("no");
    const auto other = run_eval_suite(suite, texts, {&constant, &kBytes, {}, nullptr}, options);
    QCOMPARE(other.skipped, std::int64_t(0));
    QCOMPARE(other.cells.size(), size_t(60));
  }

  void missingTargetPartsAreNamed() {
    const EvalSuite suite = small_suite({EvalTaskKind::Passkey});
    QVERIFY(rw::test::error_of([&] {
              run_eval_suite(suite, builtin_texts(suite), EvalTarget{}, {});
            }).contains("task passkey needs a text generator"));
  }

  void builtinHaystackEqualsResourceFile() {
    QCOMPARE(std::string(builtin_haystack_text()),
             read_text_file(rw::test::source_path("resources/eval/haystack_lighthouse.txt")));
    QVERIFY(builtin_haystack_text().find_first_of("0123456789") == std::string_view::npos);
  }

 private:
  std::unique_ptr<QTemporaryDir> tmp_;
  std::filesystem::path path_;
};

QTEST_GUILESS_MAIN(TestEvalRunner)
#include "test_eval_runner.moc"

// End to end through ropewalk-cli: `eval export-heatmap` on a project whose run store holds eval cells
// written here with RunStore (as an eval job would): default and explicit output paths, run by name or id,
// latest step by default, PNG, SVG or PDF by extension or --format, text and --json reports, reading while
// a writer holds the write lock, and refusals (unknown run, no cells for the task or step, unwritable
// output, unknown or contradictory formats) as one readable line.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli_test_support.h"
#include "rw/core/store/database.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/files.h"

namespace fs = std::filesystem;

using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;
using rw::test::write_bytes;

namespace {

rw::core::EvalCell cell(std::int64_t run, std::int64_t step, const char* task, std::int64_t length, double depth,
                        double score) {
  rw::core::EvalCell c;
  c.run_id = run;
  c.checkpoint_step = step;
  c.task = task;
  c.length = length;
  c.depth = depth;
  c.score = score;
  c.prompt_hash = "h";
  c.output = "eat a sandwich";
  return c;
}

// (width, height) from the IHDR of a PNG file; (0, 0) when it is not one.
std::pair<int, int> png_size(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<unsigned char> b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::vector<unsigned char> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() < 24 || !std::equal(signature.begin(), signature.end(), b.begin()) ||
      std::string(b.begin() + 12, b.begin() + 16) != "IHDR")
    return {0, 0};
  const auto be = [&](size_t at) { return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]; };
  return {be(16), be(20)};
}

}  // namespace

class TestCliHeatmap : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    dir_ = fs::path(tmp_.path().toStdString()) / "proj";
    const auto r = run_cli({"project", "init", q(dir_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    auto store = rw::core::RunStore::open(dir_ / "store.db", rw::core::OpenMode::ReadWrite);
    run_ = store.create_run("needle run", "eval", "{\"model\": \"/models/demo-tiny/\"}");
    // Step 100: a partial grid; step 200: 3 lengths x 3 depths, each scored twice; passkey at step 200.
    store.add_eval_cell(cell(run_, 100, "niah", 256, 0.0, 1.0));
    for (std::int64_t length : {256, 1024, 4096})
      for (double depth : {0.0, 0.5, 1.0})
        for (int trial = 0; trial < 2; ++trial)
          store.add_eval_cell(cell(run_, 200, "niah", length, depth, length < 4096 ? 1.0 : trial * 0.5));
    store.add_eval_cell(cell(run_, 200, "passkey", 256, 0.0, 1.0));
    empty_run_ = store.create_run("untested", "train");
  }

  void defaultOutputIsLatestStepInExports() {
    const auto r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto out = dir_ / "exports" / "needle_run-niah-step200.png";
    QVERIFY2(r.std_out.startsWith("wrote " + q(out) + ": run "), qPrintable(r.std_out));
    QVERIFY2(r.std_out.contains("niah at step 200, 3 depths x 3 lengths from 18 cells, average 0.750"),
             qPrintable(r.std_out));
    QCOMPARE(png_size(out), std::make_pair(1600, 820));
  }

  void explicitStepOutByIdAndJson() {
    const auto out = fs::path(tmp_.path().toStdString()) / "step100.png";
    const auto r = run_cli({"eval", "export-heatmap", q(dir_), "--run", QString::number(run_), "--step", "100", "--out",
                            q(out), "--model-name", "Demo Tiny", "--width", "800", "--height", "420", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto j = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(j.at("path").get<std::string>(), out.string());
    QCOMPARE(j.at("run_id").get<std::int64_t>(), run_);
    QCOMPARE(j.at("run").get<std::string>(), std::string("needle run"));
    QCOMPARE(j.at("task").get<std::string>(), std::string("niah"));
    QCOMPARE(j.at("checkpoint_step").get<std::int64_t>(), std::int64_t{100});
    QCOMPARE(j.at("model").get<std::string>(), std::string("Demo Tiny"));
    QCOMPARE(j.at("tokenizer").get<std::string>(), std::string("demo-tiny"));  // from the run's config
    QCOMPARE(j.at("cells").get<int>(), 1);
    QCOMPARE(j.at("average").get<double>(), 1.0);
    // Without a stored suite the grid is every length and depth the run's niah cells use: the one cell of
    // step 100 sits in a 3 x 3 grid with 8 entries hatched, not in a complete-looking 1 x 1.
    QCOMPARE(j.at("lengths"), nlohmann::json::parse("[256, 1024, 4096]"));
    QCOMPARE(j.at("missing").size(), size_t{8});
    QCOMPARE(png_size(out), std::make_pair(800, 420));
  }

  void gridComesFromTheStoredSuite() {
    // An eval stopped after 2 of its 4 x 3 cells: the suite stored with the run gives the whole grid.
    const fs::path dir = fs::path(tmp_.path().toStdString()) / "partial-project";
    const auto init = run_cli({"project", "init", q(dir)});
    QVERIFY2(init.exit_code == 0, qPrintable(init.std_err));
    std::int64_t partial = 0;
    {
      auto store = rw::core::RunStore::open(dir / "store.db", rw::core::OpenMode::ReadWrite);
      const nlohmann::json config = {
          {"model", "/models/demo-tiny/"},
          {"suite", {{"tasks", {"niah"}}, {"lengths", {128, 256, 512, 1024}}, {"depths", {0, 50, 100}}}}};
      partial = store.create_run("partial", "eval", config.dump());
      store.add_eval_cell(cell(partial, 0, "niah", 128, 0.0, 1.0));
      store.add_eval_cell(cell(partial, 0, "niah", 1024, 1.0, 0.0));
    }
    const auto r = run_cli({"eval", "export-heatmap", q(dir), "--run", QString::number(partial), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto j = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(j.at("lengths"), nlohmann::json::parse("[128, 256, 512, 1024]"));
    QCOMPARE(j.at("depths"), nlohmann::json::parse("[0.0, 0.5, 1.0]"));
    QCOMPARE(j.at("cells").get<int>(), 2);
    QCOMPARE(j.at("missing").size(), size_t{10});
  }

  void vectorFormatsByExtensionOrFlag() {
    const auto svg = fs::path(tmp_.path().toStdString()) / "heat.svg";
    auto r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run", "--out", q(svg), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    auto j = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(j.at("format").get<std::string>(), std::string("svg"));
    QCOMPARE(j.at("bytes").get<std::uintmax_t>(), fs::file_size(svg));
    QVERIFY(rw::core::read_text_file(svg).find("<svg") != std::string::npos);

    const auto pdf = fs::path(tmp_.path().toStdString()) / "heat.PDF";
    r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run", "--out", q(pdf)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY(rw::core::read_text_file(pdf).starts_with("%PDF-"));
    QVERIFY(fs::file_size(pdf) > 5000);

    // --format without --out names the default file; with an extension it cannot read, it decides.
    r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run", "--format", "pdf"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY(rw::core::read_text_file(dir_ / "exports" / "needle_run-niah-step200.pdf").starts_with("%PDF-"));
    const auto odd = fs::path(tmp_.path().toStdString()) / "heat.image";
    r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run", "--format", "png", "--out", q(odd)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QCOMPARE(png_size(odd), std::make_pair(1600, 820));
  }

  void readsWhileAJobHoldsTheWriteLock() {
    auto writer = rw::core::RunStore::open(dir_ / "store.db", rw::core::OpenMode::ReadWrite);
    rw::core::Transaction tx(writer.database());  // BEGIN IMMEDIATE: the write lock, as a busy eval job
    writer.add_eval_cell(cell(run_, 300, "niah", 256, 0.0, 0.0));
    const auto out = fs::path(tmp_.path().toStdString()) / "locked.png";
    const auto r = run_cli({"eval", "export-heatmap", q(dir_), "--run", "needle run", "--out", q(out), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    // The uncommitted step 300 is invisible; the latest committed step is drawn.
    QCOMPARE(nlohmann::json::parse(r.std_out.toStdString()).at("checkpoint_step").get<std::int64_t>(),
             std::int64_t{200});
    QCOMPARE(png_size(out).first, 1600);
  }

  void refusals_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString d = q(dir_);
    const QString tmp = tmp_.path();
    QTest::newRow("usage") << QStringList{d} << "usage: ropewalk-cli eval export-heatmap PROJECT --run";
    QTest::newRow("unknown run") << QStringList{d, "--run", "nope"}
                                 << "unknown run 'nope'; known runs: 2 'untested' (train), 1 'needle run' (eval)";
    QTest::newRow("unknown id") << QStringList{d, "--run", "99"} << "unknown run '99'";
    QTest::newRow("no cells") << QStringList{d, "--run", "untested"} << "run 2 'untested' (train) has no eval cells";
    QTest::newRow("no task") << QStringList{d, "--run", "needle run", "--task", "ruler_vt"}
                             << "has no 'ruler_vt' cells; it has niah at steps 100, 200; passkey at step 200";
    QTest::newRow("no step") << QStringList{d, "--run", "needle run", "--step", "150"}
                             << "has no 'niah' cells at step 150; it has niah at steps 100, 200";
    QTest::newRow("missing folder") << QStringList{d, "--run", "1", "--out", tmp + "/nowhere/x.png"}
                                    << "folder " + tmp + "/nowhere does not exist";
    QTest::newRow("folder is a file") << QStringList{d, "--run", "1", "--out", d + "/store.db/x.png"}
                                      << d + "/store.db is not a folder";
    QTest::newRow("unknown extension") << QStringList{d, "--run", "1", "--out", tmp + "/x.jpg"}
                                       << "cannot tell the heatmap format of " + tmp +
                                              "/x.jpg: name it .png, .svg or .pdf, or pass --format png|svg|pdf";
    QTest::newRow("unknown format") << QStringList{d, "--run", "1", "--format", "eps"}
                                    << "unknown heatmap format 'eps': use png, svg or pdf";
    QTest::newRow("contradiction") << QStringList{d, "--run", "1", "--format", "svg", "--out", tmp + "/x.png"}
                                   << "format asked for (svg) contradicts the output file " + tmp + "/x.png";
    QTest::newRow("not a project") << QStringList{tmp + "/elsewhere", "--run", "1"} << "no such project folder";
  }
  void refusals() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const auto r = run_cli(QStringList{"eval", "export-heatmap"} + args);
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains(expected), qPrintable(r.std_err));
    QVERIFY2(!r.std_err.trimmed().contains('\n'), qPrintable(r.std_err));
  }

 private:
  QTemporaryDir tmp_;
  fs::path dir_;
  std::int64_t run_ = 0;
  std::int64_t empty_run_ = 0;
};

QTEST_GUILESS_MAIN(TestCliHeatmap)
#include "test_cli_heatmap.moc"

// End to end through ropewalk-cli: `project init` then `project info` (text and --json, with runs in the
// store), and refusals that exit 1 with one readable line. The settings rules are in test_project.cpp.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "cli_test_support.h"
#include "rw/core/store/migrations.h"
#include "rw/core/store/run_store.h"

namespace fs = std::filesystem;

using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;
using rw::test::write_bytes;

class TestCliProject : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    root_ = rw::test::new_subfolder(tmp_, counter_);
    QVERIFY(!root_.empty());
  }

  void initThenInfo() {
    const auto dir = root_ / "demo";
    auto r = run_cli({"project", "init", q(dir), "--name", "Demo", "--tokenizer", "tok", "--chunk-tokens", "256",
                      "--chunk-overlap", "32"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("created project 'Demo' in " + q(dir)), qPrintable(r.std_out));
    QVERIFY2(r.std_err.contains("tokenizer " + q(dir / "tok") + " does not exist"), qPrintable(r.std_err));

    {  // one run in each of three states; the running one is this live process, so it is not crashed
      auto store = rw::core::RunStore::open(dir / "store.db", rw::core::OpenMode::ReadWrite);
      store.create_run("waiting", "train");
      store.set_state(store.create_run("busy", "eval"), rw::core::RunState::Running);
      const auto done = store.create_run("done", "synth");
      store.set_state(done, rw::core::RunState::Running);
      store.set_state(done, rw::core::RunState::Finished);
    }

    r = run_cli({"project", "info", q(dir)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const QStringList lines = {"folder            " + q(dir),
                               "name              Demo",
                               "tokenizer         " + q(dir / "tok"),
                               "chunking          256 tokens, overlap 32",
                               "store             " + q(dir / "store.db"),
                               QString("schema version    %1").arg(rw::core::latest_schema_version()),
                               "runs              3 (1 queued, 1 running, 1 finished)"};
    for (const auto& line : lines)
      QVERIFY2(r.std_out.contains(line + "\n"), qPrintable(r.std_out + "\nlacks: " + line));

    r = run_cli({"project", "info", q(dir), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto info = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(info.at("dir").get<std::string>(), dir.string());
    QCOMPARE(info.at("format").get<int>(), 1);
    QCOMPARE(info.at("name").get<std::string>(), std::string("Demo"));
    QCOMPARE(info.at("description").get<std::string>(), std::string());
    QCOMPARE(info.at("tokenizer").get<std::string>(), std::string("tok"));
    QCOMPARE(info.at("device").get<std::string>(), std::string("auto"));
    const auto& corpus = info.at("corpus");
    QCOMPARE(corpus.at("chunk_tokens").get<int>(), 256);
    QCOMPARE(corpus.at("chunk_overlap").get<int>(), 32);
    QVERIFY(corpus.at("include").empty() && corpus.at("exclude").empty());
    QCOMPARE(corpus.at("max_file_bytes").get<std::int64_t>(), std::int64_t{64} << 20);
    QCOMPARE(info.at("store").at("path").get<std::string>(), (dir / "store.db").string());
    QCOMPARE(info.at("store").at("schema_version").get<int>(), rw::core::latest_schema_version());
    const nlohmann::json runs = {{"queued", 1}, {"running", 1}, {"finished", 1},
                                 {"failed", 0}, {"crashed", 0}, {"stopped", 0}};
    QCOMPARE(info.at("runs"), runs);
  }

  void defaultsInInfo() {
    const auto dir = root_ / "plain-name";
    auto r = run_cli({"project", "init", q(dir)});
    QVERIFY2(r.exit_code == 0 && r.std_err.isEmpty(), qPrintable(r.std_err));
    r = run_cli({"project", "info", q(dir)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("name              plain-name\n") &&
                 r.std_out.contains("tokenizer         built-in word counter\n") &&
                 r.std_out.contains("runs              0\n"),
             qPrintable(r.std_out));

    // A project checked out without its store (store.db is not versioned): reported, not created.
    fs::remove(dir / "store.db");
    r = run_cli({"project", "info", q(dir), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY(nlohmann::json::parse(r.std_out.toStdString()).at("store").at("schema_version").is_null());
    QVERIFY(!fs::exists(dir / "store.db"));
  }

  void initTwiceFails() {
    const auto dir = root_ / "twice";
    QCOMPARE(run_cli({"project", "init", q(dir)}).exit_code, 0);
    const auto r = run_cli({"project", "init", q(dir), "--name", "again"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains(q(dir) + ": already a Ropewalk project"), qPrintable(r.std_err));
    QVERIFY2(!r.std_err.trimmed().contains('\n'), qPrintable(r.std_err));
  }

  void infoOnNonProject() {
    const auto dir = root_ / "not-a-project";
    fs::create_directories(dir);
    const auto r = run_cli({"project", "info", q(dir)});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains(q(dir) + ": not a Ropewalk project"), qPrintable(r.std_err));
    QVERIFY2(!r.std_err.trimmed().contains('\n'), qPrintable(r.std_err));
  }

  void badInputIsOneReadableLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString dir = QString::fromStdString((fs::path(tmp_.path().toStdString()) / "bad").string());
    QTest::newRow("no dir") << QStringList{"project", "init"} << "usage: ropewalk-cli project init DIR";
    QTest::newRow("info no dir") << QStringList{"project", "info"} << "usage: ropewalk-cli project info DIR";
    QTest::newRow("bad number") << QStringList{"project", "init", dir, "--chunk-tokens", "ten"}
                                << "--chunk-tokens needs an integer, got 'ten'";
    QTest::newRow("overlap too large") << QStringList{"project", "init", dir, "--chunk-overlap", "600"}
                                       << R"("corpus.chunk_overlap" (600) must be smaller)";
    QTest::newRow("unknown option") << QStringList{"project", "init", dir, "--chunk-token", "5"}
                                    << "unknown option --chunk-token";
    QTest::newRow("missing folder") << QStringList{"project", "info", dir + "/missing"}
                                    << dir + "/missing: no such project folder";
  }
  void badInputIsOneReadableLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const QString problem = rw::test::one_line_error_problem(run_cli(args), expected);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

 private:
  QTemporaryDir tmp_;
  fs::path root_;
  int counter_ = 0;
};

QTEST_GUILESS_MAIN(TestCliProject)
#include "test_cli_project.moc"

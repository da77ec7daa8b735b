// End to end through ropewalk-cli: `corpus add` (folders, JSONL, repositories, a real tokenizer),
// `corpus stats` (another tokenizer's counts stored on demand), `corpus search`, progress JSON lines,
// and bad requests failing with one readable line and nothing stored.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;
using rw::test::write_bytes;

class TestCliCorpus : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    tmp_ = std::make_unique<QTemporaryDir>();
    root_ = fs::path(tmp_->path().toStdString());
    project_ = root_ / "project";
    const auto r = run_cli({"project", "init", q(project_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    write_bytes(root_ / "docs/tides.txt", "The tides are caused by the gravitational pull of the moon on the oceans.");
    write_bytes(root_ / "docs/bread.md", "Sourdough bread rises because wild yeast ferments the dough overnight.");
    write_bytes(root_ / "docs/nested/stars.txt", "Neutron stars are the collapsed cores of massive stars.");
    write_bytes(root_ / "docs/image.png", std::string("\x89PNG\0\0\0\0", 8));
    write_bytes(root_ / "lines.jsonl",
                "{\"body\": \"Glaciers carve valleys over thousands of years.\"}\n{\"body\": 3}\n");
  }
  void cleanup() { tmp_.reset(); }

  void addStatsSearch() {
    auto r = run_cli({"corpus", "add", q(project_), q(root_ / "docs"), "--chunk-tokens", "16", "--chunk-overlap", "4"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("corpus 'main': 3 documents added"), qPrintable(r.std_out));
    QVERIFY2(r.std_out.contains("image.png: binary file"), qPrintable(r.std_out));

    r = run_cli({"corpus", "add", q(project_), q(root_ / "lines.jsonl"), "--jsonl-field", "body", "--chunk-tokens",
                 "16", "--chunk-overlap", "4", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json report = stdout_json(r);
    QCOMPARE(report.at("documents_added").get<int>(), 1);
    QCOMPARE(report.at("skipped").at(0).at("line").get<int>(), 2);
    QCOMPARE(report.at("skipped").at(0).at("reason").get<std::string>(),
             std::string("field \"body\" is a number, not a string"));

    r = run_cli({"corpus", "stats", q(project_), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json stats = stdout_json(r);
    QCOMPARE(stats.at("documents").get<int>(), 4);
    QCOMPARE(stats.at("documents_by_kind").at("jsonl").get<int>(), 1);
    QCOMPARE(stats.at("tokenizer").at("id").get<std::string>(), std::string("words"));
    QCOMPARE(stats.at("tokens").at("total").get<int>(), 14 + 10 + 9 + 7);
    QCOMPARE(stats.at("chunk_tokens").get<int>(), 16);

    r = run_cli({"corpus", "search", q(project_), "why does the moon pull oceans", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json hits = stdout_json(r);
    QVERIFY(!hits.empty());
    QVERIFY(hits.at(0).at("source_path").get<std::string>().ends_with("tides.txt"));
    QVERIFY(hits.at(0).at("text").get<std::string>().find("moon") != std::string::npos);

    // No path: the project's corpus/ folder.
    write_bytes(project_ / "corpus/comets.txt", "Comets grow tails of gas and dust near the sun.");
    r = run_cli({"corpus", "add", q(project_), "--chunk-tokens", "16", "--chunk-overlap", "4"});
    QVERIFY2(r.exit_code == 0 && r.std_out.contains("1 documents added"), qPrintable(r.std_out + r.std_err));

    r = run_cli({"project", "info", q(project_), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QCOMPARE(stdout_json(r).at("corpora"), json::parse(R"x([{"name": "main", "documents": 5}])x"));

    r = run_cli({"corpus", "search", q(project_), "glaciers"});
    QVERIFY2(r.exit_code == 0 && r.std_out.contains("lines.jsonl") && r.std_out.contains("Glaciers carve"),
             qPrintable(r.std_out));
  }

  void realTokenizerAndSecondTokenizerStats() {
    const QString tokenizer = q(rw::test::hf_fixture_dir() / "chat-llama" / "model");
    auto r = run_cli(
        {"corpus", "add", q(project_), q(root_ / "docs"), "--corpus", "bpe", "--tokenizer", tokenizer, "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json report = stdout_json(r);
    QCOMPARE(report.at("documents_added").get<int>(), 3);
    QVERIFY(report.at("tokens_added").get<int>() > 33);  // a small BPE splits words: more tokens than words

    r = run_cli({"corpus", "stats", q(project_), "--corpus", "bpe", "--json"});
    const json bpe = stdout_json(r);
    QVERIFY(bpe.at("tokenizer").at("id").get<std::string>().starts_with("sha256:"));
    QCOMPARE(bpe.at("tokens").at("total").get<int>(), report.at("tokens_added").get<int>());

    // Words corpus counted again under the BPE tokenizer: stored, and the same totals as the BPE corpus.
    r = run_cli({"corpus", "add", q(project_), q(root_ / "docs")});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    r = run_cli({"corpus", "stats", q(project_), "--tokenizer", tokenizer, "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QCOMPARE(stdout_json(r).at("tokens").at("total"), bpe.at("tokens").at("total"));

    // The same corpus with another tokenizer is refused: its chunks were cut with the word counter.
    r = run_cli({"corpus", "add", q(project_), q(root_ / "lines.jsonl"), "--tokenizer", tokenizer});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("corpus 'main' was chunked with tokenizer words"), qPrintable(r.std_err));
  }

  void repositoryWithProgressLines() {
    write_bytes(root_ / "repo/src/lib.rs", "pub fn answer() -> u32 { 42 }\n");
    write_bytes(root_ / "repo/Cargo.toml", "[package]\nname = \"answer\"\n");
    write_bytes(root_ / "repo/target/debug/answer", std::string("\x7f"
                                                                "ELF\0\0",
                                                                6));
    const auto r = run_cli(
        {"corpus", "add", q(project_), q(root_ / "repo"), "--repo", "--exclude", "target/**", "--progress", "json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const QStringList lines = r.std_out.split('\n', Qt::SkipEmptyParts);
    const json progress = json::parse(lines.at(0).toStdString());
    QCOMPARE(progress.at("type").get<std::string>(), std::string("progress"));
    QCOMPARE(progress.at("task").get<std::string>(), std::string("import"));
    QCOMPARE(progress.at("done").get<int>(), 1);
    QCOMPARE(progress.at("total").get<int>(), 1);
    QVERIFY2(r.std_out.contains("1 documents added") && !r.std_out.contains("\nskipped"), qPrintable(r.std_out));
    const auto search = run_cli({"corpus", "search", q(project_), "answer", "--json"});
    const std::string text = stdout_json(search).at(0).at("text").get<std::string>();
    QVERIFY2(text.find("# File: Cargo.toml") != std::string::npos, text.c_str());
  }

  void badRequestsFailWithOneLine() {
    const struct {
      QStringList args;
      QString message;
    } cases[] = {
        {{"corpus", "add", q(project_), q(root_ / "missing")}, "missing does not exist"},
        {{"corpus", "add", q(root_ / "docs"), q(root_ / "docs")}, "project.ropewalk.json"},
        {{"corpus", "add", q(project_), q(root_ / "docs"), "--chunk-tokens", "8", "--chunk-overlap", "8"},
         "chunk_overlap"},
        {{"corpus", "add", q(project_), q(root_ / "docs"), "--include", "[x"}, "[x"},
        {{"corpus", "add", q(project_), q(root_ / "docs"), "--tokenizer", q(root_ / "docs")}, "docs"},
        {{"corpus", "stats", q(project_), "--corpus", "nope"}, "no corpus named 'nope' (corpora: none yet)"},
        {{"corpus", "search", q(project_), "x", "--top-k", "0"}, "no corpus named 'main'"},
        {{"corpus", "add", q(project_), q(root_ / "docs"), "--chunk-size", "8"}, "unknown option --chunk-size"},
    };
    for (const auto& c : cases) {
      const auto r = run_cli(c.args);
      QVERIFY2(r.exit_code == 1, qPrintable(c.args.join(' ') + " -> " + r.std_out));
      QVERIFY2(r.std_err.contains(c.message), qPrintable(c.args.join(' ') + " -> " + r.std_err));
      QCOMPARE(r.std_err.trimmed().count('\n'), 0);
    }
    const auto stats = run_cli({"project", "info", q(project_), "--json"});
    QVERIFY2(stats.exit_code == 0, qPrintable(stats.std_err));
    // Nothing was imported by any of the failed requests.
    QCOMPARE(run_cli({"corpus", "stats", q(project_)}).exit_code, 1);
  }

 private:
  std::unique_ptr<QTemporaryDir> tmp_;
  fs::path root_, project_;
};

QTEST_GUILESS_MAIN(TestCliCorpus)
#include "test_cli_corpus.moc"

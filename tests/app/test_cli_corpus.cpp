// End to end through ropewalk-cli: `corpus add` (folders, JSONL, repositories, a real tokenizer),
// `corpus stats` (another tokenizer's counts stored on demand), `corpus search`, progress JSON lines,
// and bad requests failing with one readable line and nothing stored.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "rw/core/worker/worker_protocol.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

using namespace rw::test;  // q, run_cli, stdout_json, write_bytes, ScratchProject

class TestCliCorpus : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    scratch_ = std::make_unique<ScratchProject>();
    QVERIFY2(scratch_->error.isEmpty(), qPrintable(scratch_->error));
    write_bytes(scratch_->root / "docs/tides.txt", "The tides are caused by the gravitational pull of the moon on the oceans.");
    write_bytes(scratch_->root / "docs/bread.md", "Sourdough bread rises because wild yeast ferments the dough overnight.");
    write_bytes(scratch_->root / "docs/nested/stars.txt", "Neutron stars are the collapsed cores of massive stars.");
    write_bytes(scratch_->root / "docs/image.png", std::string("\x89PNG\0\0\0\0", 8));
    write_bytes(scratch_->root / "lines.jsonl",
                "{\"body\": \"Glaciers carve valleys over thousands of years.\"}\n{\"body\": 3}\n");
  }
  void cleanup() { scratch_.reset(); }

  void addStatsSearch() {
    auto r = run_cli({"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--chunk-tokens", "16", "--chunk-overlap", "4"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("corpus 'main': 3 documents added"), qPrintable(r.std_out));
    QVERIFY2(r.std_out.contains("image.png: binary file"), qPrintable(r.std_out));

    r = run_cli({"corpus", "add", q(scratch_->project), q(scratch_->root / "lines.jsonl"), "--jsonl-field", "body", "--chunk-tokens",
                 "16", "--chunk-overlap", "4", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json report = stdout_json(r);
    QCOMPARE(report.at("documents_added").get<int>(), 1);
    QCOMPARE(report.at("skipped").at(0).at("line").get<int>(), 2);
    QCOMPARE(report.at("skipped").at(0).at("reason").get<std::string>(),
             std::string("field \"body\" is a number, not a string"));

    r = run_cli({"corpus", "stats", q(scratch_->project), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json stats = stdout_json(r);
    QCOMPARE(stats.at("documents").get<int>(), 4);
    QCOMPARE(stats.at("documents_by_kind").at("jsonl").get<int>(), 1);
    QCOMPARE(stats.at("tokenizer").at("id").get<std::string>(), std::string("words"));
    QCOMPARE(stats.at("tokens").at("total").get<int>(), 14 + 10 + 9 + 7);
    QCOMPARE(stats.at("chunk_tokens").get<int>(), 16);

    r = run_cli({"corpus", "search", q(scratch_->project), "why does the moon pull oceans", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json hits = stdout_json(r);
    QVERIFY(!hits.empty());
    QVERIFY(hits.at(0).at("source_path").get<std::string>().ends_with("tides.txt"));
    QVERIFY(hits.at(0).at("text").get<std::string>().find("moon") != std::string::npos);

    // No path: the project's corpus/ folder.
    write_bytes(scratch_->project / "corpus/comets.txt", "Comets grow tails of gas and dust near the sun.");
    r = run_cli({"corpus", "add", q(scratch_->project), "--chunk-tokens", "16", "--chunk-overlap", "4"});
    QVERIFY2(r.exit_code == 0 && r.std_out.contains("1 documents added"), qPrintable(r.std_out + r.std_err));

    r = run_cli({"project", "info", q(scratch_->project), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QCOMPARE(stdout_json(r).at("corpora"), json::parse(R"x([{"name": "main", "documents": 5}])x"));

    r = run_cli({"corpus", "search", q(scratch_->project), "glaciers"});
    QVERIFY2(r.exit_code == 0 && r.std_out.contains("lines.jsonl") && r.std_out.contains("Glaciers carve"),
             qPrintable(r.std_out));
  }

  void realTokenizerAndSecondTokenizerStats() {
    const QString tokenizer = q(rw::test::hf_fixture_dir() / "chat-llama" / "model");
    auto r = run_cli(
        {"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--corpus", "bpe", "--tokenizer", tokenizer, "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json report = stdout_json(r);
    QCOMPARE(report.at("documents_added").get<int>(), 3);
    QVERIFY(report.at("tokens_added").get<int>() > 33);  // a small BPE splits words: more tokens than words

    r = run_cli({"corpus", "stats", q(scratch_->project), "--corpus", "bpe", "--json"});
    const json bpe = stdout_json(r);
    QVERIFY(bpe.at("tokenizer").at("id").get<std::string>().starts_with("sha256:"));
    QCOMPARE(bpe.at("tokens").at("total").get<int>(), report.at("tokens_added").get<int>());

    // Words corpus counted again under the BPE tokenizer: stored, and the same totals as the BPE corpus.
    r = run_cli({"corpus", "add", q(scratch_->project), q(scratch_->root / "docs")});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    r = run_cli({"corpus", "stats", q(scratch_->project), "--tokenizer", tokenizer, "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QCOMPARE(stdout_json(r).at("tokens").at("total"), bpe.at("tokens").at("total"));

    // The same corpus with another tokenizer is refused: its chunks were cut with the word counter.
    r = run_cli({"corpus", "add", q(scratch_->project), q(scratch_->root / "lines.jsonl"), "--tokenizer", tokenizer});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("corpus 'main' was chunked with tokenizer words"), qPrintable(r.std_err));
  }

  void repositoryWithProgressLines() {
    write_bytes(scratch_->root / "repo/src/lib.rs", "pub fn answer() -> u32 { 42 }\n");
    write_bytes(scratch_->root / "repo/Cargo.toml", "[package]\nname = \"answer\"\n");
    write_bytes(scratch_->root / "repo/target/debug/answer", std::string("\x7f"
                                                                "ELF\0\0",
                                                                6));
    const auto r = run_cli(
        {"corpus", "add", q(scratch_->project), q(scratch_->root / "repo"), "--repo", "--exclude", "target/**", "--progress", "json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto events = rw::core::parse_worker_transcript(r.std_out.toStdString());
    QCOMPARE(events.front().kind, std::string("import"));
    QVERIFY(events.front().run_id.has_value());
    const rw::core::WorkerEvent& progress = events.at(1);
    QVERIFY(progress.type == rw::core::WorkerEventType::Progress);
    QCOMPARE(progress.unit, std::string("files"));
    QCOMPARE(progress.done, std::int64_t{1});
    QCOMPARE(progress.total, std::int64_t{1});
    const json report = json::parse(events.back().payload_json);
    QCOMPARE(report.at("documents_added").get<int>(), 1);
    QVERIFY(report.at("skipped").empty());
    QCOMPARE(report.at("run_id").get<std::int64_t>(), *events.front().run_id);
    const auto search = run_cli({"corpus", "search", q(scratch_->project), "answer", "--json"});
    const std::string text = stdout_json(search).at(0).at("text").get<std::string>();
    QVERIFY2(text.find("# File: Cargo.toml") != std::string::npos, text.c_str());
  }

  void badRequestsFailWithOneLine() {
    const struct {
      QStringList args;
      QString message;
    } cases[] = {
        {{"corpus", "add", q(scratch_->project), q(scratch_->root / "missing")}, "missing does not exist"},
        {{"corpus", "add", q(scratch_->root / "docs"), q(scratch_->root / "docs")}, "project.ropewalk.json"},
        {{"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--chunk-tokens", "8", "--chunk-overlap", "8"},
         "chunk_overlap"},
        {{"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--include", "[x"}, "[x"},
        {{"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--tokenizer", q(scratch_->root / "docs")}, "docs"},
        {{"corpus", "stats", q(scratch_->project), "--corpus", "nope"}, "no corpus named 'nope' in the project store (no corpus yet"},
        {{"corpus", "search", q(scratch_->project), "x", "--top-k", "0"}, "no corpus named 'main'"},
        {{"corpus", "add", q(scratch_->project), q(scratch_->root / "docs"), "--chunk-size", "8"}, "unknown option --chunk-size"},
    };
    for (const auto& c : cases) {
      const auto r = run_cli(c.args);
      QVERIFY2(r.exit_code == 1, qPrintable(c.args.join(' ') + " -> " + r.std_out));
      QVERIFY2(r.std_err.contains(c.message), qPrintable(c.args.join(' ') + " -> " + r.std_err));
      QCOMPARE(r.std_err.trimmed().count('\n'), 0);
    }
    const auto stats = run_cli({"project", "info", q(scratch_->project), "--json"});
    QVERIFY2(stats.exit_code == 0, qPrintable(stats.std_err));
    // Nothing was imported by any of the failed requests.
    QCOMPARE(run_cli({"corpus", "stats", q(scratch_->project)}).exit_code, 1);
  }

 private:
  std::unique_ptr<ScratchProject> scratch_;
};

QTEST_GUILESS_MAIN(TestCliCorpus)
#include "test_cli_corpus.moc"

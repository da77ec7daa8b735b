// End to end through ropewalk-cli: `dataset import` (auto format, skip reasons, --json report), `dataset
// list`, `dataset show` (summary, --index, --sample, --json with messages, meta and segments), and bad
// requests failing with one readable line and nothing stored.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

using namespace rw::test;  // q, run_cli, stdout_json, write_bytes, ScratchProject

class TestCliDataset : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    scratch_ = std::make_unique<ScratchProject>();
    QVERIFY2(scratch_->error.isEmpty(), qPrintable(scratch_->error));
    write_bytes(
        scratch_->root / "chat.jsonl",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Where do tides come from?\"}, {\"role\": "
        "\"assistant\", \"content\": \"The moon's gravity.\"}]}\n"
        "{\"conversations\": [{\"from\": \"human\", \"value\": \"2+2?\"}, {\"from\": \"gpt\", \"value\": \"4\"}]}\n"
        "{\"instruction\": \"Name a colour\", \"output\": \"Blue\"}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"no answer\"}]}\n");
  }
  void cleanup() { scratch_.reset(); }

  void importListShow() {
    auto r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "chat.jsonl"), "--name", "chat"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("dataset 'chat' (new): 3 samples imported (messages 1, sharegpt 1, alpaca 1), 0 "
                                "duplicates skipped, 4 lines read"),
             qPrintable(r.std_out));
    QVERIFY2(r.std_out.contains("line 4: no assistant turn"), qPrintable(r.std_out));

    r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "chat.jsonl"), "--name", "chat", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json report = stdout_json(r);
    QCOMPARE(report.at("imported").get<int>(), 0);
    QCOMPARE(report.at("duplicates").get<int>(), 3);
    QCOMPARE(report.at("created").get<bool>(), false);

    r = run_cli({"dataset", "list", q(scratch_->project), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json list = stdout_json(r);
    QCOMPARE(list.size(), size_t{1});
    QCOMPARE(QString::fromStdString(list.at(0).at("name").get<std::string>()), QString("chat"));
    QCOMPARE(list.at(0).at("samples").get<int>(), 3);
    r = run_cli({"dataset", "list", q(scratch_->project)});
    QVERIFY2(r.std_out.contains("chat") && r.std_out.contains("3 samples"), qPrintable(r.std_out));

    r = run_cli({"dataset", "show", q(scratch_->project), "chat"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("samples  3") && r.std_out.contains("Where do tides come from?"),
             qPrintable(r.std_out));

    r = run_cli({"dataset", "show", q(scratch_->project), "chat", "--index", "1", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json sample = stdout_json(r);
    QCOMPARE(sample.at("index").get<int>(), 1);
    QCOMPARE(sample.at("messages").size(), size_t{2});
    QCOMPARE(QString::fromStdString(sample.at("messages").at(0).at("content").get<std::string>()), QString("2+2?"));
    QCOMPARE(QString::fromStdString(sample.at("meta").at("format").get<std::string>()), QString("sharegpt"));
    QCOMPARE(sample.at("meta").at("line").get<int>(), 2);
    QVERIFY(sample.at("segments").is_array());

    const std::int64_t id = sample.at("id").get<std::int64_t>();
    r = run_cli({"dataset", "show", q(scratch_->project), "chat", "--sample", QString::number(id)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains(QString("sample %1 (index 1) of dataset 'chat'").arg(id)), qPrintable(r.std_out));
    QVERIFY2(r.std_out.contains("[1] assistant (1 bytes)\n4"), qPrintable(r.std_out));
  }

  void badRequestsFailReadably() {
    auto r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "missing.jsonl"), "--name", "chat"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("missing.jsonl does not exist"), qPrintable(r.std_err));
    write_bytes(scratch_->root / "bad.jsonl", "{\"messages\": \"\xff\"}\n");
    r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "bad.jsonl"), "--name", "chat"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("bad.jsonl is not UTF-8"), qPrintable(r.std_err));
    r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "chat.jsonl")});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("usage: ropewalk-cli dataset import PROJECT FILE.jsonl --name NAME"),
             qPrintable(r.std_err));
    r = run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "chat.jsonl"), "--name", "chat", "--format", "csv"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("unknown dataset format 'csv'"), qPrintable(r.std_err));
    r = run_cli({"dataset", "list", q(scratch_->project), "--json"});
    QCOMPARE(stdout_json(r).size(), size_t{0});  // none of the failures created a dataset

    run_cli({"dataset", "import", q(scratch_->project), q(scratch_->root / "chat.jsonl"), "--name", "chat"});
    r = run_cli({"dataset", "show", q(scratch_->project), "chats"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("no dataset named 'chats' (datasets: chat)"), qPrintable(r.std_err));
    r = run_cli({"dataset", "show", q(scratch_->project), "chat", "--index", "3"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("dataset 'chat' has 3 samples; there is no index 3"), qPrintable(r.std_err));
    r = run_cli({"dataset", "show", q(scratch_->project), "chat", "--sample", "999"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.std_err.contains("dataset 'chat' has no sample with id 999"), qPrintable(r.std_err));
  }

 private:
  std::unique_ptr<ScratchProject> scratch_;
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "test_cli_dataset.moc"

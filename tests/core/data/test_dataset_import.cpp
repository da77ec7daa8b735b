// Dataset import: each JSONL format (OpenAI messages, ShareGPT, Alpaca) becomes the expected conversation,
// auto-detection per line, every skip reason with its line number, duplicates counted, provenance in the
// sample meta, appending to an existing dataset, and bad files (missing, not UTF-8, empty) refused with
// the store untouched.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rw/core/data/dataset_import.h"
#include "rw/core/store/dataset_store.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;
namespace fs = std::filesystem;

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// "role: content" per message, for compact comparisons.
QStringList flat(const std::vector<ChatMessage>& messages) {
  QStringList out;
  for (const ChatMessage& m : messages) out << qs(m.role + ": " + m.content);
  return out;
}

}  // namespace

class TestDatasetImport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(scratch_.renew()); }
  void cleanup() { scratch_.close(); }

  void formatsAndSkipReasons() {
    const fs::path file = write(
        "mixed.jsonl",
        "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": "
        "\"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n"
        "{\"conversations\": [{\"from\": \"human\", \"value\": \"2+2?\"}, {\"from\": \"gpt\", \"value\": \"4\"}], "
        "\"system\": \"You are a calculator.\"}\n"
        "\n"
        "{\"instruction\": \"Translate\", \"input\": \"chat\", \"output\": \"cat\", \"history\": [[\"Hola\", "
        "\"Hello\"]]}\n"
        "{\"instruction\": \"Say yes\", \"input\": \"\", \"output\": \"yes\", \"system\": \"\"}\n"
        "{not json}\n"
        "[1, 2]\n"
        "{\"text\": \"plain document\"}\n"
        "{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}\n"
        "{\"conversations\": [{\"from\": \"bot\", \"value\": \"x\"}]}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"  \"}, {\"role\": \"assistant\", \"content\": \"y\"}]}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}\n"
        "{\"messages\": [{\"role\": \"assistant\", \"content\": \"I start\"}, {\"role\": \"user\", \"content\": "
        "\"ok\"}]}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": "
        "\"Hello!\"}], \"id\": 2}\n"
        "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": "
        "\"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n");
    const DatasetImportReport r = import_dataset(scratch_.db(), "chat", file);
    QVERIFY(r.created);
    QCOMPARE(r.lines, std::int64_t{15});
    QCOMPARE(r.imported, std::int64_t{5});  // the messages line without its system prompt is another conversation
    QCOMPARE(r.duplicates, std::int64_t{1});
    QCOMPARE(r.by_format[0], std::int64_t{2});
    QCOMPARE(r.by_format[1], std::int64_t{1});
    QCOMPARE(r.by_format[2], std::int64_t{2});
    QStringList skipped;
    for (const SkippedLine& s : r.skipped) skipped << QString("%1: %2").arg(s.line).arg(qs(s.reason));
    QCOMPARE(skipped.size(), 9);
    QVERIFY2(skipped[0].startsWith("6: not valid JSON: "), qPrintable(skipped[0]));
    QCOMPARE(skipped.mid(1), QStringList({
                                 "7: a JSON array, not an object",
                                 "8: unknown format: no \"messages\", \"conversations\" or \"instruction\"/\"output\" "
                                 "field",
                                 "9: message 0: unknown role 'tool' (expected system, user or assistant)",
                                 "10: turn 0: unknown speaker 'bot' (expected system, human or gpt)",
                                 "11: message 0 (user): empty content",
                                 "12: no assistant turn",
                                 "13: the conversation does not start with a user turn after the system prompt",
                                 "14: message 0: \"content\" is not a string",
                             }));

    DatasetStore store(scratch_.db());
    const DatasetRecord ds = store.dataset(r.dataset_id);
    QCOMPARE(qs(ds.source), qs(file.string()));
    QCOMPARE(qs(ds.config_json), QString("{\"format\":\"auto\"}"));
    const auto ids = store.sample_ids(r.dataset_id);
    QCOMPARE(ids.size(), size_t{5});
    QCOMPARE(flat(store.sample(ids[0]).messages), QStringList({"system: Be brief.", "user: Hi", "assistant: Hello!"}));
    QCOMPARE(flat(store.sample(ids[1]).messages),
             QStringList({"system: You are a calculator.", "user: 2+2?", "assistant: 4"}));
    QCOMPARE(flat(store.sample(ids[2]).messages),
             QStringList({"user: Hola", "assistant: Hello", "user: Translate\nchat", "assistant: cat"}));
    // An empty system prompt is dropped; an empty input adds nothing to the instruction.
    QCOMPARE(flat(store.sample(ids[3]).messages), QStringList({"user: Say yes", "assistant: yes"}));
    QCOMPARE(flat(store.sample(ids[4]).messages), QStringList({"user: Hi", "assistant: Hello!"}));
    const auto meta = nlohmann::json::parse(store.sample(ids[1]).meta_json);
    QCOMPARE(qs(meta.at("source").get<std::string>()), qs(file.string()));
    QCOMPARE(meta.at("line").get<int>(), 2);
    QCOMPARE(qs(meta.at("format").get<std::string>()), QString("sharegpt"));

    // Importing again appends nothing new: all duplicates, the dataset is reused.
    const DatasetImportReport again = import_dataset(scratch_.db(), "chat", file);
    QVERIFY(!again.created);
    QCOMPARE(again.dataset_id, r.dataset_id);
    QCOMPARE(again.imported, std::int64_t{0});
    QCOMPARE(again.duplicates, std::int64_t{6});
    const std::string json = dataset_import_report_to_json(r);
    QVERIFY(json.find("\"imported\":5") != std::string::npos);
    QVERIFY(json.find("\"line\":12,\"reason\":\"no assistant turn\"") != std::string::npos);
  }

  void explicitFormatIgnoresOtherLayouts() {
    const fs::path file = write("alpaca.jsonl",
                                "{\"instruction\": \"a\", \"output\": \"b\"}\n"
                                "{\"messages\": [{\"role\": \"user\", \"content\": \"c\"}, {\"role\": \"assistant\", "
                                "\"content\": \"d\"}]}\n"
                                "{\"instruction\": \"e\", \"output\": 5}\n");
    const DatasetImportReport r = import_dataset(scratch_.db(), "alpaca", file, DatasetFormat::Alpaca);
    QCOMPARE(r.imported, std::int64_t{1});
    QCOMPARE(r.skipped.size(), size_t{2});
    QCOMPARE(qs(r.skipped[0].reason), QString("no \"instruction\" and \"output\" strings"));
    QCOMPARE(qs(r.skipped[1].reason), QString("\"output\" is a number, not a string"));
    QVERIFY(dataset_format_from_name("sharegpt") == DatasetFormat::ShareGpt);
    QVERIFY(error_of([] {
              dataset_format_from_name("csv");
            }).contains("unknown dataset format 'csv' (expected auto, messages, sharegpt or alpaca)"));
  }

  void badFilesLeaveTheStoreUntouched() {
    const fs::path missing = fs::path(scratch_.folder().path().toStdString()) / "missing.jsonl";
    QVERIFY(error_of([&] {
              import_dataset(scratch_.db(), "chat", missing);
            }).contains(qs("dataset import: " + missing.string() + " does not exist")));
    const fs::path latin1 = write("latin1.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"caf\xE9\"}]}\n");
    QVERIFY(error_of([&] {
              import_dataset(scratch_.db(), "chat", latin1);
            }).contains(qs("dataset import: " + latin1.string() + " is not UTF-8 (invalid bytes at offset 46)")));
    const fs::path empty = write("empty.jsonl", "\n\n");
    QVERIFY(error_of([&] { import_dataset(scratch_.db(), "chat", empty); }).contains("is empty"));
    QVERIFY(error_of([&] { import_dataset(scratch_.db(), "", empty); }).contains("the dataset name is empty"));
    QVERIFY(DatasetStore(scratch_.db()).list_datasets().empty());  // not even the dataset was created
  }

 private:
  fs::path write(const std::string& name, std::string_view bytes) {
    const fs::path p = fs::path(scratch_.folder().path().toStdString()) / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  rw::test::ScratchStore scratch_;
};

QTEST_GUILESS_MAIN(TestDatasetImport)
#include "test_dataset_import.moc"

// Dataset export: each layout's lines carry exactly the fields LLaMA-Factory (alpaca, sharegpt, dataset_info.json
// columns and tags) and Axolotl (chat_template, completion) document; consecutive turns of one role are joined so
// sharegpt alternates; the exports import back to the same conversations; the manifest's line counts and
// hashes match the files; bad datasets are refused before anything is written.
#include <QtTest>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "rw/core/data/dataset_export.h"
#include "rw/core/data/dataset_import.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/util/files.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

using namespace rw::core;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<json> lines_of(const fs::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

std::set<std::string> keys_of(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

}  // namespace

class TestDatasetExport : public QObject {
  Q_OBJECT

  rw::test::ScratchStore scratch_;
  fs::path out_;

 private Q_SLOTS:
  void init() {
    QVERIFY(scratch_.renew());
    static int n = 0;
    out_ = fs::path(scratch_.folder().path().toStdString()) / ("export" + std::to_string(++n));
    DatasetStore store(scratch_.db());
    const auto chat = store.create_dataset({.name = "needles/v1", .source = "synth:tasks"});
    // A needle chat: system, two user turns in a row, the reply.
    store.add_sample(chat.id, {{"system", "Be short."}, {"user", "Context: the number is 7."}, {"user", "What is the number?"},
                               {"assistant", "7."}});
    // Multi-turn without a system prompt.
    store.add_sample(chat.id, {{"user", "Hi"}, {"assistant", "Hello"}, {"user", "Sum 2+2"}, {"assistant", "4"}});
    const auto text = store.create_dataset({.name = "cip", .kind = "text", .source = "synth:cip"});
    store.add_sample(text.id, {{std::string(kTextRole), "chunk one\n\nchunk two"}});
  }
  void cleanup() { scratch_.close(); }

  void chatLayoutsCarryTheDocumentedFields() {
    const DatasetExportReport r = export_dataset(scratch_.db(), "needles/v1", out_);
    QCOMPARE(r.samples, std::int64_t{2});
    // The name becomes a safe file stem.
    const auto sharegpt = lines_of(out_ / "needles_v1.sharegpt.jsonl");
    const auto alpaca = lines_of(out_ / "needles_v1.alpaca.jsonl");
    const auto messages = lines_of(out_ / "needles_v1.messages.jsonl");
    QCOMPARE(sharegpt.size(), size_t{2});
    QVERIFY((keys_of(sharegpt[0]) == std::set<std::string>{"conversations", "system"}));
    QCOMPARE(sharegpt[0]["system"].get<std::string>(), std::string("Be short."));
    const json& conv = sharegpt[0]["conversations"];
    QCOMPARE(conv.size(), size_t{2});  // the two user turns joined
    QCOMPARE(conv[0]["from"].get<std::string>(), std::string("human"));
    QCOMPARE(conv[0]["value"].get<std::string>(), std::string("Context: the number is 7.\n\nWhat is the number?"));
    QCOMPARE(conv[1]["from"].get<std::string>(), std::string("gpt"));
    QVERIFY((keys_of(sharegpt[1]) == std::set<std::string>{"conversations"}));
    QCOMPARE(sharegpt[1]["conversations"].size(), size_t{4});

    QVERIFY((keys_of(alpaca[0]) == std::set<std::string>{"instruction", "input", "output", "system"}));
    QCOMPARE(alpaca[0]["output"].get<std::string>(), std::string("7."));
    QVERIFY((keys_of(alpaca[1]) == std::set<std::string>{"instruction", "input", "output", "history"}));
    QCOMPARE(alpaca[1]["instruction"].get<std::string>(), std::string("Sum 2+2"));
    QCOMPARE(alpaca[1]["history"], json::parse(R"([["Hi", "Hello"]])"));

    QVERIFY((keys_of(messages[0]) == std::set<std::string>{"messages"}));
    QCOMPARE(messages[0]["messages"].size(), size_t{4});  // Axolotl's chat_template keeps every turn as stored
    QCOMPARE(messages[0]["messages"][2]["role"].get<std::string>(), std::string("user"));

    // LLaMA-Factory's registry names each file with its formatting, columns and tags.
    const json info = json::parse(read_text_file(out_ / "dataset_info.json"));
    QCOMPARE(info["needles_v1_sharegpt"]["file_name"].get<std::string>(), std::string("needles_v1.sharegpt.jsonl"));
    QCOMPARE(info["needles_v1_sharegpt"]["formatting"].get<std::string>(), std::string("sharegpt"));
    QCOMPARE(info["needles_v1_sharegpt"]["columns"]["messages"].get<std::string>(), std::string("conversations"));
    QCOMPARE(info["needles_v1_sharegpt"]["tags"]["user_tag"].get<std::string>(), std::string("human"));
    QCOMPARE(info["needles_v1_alpaca"]["columns"]["prompt"].get<std::string>(), std::string("instruction"));
    QCOMPARE(info["needles_v1_alpaca"]["columns"]["history"].get<std::string>(), std::string("history"));
    const std::string axolotl = read_text_file(out_ / "axolotl.yaml");
    QVERIFY(axolotl.find("path: needles_v1.messages.jsonl") != std::string::npos);
    QVERIFY(axolotl.find("type: chat_template") != std::string::npos);
    QVERIFY(axolotl.find("field_messages: messages") != std::string::npos);
  }

  void exportsImportBack() {
    export_dataset(scratch_.db(), "needles/v1", out_);
    DatasetStore store(scratch_.db());
    const auto original = store.sample(store.sample_ids(store.find_dataset("needles/v1")->id)[1]);
    for (const auto& [file, format] : {std::pair{"needles_v1.sharegpt.jsonl", DatasetFormat::ShareGpt},
                                       std::pair{"needles_v1.alpaca.jsonl", DatasetFormat::Alpaca},
                                       std::pair{"needles_v1.messages.jsonl", DatasetFormat::Messages}}) {
      const std::string name = std::string("back-") + file;
      const DatasetImportReport r = import_dataset(scratch_.db(), name, out_ / file, format);
      QCOMPARE(r.imported, std::int64_t{2});
      QVERIFY(r.skipped.empty());
      const auto back = store.sample(store.sample_ids(r.dataset_id)[1]);
      QCOMPARE(back.messages.size(), original.messages.size());
      for (size_t i = 0; i < back.messages.size(); ++i) {
        QCOMPARE(back.messages[i].role, original.messages[i].role);
        QCOMPARE(back.messages[i].content, original.messages[i].content);
      }
    }
  }

  void textDatasetsAreCompletionLines() {
    const DatasetExportReport r = export_dataset(scratch_.db(), "cip", out_);
    const auto lines = lines_of(out_ / "cip.text.jsonl");
    QCOMPARE(lines.size(), size_t{1});
    QVERIFY((keys_of(lines[0]) == std::set<std::string>{"text"}));
    QCOMPARE(lines[0]["text"].get<std::string>(), std::string("chunk one\n\nchunk two"));
    QCOMPARE(json::parse(read_text_file(out_ / "dataset_info.json"))["cip_text"]["columns"]["prompt"].get<std::string>(),
             std::string("text"));
    QVERIFY(read_text_file(out_ / "axolotl.yaml").find("type: completion") != std::string::npos);
    // The manifest lists every file with its real line count and hash.
    const json manifest = json::parse(read_text_file(out_ / "manifest.json"));
    QCOMPARE(manifest["kind"].get<std::string>(), std::string("text"));
    QCOMPARE(manifest["samples"].get<int>(), 1);
    QCOMPARE(manifest["files"].size(), size_t{3});
    for (const json& f : manifest["files"]) {
      const std::string content = read_text_file(out_ / f["name"].get<std::string>());
      QCOMPARE(f["sha256"].get<std::string>(), sha256_hex(content));
      QCOMPARE(f["lines"].get<std::int64_t>(), static_cast<std::int64_t>(std::count(content.begin(), content.end(), '\n')));
    }
    QCOMPARE(r.files.back().name, std::string("manifest.json"));
  }

  void badDatasetsAreRefusedBeforeWriting() {
    QVERIFY(rw::test::error_of([&] { export_dataset(scratch_.db(), "nope", out_); }).contains("no dataset named 'nope'"));
    DatasetStore store(scratch_.db());
    store.create_dataset({.name = "empty"});
    QVERIFY(rw::test::error_of([&] { export_dataset(scratch_.db(), "empty", out_); })
                .contains("dataset 'empty' has no samples to export"));
    // A conversation that ends on the user's turn cannot be written as sharegpt: nothing is written.
    const auto odd = store.create_dataset({.name = "odd"});
    store.add_sample(odd.id, {{"user", "a"}, {"assistant", "b"}});
    store.add_sample(odd.id, {{"user", "a"}, {"assistant", "b"}, {"user", "left hanging"}});
    QVERIFY(rw::test::error_of([&] { export_dataset(scratch_.db(), "odd", out_); })
                .contains("does not run from a user turn to an assistant reply"));
    QVERIFY(!fs::exists(out_ / "odd.sharegpt.jsonl"));
    QVERIFY(!fs::exists(out_ / "manifest.json"));
  }
};

QTEST_GUILESS_MAIN(TestDatasetExport)
#include "test_dataset_export.moc"

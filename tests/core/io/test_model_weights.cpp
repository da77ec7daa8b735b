// read_model_weights / write_model_weights: single file and HF-style shards, the shard split checked
// against huggingface_hub, consistency of an interrupted save, and refusal of broken or pickle-only dirs.
#include <sys/resource.h>

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <functional>
#include <torch/torch.h>

#include "rw/core/io/model_weights.h"
#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "test_support.h"

namespace fs = std::filesystem;
using Tensors = std::vector<std::pair<std::string, at::Tensor>>;

using rw::test::error_of;
using rw::test::FileSizeLimit;

namespace {

constexpr const char* kIndex = "model.safetensors.index.json";
constexpr const char* kShard1 = "model-00001-of-00003.safetensors";
constexpr const char* kShard2 = "model-00002-of-00003.safetensors";
constexpr const char* kShard3 = "model-00003-of-00003.safetensors";
constexpr uint64_t kSmallShard = 600;  // splits model_tensors() into 3 shards

// 4936 bytes in all; with a 600-byte limit the 4096-byte lm_head gets a shard of its own, which
// huggingface_hub appends ahead of the shard still being filled: [embed], [lm_head], [the rest].
Tensors model_tensors() {
  return {{"embed.weight", at::randn({16, 8})},
          {"layers.0.w", at::randn({8, 8}).to(at::kBFloat16)},
          {"layers.0.b", at::randn({8})},
          {"layers.1.w", at::randn({8, 8}).to(at::kHalf)},
          {"norm.weight", at::randn({8})},
          {"step", at::scalar_tensor(1234, at::kLong)},
          {"lm_head.weight", at::randn({32, 32})}};
}

QByteArray bytes_of(const at::Tensor& t) {
  const at::Tensor c = t.cpu().contiguous();
  return QByteArray(static_cast<const char*>(c.const_data_ptr()), static_cast<qsizetype>(c.nbytes()));
}

QStringList dir_entries(const fs::path& dir) {
  return QDir(QString::fromStdString(dir.string())).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                                                              QDir::Name);
}

QJsonObject read_json(const fs::path& path) {
  QFile f(QString::fromStdString(path.string()));
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

void write_text(const fs::path& path, const QByteArray& text) {
  QFile f(QString::fromStdString(path.string()));
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(text);
}

}  // namespace

class TestModelWeights : public QObject {
  Q_OBJECT

  std::unique_ptr<QTemporaryDir> temp_;
  fs::path dir() const { return fs::path(temp_->path().toStdString()) / "model"; }

  static void verify_same(const std::map<std::string, at::Tensor>& loaded, const Tensors& expected) {
    QCOMPARE(loaded.size(), expected.size());
    for (const auto& [name, tensor] : expected) {
      auto it = loaded.find(name);
      QVERIFY2(it != loaded.end(), name.c_str());
      QCOMPARE(it->second.scalar_type(), tensor.scalar_type());
      QCOMPARE(it->second.sizes().vec(), tensor.sizes().vec());
      QVERIFY2(bytes_of(it->second) == bytes_of(tensor), name.c_str());
    }
  }

  // Asserts that reading dir() fails with every one of `parts` in the message.
  void expect_read_error(const QStringList& parts) {
    const QString what = error_of([&] { (void)rw::core::read_model_weights(dir()); });
    QVERIFY2(!what.isEmpty(), "read_model_weights did not throw");
    for (const QString& part : parts) QVERIFY2(what.contains(part), qPrintable(part + " not in: " + what));
  }

 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(11); }
  void init() {
    temp_ = std::make_unique<QTemporaryDir>();
    QVERIFY(temp_->isValid());
  }
  void cleanup() { temp_.reset(); }

  void singleFileWhenUnderLimit() {
    const Tensors tensors = model_tensors();
    rw::core::write_model_weights(dir(), tensors);
    QCOMPARE(dir_entries(dir()), QStringList{"model.safetensors"});
    verify_same(rw::core::read_model_weights(dir()), tensors);
    rw::core::SafetensorsReader reader(dir() / "model.safetensors");
    QCOMPARE(reader.metadata().at("format"), std::string("pt"));
  }

  void shardedNamesIndexAndRoundTrip() {
    const Tensors tensors = model_tensors();
    rw::core::write_model_weights(dir(), tensors, kSmallShard);
    QCOMPARE(dir_entries(dir()), (QStringList{kShard1, kShard2, kShard3, kIndex}));

    const QJsonObject index = read_json(dir() / kIndex);
    QCOMPARE(index["metadata"].toObject()["total_size"].toInteger(), qint64{4936});
    const QJsonObject weight_map = index["weight_map"].toObject();
    QCOMPARE(weight_map.size(), 7);
    QCOMPARE(weight_map["embed.weight"].toString(), QString(kShard1));
    QCOMPARE(weight_map["lm_head.weight"].toString(), QString(kShard2));
    for (const char* name : {"layers.0.w", "layers.0.b", "layers.1.w", "norm.weight", "step"})
      QCOMPARE(weight_map[name].toString(), QString(kShard3));

    const auto loaded = rw::core::read_model_weights(dir());
    verify_same(loaded, tensors);
    QCOMPARE(loaded.begin()->first, std::string("embed.weight"));  // ordered by name
    QCOMPARE(rw::core::SafetensorsReader(dir() / kShard2).metadata().at("format"), std::string("pt"));
  }

  // The split, names, total_size and index text agree with huggingface_hub / save_pretrained.
  void shardSplitMatchesHuggingFaceHub_data() {
    QTest::addColumn<qint64>("max_shard_bytes");
    QTest::newRow("600 bytes, oversized tensor") << qint64{600};
    QTest::newRow("1000 bytes") << qint64{1000};
    QTest::newRow("4200 bytes") << qint64{4200};
  }

  void shardSplitMatchesHuggingFaceHub() {
    QFETCH(qint64, max_shard_bytes);
    const Tensors tensors = model_tensors();
    rw::core::write_model_weights(dir(), tensors, static_cast<uint64_t>(max_shard_bytes));
    QStringList order;
    for (const auto& [name, tensor] : tensors) order << QString::fromStdString(name);
    const auto run = rw::test::run_oracle(
        "safetensors_roundtrip.py", {"check_index", QString::fromStdString(dir().string()), "--max-shard-bytes",
                                     QString::number(max_shard_bytes), "--order", order.join(',')});
    QVERIFY2(run.exit_code == 0, qPrintable(run.std_out + run.std_err));
    const QJsonObject result = QJsonDocument::fromJson(run.std_out.toUtf8()).object();
    QVERIFY(result["ok"].toBool());
    QCOMPARE(result["total_size"].toInteger(), qint64{4936});
    QVERIFY(result["shards"].toArray().size() >= 2);
  }

  // Re-saving with another layout leaves exactly the new files (and unrelated files alone).
  void resaveRemovesStaleFiles() {
    fs::create_directories(dir());
    write_text(dir() / "config.json", "{}");
    write_text(dir() / "model-notes.txt", "keep me");
    const QStringList unrelated{"config.json", "model-notes.txt"};

    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);  // 3 shards
    const Tensors two = model_tensors();
    rw::core::write_model_weights(dir(), two, 4200);
    QCOMPARE(dir_entries(dir()), (QStringList{"config.json", "model-00001-of-00002.safetensors",
                                              "model-00002-of-00002.safetensors", "model-notes.txt", kIndex}));
    verify_same(rw::core::read_model_weights(dir()), two);

    const Tensors single = model_tensors();
    rw::core::write_model_weights(dir(), single);
    QCOMPARE(dir_entries(dir()), (QStringList{"config.json", "model-notes.txt", "model.safetensors"}));
    verify_same(rw::core::read_model_weights(dir()), single);

    const Tensors three = model_tensors();
    rw::core::write_model_weights(dir(), three, kSmallShard);
    QCOMPARE(dir_entries(dir()), (QStringList{"config.json", kShard1, kShard2, kShard3, "model-notes.txt", kIndex}));
    verify_same(rw::core::read_model_weights(dir()), three);
  }

  // Same shard names as the previous save: the new values replace the old ones everywhere.
  void resaveSameLayoutReplacesValues() {
    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);
    const Tensors again = model_tensors();
    rw::core::write_model_weights(dir(), again, kSmallShard);
    QCOMPARE(dir_entries(dir()), (QStringList{kShard1, kShard2, kShard3, kIndex}));
    verify_same(rw::core::read_model_weights(dir()), again);
  }

  void failedResaveKeepsOldModel_data() {
    QTest::addColumn<bool>("disk_full");
    QTest::newRow("disk full at shard 2") << true;
    QTest::newRow("unsupported dtype in shard 3") << false;
  }

  // A save that fails after writing some shards leaves the previous save whole and readable, no leftovers.
  void failedResaveKeepsOldModel() {
    QFETCH(bool, disk_full);
    const Tensors old_tensors = model_tensors();
    rw::core::write_model_weights(dir(), old_tensors, kSmallShard);
    const QStringList old_files = dir_entries(dir());

    Tensors new_tensors = model_tensors();
    QString what;
    if (disk_full) {
      FileSizeLimit limit(2048);  // shard 1 (~0.7 KB) fits, shard 2 (~4.2 KB) does not
      QVERIFY(limit.ok());
      what = error_of([&] { rw::core::write_model_weights(dir(), new_tensors, kSmallShard); });
    } else {
      new_tensors[4].second = at::ones({4}, at::kComplexFloat);  // norm.weight, in shard 3
      what = error_of([&] { rw::core::write_model_weights(dir(), new_tensors, kSmallShard); });
    }
    QVERIFY2(what.contains(disk_full ? kShard2 : "'norm.weight'"), qPrintable(what));
    QCOMPARE(dir_entries(dir()), old_files);
    verify_same(rw::core::read_model_weights(dir()), old_tensors);
  }

  void writeRejectsDuplicateNames() {
    const QString what = error_of([&] {
      rw::core::write_model_weights(dir(), {{"w", at::ones({2})}, {"v", at::ones({2})}, {"w", at::ones({2})}}, 8);
    });
    QVERIFY2(what.contains("'w'") && what.contains("more than once"), qPrintable(what));
    QVERIFY(!fs::exists(dir()) || fs::is_empty(dir()));
  }

  void missingShard() {
    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);
    fs::remove(dir() / kShard2);
    expect_read_error({kShard2, kIndex, "does not exist", "lm_head.weight"});
  }

  void tensorListedButAbsentFromShard() {
    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);
    QJsonObject index = read_json(dir() / kIndex);
    QJsonObject weight_map = index["weight_map"].toObject();
    weight_map["ghost.weight"] = kShard1;
    index["weight_map"] = weight_map;
    write_text(dir() / kIndex, QJsonDocument(index).toJson());
    expect_read_error({"'ghost.weight'", kShard1, kIndex, "no such tensor"});
  }

  void tensorInTwoShards() {
    const Tensors tensors = model_tensors();
    rw::core::write_model_weights(dir(), tensors, kSmallShard);
    Tensors shard3;
    {
      rw::core::SafetensorsReader reader(dir() / kShard3);
      for (const auto& e : reader.entries()) shard3.emplace_back(e.name, reader.load(e.name));
    }
    shard3.emplace_back("embed.weight", tensors[0].second);  // also in shard 1
    rw::core::write_safetensors(dir() / kShard3, shard3);
    expect_read_error({"'embed.weight'", "two shards", kShard1, kShard3});
  }

  void shardOutsideModelDirectory() {
    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);
    QJsonObject index = read_json(dir() / kIndex);
    QJsonObject weight_map = index["weight_map"].toObject();
    weight_map["step"] = QString("../") + kShard3;
    index["weight_map"] = weight_map;
    write_text(dir() / kIndex, QJsonDocument(index).toJson());
    expect_read_error({"'step'", "../model-00003", "not a file name inside", kIndex});
  }

  void malformedIndex_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("cause");
    QTest::newRow("not JSON") << QByteArray("{\"weight_map\": ") << QString("not valid JSON");
    QTest::newRow("no weight_map") << QByteArray(R"({"metadata": {}})") << QString("missing \"weight_map\"");
    QTest::newRow("empty weight_map") << QByteArray(R"({"weight_map": {}})") << QString("is empty");
    QTest::newRow("non-string shard") << QByteArray(R"({"weight_map": {"w": 3}})") << QString("'w' is not a file");
  }

  void malformedIndex() {
    QFETCH(QByteArray, text);
    QFETCH(QString, cause);
    fs::create_directories(dir());
    write_text(dir() / kIndex, text);
    expect_read_error({kIndex, cause});
  }

  void pickleOnlyDirectoryRefused_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("pytorch_model.bin") << "pytorch_model.bin";
    QTest::newRow("*.pt") << "model.pt";
    QTest::newRow("*.pth") << "consolidated.00.pth";
    QTest::newRow("*.ckpt") << "last.ckpt";
  }

  void pickleOnlyDirectoryRefused() {
    QFETCH(QString, file);
    fs::create_directories(dir());
    write_text(dir() / "config.json", "{}");
    write_text(dir() / file.toStdString(), QByteArray("\x80\x04\x95", 3));  // a pickle protocol-4 header
    expect_read_error({QString::fromStdString(dir().string()), file, "pickle is not supported", "convert",
                       "safetensors"});
  }

  void noWeightsRefused() {
    fs::create_directories(dir());
    expect_read_error({QString::fromStdString(dir().string()), "no model.safetensors or " + QString(kIndex) + " found"});
    write_text(dir() / "adapter_model.safetensors", "");
    expect_read_error({"no model.safetensors", "adapter_model.safetensors"});
  }

  void missingDirectoryRefused() {
    expect_read_error({QString::fromStdString(dir().string()), "does not exist"});
  }

  // Like transformers: model.safetensors wins when an index is present too.
  void singleFilePreferredOverIndex() {
    rw::core::write_model_weights(dir(), model_tensors(), kSmallShard);
    const Tensors single = {{"only", at::arange(3)}};
    rw::core::write_safetensors(dir() / "model.safetensors", single);
    verify_same(rw::core::read_model_weights(dir()), single);
  }
};

QTEST_GUILESS_MAIN(TestModelWeights)
#include "test_model_weights.moc"

// HF model directories: missing or extra tensors and shape mismatches are named; a failed save leaves
// an existing directory as it was and no partial directory behind.
#include <ATen/ATen.h>
#include <QtTest>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "test_support.h"

using namespace rw::core;
namespace fs = std::filesystem;
using rw::test::error_of;

namespace {

fs::path source_model() { return rw::test::hf_fixture_dir() / "llama-default" / "model"; }

// Copies the fixture model to `dir`, replacing its weights with `edit` applied to them.
void copy_with_weights(const fs::path& dir,
                       const std::function<void(std::vector<std::pair<std::string, at::Tensor>>&)>& edit) {
  fs::create_directories(dir);
  fs::copy_file(source_model() / "config.json", dir / "config.json");
  SafetensorsReader reader(source_model() / "model.safetensors");
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& e : reader.entries()) tensors.emplace_back(e.name, reader.load(e.name));
  edit(tensors);
  write_safetensors(dir / "model.safetensors", tensors);
}

}  // namespace

class TestHfModelDir : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void missingTensorIsNamed() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    copy_with_weights(dir, [](auto& t) {
      std::erase_if(t, [](const auto& p) { return p.first == "model.layers.1.mlp.up_proj.weight"; });
    });
    const auto what = error_of([&] { load_hf_model(dir); });
    QVERIFY2(what.contains("model.layers.1.mlp.up_proj.weight") && what.contains("missing"), qPrintable(what));
    QVERIFY2(what.contains(QString::fromStdString(dir.string())), qPrintable(what));
  }

  void extraTensorIsNamed() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    copy_with_weights(dir, [](auto& t) { t.emplace_back("model.layers.9.self_attn.q_proj.weight", at::zeros({2, 2})); });
    const auto what = error_of([&] { load_hf_model(dir); });
    QVERIFY2(what.contains("model.layers.9.self_attn.q_proj.weight") && what.contains("unexpected"), qPrintable(what));
  }

  void shapeMismatchIsNamed() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    copy_with_weights(dir, [](auto& t) {
      for (auto& [name, tensor] : t)
        if (name == "model.norm.weight") tensor = at::ones({63});
    });
    const auto what = error_of([&] { load_hf_model(dir); });
    QVERIFY2(what.contains("model.norm.weight") && what.contains("[63]") && what.contains("[64]"), qPrintable(what));
  }

  void missingConfigIsNamed() {
    QTemporaryDir tmp;
    const auto what = error_of([&] { load_hf_model(tmp.path().toStdString()); });
    QVERIFY2(what.contains("missing config.json"), qPrintable(what));
  }

  void failedSaveKeepsExistingDirectory() {
    auto loaded = load_hf_model(source_model());
    QTemporaryDir tmp;
    const fs::path target = fs::path(tmp.path().toStdString()) / "out";
    save_hf_model(loaded.model, target);
    const auto before = read_text_file(target / "model.safetensors");
    SaveOptions bad;
    bad.dtype = at::kComplexFloat;  // not a checkpoint dtype: fails while writing weights
    const auto what = error_of([&] { save_hf_model(loaded.model, target, bad); });
    QVERIFY2(!what.isEmpty(), "save with a complex dtype did not fail");
    QCOMPARE(read_text_file(target / "model.safetensors"), before);
    int entries = 0;
    for (const auto& e : fs::directory_iterator(tmp.path().toStdString())) {
      ++entries;
      QVERIFY2(e.path().filename() == "out", e.path().c_str());
    }
    QCOMPARE(entries, 1);
  }

  void saveCarriesGenerationConfigAndTokenizer() {
    const auto chat = rw::test::hf_fixture_dir() / "chat-llama" / "model";
    auto loaded = load_hf_model(chat);
    QTemporaryDir tmp;
    const fs::path target = fs::path(tmp.path().toStdString()) / "copy";
    SaveOptions options;
    options.generation = loaded.generation;
    options.tokenizer_from = chat;
    save_hf_model(loaded.model, target, options);
    QVERIFY(fs::exists(target / "tokenizer.json"));
    const auto again = load_hf_model(target);
    QCOMPARE(again.generation.eos_token_ids, loaded.generation.eos_token_ids);
  }
};

QTEST_GUILESS_MAIN(TestHfModelDir)
#include "test_hf_model_dir.moc"

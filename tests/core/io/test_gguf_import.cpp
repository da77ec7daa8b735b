// GGUF import against transformers loading the same file (gguf_file=): for tiny Llama and Qwen2 models in
// several ggml types (tools/oracle/gguf_oracle.py), the imported folder's logits, greedy generation and
// tokenizer ids equal transformers', and transformers loads the folder we wrote. Bad imports leave nothing.
#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "rw/core/io/gguf_import.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/io/safetensors.h"
#include "rw/core/model/generation.h"
#include "rw/core/model/synth_chat_model.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "tensor_support.h"
#include "test_support.h"

using namespace rw::core;
namespace fs = std::filesystem;

namespace {

// Dequantized weights are the same float32 numbers in both; what is left is summation order.
constexpr double kLogitTolerance = 1e-5;

fs::path models_dir() { return fs::path(RW_FIXTURE_DIR) / "gguf" / "models"; }

std::vector<std::string> model_names() {
  const auto index = nlohmann::json::parse(read_text_file(fs::path(RW_FIXTURE_DIR) / "gguf" / "index.json"));
  return index.at("models").get<std::vector<std::string>>();
}

}  // namespace

class TestGgufImport : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  fs::path imported(const QString& name) { return fs::path(tmp_.path().toStdString()) / name.toStdString(); }

  void addRows() {
    QTest::addColumn<QString>("name");
    for (const auto& name : model_names()) QTest::newRow(name.c_str()) << QString::fromStdString(name);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    QVERIFY(model_names().size() >= 6);
    for (const auto& name : model_names()) {
      const auto report = import_gguf(models_dir() / (name + ".gguf"), imported(QString::fromStdString(name)));
      QCOMPARE(report.architecture, std::string(name.starts_with("qwen2") ? "qwen2" : "llama"));
      QVERIFY(report.chat_template);
      QVERIFY(report.parameters > 0);
    }
  }

  void logitsMatchTransformers_data() { addRows(); }
  void logitsMatchTransformers() {
    QFETCH(QString, name);
    const auto ref = read_safetensors(models_dir() / name.toStdString() / "reference.safetensors");
    auto loaded = load_hf_model(imported(name));
    const at::Tensor& mask = ref.at("attention_mask");
    const at::Tensor logits = loaded.model->forward(ref.at("input_ids"), {positions_from_mask(mask), mask, nullptr});
    const auto real = mask.to(at::kBool);
    const double err = rw::test::max_relative_error(logits.index({real}), ref.at("logits").index({real}));
    QVERIFY2(err <= kLogitTolerance, qPrintable(QString("max relative error %1").arg(err)));
  }

  void greedyAndTokenizerMatchTransformers_data() { addRows(); }
  void greedyAndTokenizerMatchTransformers() {
    QFETCH(QString, name);
    const auto ref = nlohmann::json::parse(read_text_file(models_dir() / name.toStdString() / "reference.json"));
    const auto tokenizer = load_tokenizer(imported(name));
    const auto& texts = ref.at("texts");
    for (size_t i = 0; i < texts.size(); ++i) {
      const auto ours = tokenizer->encode(texts[i].get<std::string>(), /*add_special_tokens=*/true);
      const auto theirs = ref.at("ids")[i].get<std::vector<int32_t>>();
      QVERIFY2(ours == theirs, qPrintable(QString("text %1 tokenizes differently").arg(i)));
    }
    auto loaded = load_hf_model(imported(name));
    const auto prompt = ref.at("greedy_prompt").get<std::vector<int64_t>>();
    GenerationConfig config;
    config.max_new_tokens = static_cast<int64_t>(ref.at("greedy_new").size());
    config.eos_token_ids.clear();
    const at::Tensor ids = at::tensor(prompt, at::kLong).unsqueeze(0);
    const auto result = generate(loaded.model, ids, at::ones_like(ids), config);
    std::vector<int64_t> ours(result.new_tokens[0].begin(), result.new_tokens[0].end());
    QCOMPARE(ours, ref.at("greedy_new").get<std::vector<int64_t>>());
  }

  void transformersLoadsTheImportedFolder_data() { addRows(); }
  void transformersLoadsTheImportedFolder() {
    QFETCH(QString, name);
    const auto check = rw::test::run_oracle(
        "check_hf_logits.py",
        {QString::fromStdString(imported(name).string()),
         QString::fromStdString((models_dir() / name.toStdString() / "reference.safetensors").string()),
         QString::number(kLogitTolerance)});
    QVERIFY2(check.exit_code == 0, qPrintable(check.std_out + check.std_err));
  }

  void chatTemplateAndSpecialTokensAreKept() {
    const auto dir = imported("llama-q8_0");
    QVERIFY(read_text_file(dir / "chat_template.jinja").starts_with("{% for m in messages %}<|im_start|>"));
    const auto config = nlohmann::json::parse(read_text_file(dir / "tokenizer_config.json"));
    QCOMPARE(config.at("bos_token").get<std::string>(), std::string("<|im_start|>"));
    QCOMPARE(config.at("eos_token").get<std::string>(), std::string("<|im_end|>"));
    QCOMPARE(config.at("add_bos_token").get<bool>(), true);
    const auto tokenizer = load_tokenizer(dir);
    // Control tokens stay whole.
    QCOMPARE(tokenizer->encode("<|im_end|>", false), (std::vector<int32_t>{2}));
  }

  // The synthesizer's generator speaks through the imported folder's own template when asked for "model".
  void synthGeneratorUsesTheModelsOwnTemplate() {
    const auto dir = imported("llama-q8_0");
    LlamaSynthModel model(dir, "model", 0.0);
    QVERIFY2(QString::fromStdString(model.describe()).contains("the model's chat template chat_template.jinja"),
             model.describe().c_str());
    const auto tokenizer = load_tokenizer(dir);
    // gguf_oracle.py's CHAT_TEMPLATE for one user turn (it has no generation prompt).
    const auto expected = tokenizer->encode("<|im_start|>user\nhi there<|im_end|>\n", /*add_special_tokens=*/false);
    QCOMPARE(model.prompt_tokens("hi there"), static_cast<int64_t>(expected.size()));
    QCOMPARE(model.reply({"hi there", "a longer second prompt"}, 3, 0).size(), size_t{2});
    // "completion" reads the bare message (with BOS, as this tokenizer adds it): a different prompt.
    LlamaSynthModel plain(dir, "completion", 0.0);
    QCOMPARE(plain.prompt_tokens("hi there"),
             static_cast<int64_t>(tokenizer->encode("hi there", /*add_special_tokens=*/true).size()));
    // A folder without a template is refused by name.
    const fs::path bare = fs::path(tmp_.path().toStdString()) / "no-template";
    import_gguf(models_dir() / "llama-f16.gguf", bare);
    fs::remove(bare / "chat_template.jinja");
    const QString error = rw::test::error_of([&] { LlamaSynthModel m(bare, "model", 0.0); });
    QVERIFY2(error.contains("no-template") && error.contains("has none"), qPrintable(error));
  }

  void bfloat16ImportHalvesTheWeights() {
    const auto out = imported("bf16-copy");
    import_gguf(models_dir() / "llama-q8_0.gguf", out, at::kBFloat16);
    const auto f32 = fs::file_size(imported("llama-q8_0") / "model.safetensors");
    const auto bf16 = fs::file_size(out / "model.safetensors");
    QVERIFY2(bf16 < f32 * 6 / 10, qPrintable(QString("%1 vs %2 bytes").arg(bf16).arg(f32)));
    QCOMPARE(load_hf_model(out).config.dtype, DType::BFloat16);
  }

  void badImportsLeaveNothing() {
    const fs::path root = tmp_.path().toStdString();
    // An occupied destination is refused and left as it was.
    const fs::path occupied = root / "occupied";
    fs::create_directory(occupied);
    write_file_atomic(occupied / "keep.txt", std::string("mine"));
    QVERIFY(rw::test::error_of([&] { import_gguf(models_dir() / "llama-f16.gguf", occupied); })
                .contains("already exists"));
    QCOMPARE(read_text_file(occupied / "keep.txt"), std::string("mine"));
    // A file that is not a model (the dequantization fixture has no architecture it can import).
    const fs::path out = root / "not-a-model";
    const QString error = rw::test::error_of([&] { import_gguf(fs::path(RW_FIXTURE_DIR) / "gguf" / "quants.gguf", out); });
    QVERIFY2(error.contains("quants.gguf"), qPrintable(error));
    QVERIFY(!fs::exists(out));
    for (const auto& entry : fs::directory_iterator(root))
      QVERIFY2(entry.path().filename().string().find("importing") == std::string::npos, entry.path().c_str());
    // A dtype other than float32 and bfloat16.
    QVERIFY(rw::test::error_of([&] { import_gguf(models_dir() / "llama-f16.gguf", root / "half", at::kHalf); })
                .contains("--dtype"));
  }
};

QTEST_GUILESS_MAIN(TestGgufImport)
#include "test_gguf_import.moc"

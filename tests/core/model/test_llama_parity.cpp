// Parity with HF transformers for every family x rope type: RoPE frequencies, fp32 logits over a
// left-padded batch, greedy generation, and a checkpoint we save loading back in transformers.
// Fixtures: tools/oracle/make_hf_fixtures.py (ctest fixture hf_models).
#include <ATen/ATen.h>
#include <QtTest>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/generation.h"
#include "rw/core/io/safetensors.h"
#include "tensor_support.h"

using namespace rw::core;

namespace {

constexpr double kLogitTolerance = 1e-5;  // max |ours - HF| / max |HF| over real positions

std::map<std::string, at::Tensor> read_reference(const std::filesystem::path& dir) {
  return rw::core::read_safetensors(dir / "reference.safetensors");
}

}  // namespace

class TestLlamaParity : public QObject {
  Q_OBJECT
 private:
  std::filesystem::path fixture(const QString& name) { return rw::test::hf_fixture_dir() / name.toStdString(); }

  void addFixtureRows() {
    QTest::addColumn<QString>("name");
    for (const auto& name : rw::test::hf_fixture_names()) QTest::newRow(name.c_str()) << QString::fromStdString(name);
  }

 private Q_SLOTS:
  void ropeFrequenciesMatch_data() { addFixtureRows(); }
  void ropeFrequenciesMatch() {
    QFETCH(QString, name);
    const auto dir = fixture(name);
    auto ref = read_reference(dir);
    const auto config = read_model_config(dir / "model" / "config.json");
    const auto freqs = rope_frequencies(config);
    QVERIFY2(at::equal(freqs.inv_freq, ref.at("inv_freq")),
             qPrintable(QString("inv_freq differs: max diff %1")
                            .arg((freqs.inv_freq - ref.at("inv_freq")).abs().max().item<double>())));
    QCOMPARE(freqs.attention_scaling, ref.at("attention_scaling").item<double>());
    for (int64_t n : {17, 40, 100}) {
      const auto key = "inv_freq_at_" + std::to_string(n);
      if (!ref.count(key)) continue;
      QVERIFY2(at::equal(rope_frequencies(config, n).inv_freq, ref.at(key)), key.c_str());
    }
  }

  void logitsMatch_data() { addFixtureRows(); }
  void logitsMatch() {
    QFETCH(QString, name);
    const auto dir = fixture(name);
    auto ref = read_reference(dir);
    auto loaded = load_hf_model(dir / "model");
    const auto& mask = ref.at("attention_mask");
    auto logits = loaded.model->forward(ref.at("input_ids"), {positions_from_mask(mask), mask, nullptr});
    const auto real = mask.to(at::kBool);
    const double err = rw::test::max_relative_error(logits.index({real}), ref.at("logits").index({real}));
    QVERIFY2(err <= kLogitTolerance, qPrintable(QString("max relative error %1").arg(err)));

    // The longest row alone, unpadded and without a mask: the plain causal path.
    const int64_t last = mask.size(0) - 1;
    auto single = loaded.model->forward(ref.at("input_ids").narrow(0, last, 1));
    const double err_single = rw::test::max_relative_error(single[0], ref.at("logits")[last]);
    QVERIFY2(err_single <= kLogitTolerance, qPrintable(QString("unpadded row: max relative error %1").arg(err_single)));
  }

  void greedyGenerationMatches_data() { addFixtureRows(); }
  void greedyGenerationMatches() {
    QFETCH(QString, name);
    const auto dir = fixture(name);
    auto ref = read_reference(dir);
    auto loaded = load_hf_model(dir / "model");
    const auto& ids = ref.at("input_ids");
    const auto& expected = ref.at("generated");
    GenerationConfig config;
    config.max_new_tokens = expected.size(1) - ids.size(1);
    config.pad_token_id = 0;
    auto result = generate(loaded.model, ids, ref.at("attention_mask"), config);
    for (int64_t b = 0; b < ids.size(0); ++b) {
      const auto& ours = result.new_tokens[static_cast<size_t>(b)];
      auto theirs = expected[b].narrow(0, ids.size(1), config.max_new_tokens);
      QCOMPARE(static_cast<int64_t>(ours.size()), config.max_new_tokens);
      QVERIFY2(at::equal(at::tensor(ours, at::kLong), theirs),
               qPrintable(QString("row %1 differs from HF generate").arg(b)));
    }
  }

  void savedCheckpointLoadsInTransformers_data() { addFixtureRows(); }
  void savedCheckpointLoadsInTransformers() {
    QFETCH(QString, name);
    const auto dir = fixture(name);
    auto loaded = load_hf_model(dir / "model");
    QTemporaryDir out;
    const auto saved = std::filesystem::path(out.path().toStdString()) / "saved";
    SaveOptions options;
    if (name.startsWith("qwen2")) options.max_shard_bytes = 40000;  // exercise the sharded layout too
    save_hf_model(loaded.model, saved, options);
    if (name.startsWith("qwen2")) QVERIFY(std::filesystem::exists(saved / "model.safetensors.index.json"));
    const auto check = rw::test::run_oracle(
        "check_hf_logits.py", {QString::fromStdString(saved.string()),
                               QString::fromStdString((dir / "reference.safetensors").string()),
                               QString::number(kLogitTolerance)});
    QVERIFY2(check.exit_code == 0, qPrintable(check.std_out + check.std_err));
    // And it reads back into Ropewalk with identical parameters.
    auto again = load_hf_model(saved);
    const auto a = loaded.model->named_parameters(), b = again.model->named_parameters();
    for (const auto& item : a) QVERIFY2(at::equal(item.value(), b[item.key()]), item.key().c_str());
  }
};

QTEST_GUILESS_MAIN(TestLlamaParity)
#include "test_llama_parity.moc"

// config/rope_spectrum (the torch-free RoPE explainer the workbench plots) against model/rope_scaling (what
// the model computes, bit for bit as transformers): the same inverse frequencies and attention scaling for
// every rope type, within fp32 rounding; wavelengths and the pair count past a length.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "rw/core/config/rope_spectrum.h"
#include "rw/core/model/rope_scaling.h"
#include "tensor_support.h"

using namespace rw::core;

namespace {

ModelConfig with_rope(RopeType type) {
  ModelConfig c = rw::test::tiny_llama_config(64, 4096);
  c.head_dim = 128;
  c.rope.type = type;
  c.rope.theta = 500000;
  c.rope.factor = 8;
  c.rope.original_max_position_embeddings = 8192;
  return c;
}

}  // namespace

class TestRopeSpectrum : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesTheModelsFrequencies_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("seq_len");
    QTest::newRow("default") << static_cast<int>(RopeType::Default) << qint64{0};
    QTest::newRow("linear") << static_cast<int>(RopeType::Linear) << qint64{0};
    QTest::newRow("dynamic at init") << static_cast<int>(RopeType::Dynamic) << qint64{0};
    QTest::newRow("dynamic at 3x") << static_cast<int>(RopeType::Dynamic) << qint64{3 * 4096};
    QTest::newRow("yarn") << static_cast<int>(RopeType::Yarn) << qint64{0};
    QTest::newRow("llama3") << static_cast<int>(RopeType::Llama3) << qint64{0};
  }
  void matchesTheModelsFrequencies() {
    QFETCH(int, type);
    QFETCH(qint64, seq_len);
    const ModelConfig config = with_rope(static_cast<RopeType>(type));
    const std::optional<std::int64_t> len = seq_len > 0 ? std::optional<std::int64_t>(seq_len) : std::nullopt;
    const RopeFrequencies model = rope_frequencies(config, len);
    const RopeSpectrum spectrum = rope_spectrum(config, len);
    QCOMPARE(static_cast<std::int64_t>(spectrum.inv_freq.size()), model.inv_freq.numel());
    const auto inv = model.inv_freq.contiguous();
    for (std::int64_t i = 0; i < inv.numel(); ++i) {
      const double expected = inv[i].item<float>();
      QVERIFY2(
          std::abs(spectrum.inv_freq[static_cast<size_t>(i)] - expected) <= 2e-6 * expected,
          qPrintable(
              QStringLiteral("pair %1: %2 vs %3").arg(i).arg(spectrum.inv_freq[static_cast<size_t>(i)]).arg(expected)));
      QVERIFY(std::abs(spectrum.wavelength[static_cast<size_t>(i)] * spectrum.inv_freq[static_cast<size_t>(i)] -
                       2 * std::numbers::pi) < 1e-9);
    }
    QVERIFY(std::abs(spectrum.attention_scaling - model.attention_scaling) < 1e-12);
  }

  void pairsPastALength() {
    ModelConfig c = with_rope(RopeType::Default);
    c.rope.theta = 10000;
    const auto s = rope_spectrum(c);
    // theta 10000, head_dim 128: wavelengths run from 2 pi up to about 54K tokens.
    QVERIFY(std::abs(s.wavelength.front() - 2 * std::numbers::pi) < 1e-9);
    QVERIFY(s.wavelength.back() > 50'000 && s.wavelength.back() < 60'000);
    QCOMPARE(pairs_longer_than(s, 1e9), std::int64_t{0});
    QCOMPARE(pairs_longer_than(s, 0), std::int64_t{64});
    // A larger base stretches every wavelength, so more pairs stay within no rotation of a 4K context.
    ModelConfig raised = c;
    raised.rope.theta = 500000;
    QVERIFY(pairs_longer_than(rope_spectrum(raised), 4096) > pairs_longer_than(s, 4096));
    ModelConfig yarn_without_original = with_rope(RopeType::Yarn);
    yarn_without_original.rope.original_max_position_embeddings.reset();
    QVERIFY(
        rw::test::error_of([&] { rope_spectrum(yarn_without_original); }).contains("original_max_position_embeddings"));
  }
};

QTEST_GUILESS_MAIN(TestRopeSpectrum)
#include "test_rope_spectrum.moc"

// The parity fixtures on a CUDA device: fp32 logits (TF32 off) and bf16 logits against transformers'
// fp32 CPU reference, and fp32 greedy generation. Skips cleanly where no GPU is present.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <QtTest>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/generation.h"
#include "rw/core/io/safetensors.h"
#include "tensor_support.h"

using namespace rw::core;

namespace {

constexpr double kFp32Tolerance = 1e-4;  // CUDA reductions and SDPA kernels order sums differently
constexpr double kBf16Tolerance = 5e-2;  // bf16 weights and activations (8-bit mantissa) vs fp32

std::map<std::string, at::Tensor> read_reference(const std::filesystem::path& dir) {
  return rw::core::read_safetensors(dir / "reference.safetensors");
}

}  // namespace

class TestLlamaParityCuda : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    if (!rw::test::cuda_available()) QSKIP("CUDA not available");
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
  }

  void logitsAndGeneration_data() {
    QTest::addColumn<QString>("name");
    for (const auto& name : rw::test::hf_fixture_names()) QTest::newRow(name.c_str()) << QString::fromStdString(name);
  }
  void logitsAndGeneration() {
    QFETCH(QString, name);
    const auto dir = rw::test::hf_fixture_dir() / name.toStdString();
    auto ref = read_reference(dir);
    const auto& mask = ref.at("attention_mask");
    const auto real = mask.to(at::kBool);
    for (auto dtype : {at::kFloat, at::kBFloat16}) {
      auto loaded = load_hf_model(dir / "model", at::Device(at::kCUDA, 0), dtype);
      auto logits = loaded.model->forward(ref.at("input_ids").cuda(), {positions_from_mask(mask).cuda(), mask.cuda(), nullptr});
      const double err = rw::test::max_relative_error(logits.cpu().index({real}), ref.at("logits").index({real}));
      const double tolerance = dtype == at::kFloat ? kFp32Tolerance : kBf16Tolerance;
      QVERIFY2(err <= tolerance, qPrintable(QString("%1: max relative error %2").arg(c10::toString(dtype)).arg(err)));
      qInfo("%s %s max relative error %.3e", qPrintable(name), c10::toString(dtype), err);
    }
    auto loaded = load_hf_model(dir / "model", at::Device(at::kCUDA, 0), at::kFloat);
    GenerationConfig config;
    config.max_new_tokens = ref.at("generated").size(1) - ref.at("input_ids").size(1);
    config.pad_token_id = 0;
    auto result = generate(loaded.model, ref.at("input_ids"), mask, config);
    for (int64_t b = 0; b < mask.size(0); ++b) {
      auto theirs = ref.at("generated")[b].narrow(0, mask.size(1), config.max_new_tokens);
      QVERIFY2(at::equal(at::tensor(result.new_tokens[static_cast<size_t>(b)], at::kLong), theirs),
               qPrintable(QString("row %1 differs from HF generate").arg(b)));
    }
  }
};

QTEST_GUILESS_MAIN(TestLlamaParityCuda)
#include "test_llama_parity_cuda.moc"

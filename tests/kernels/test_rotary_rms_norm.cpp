// Kernel references against independent formulations: rotary embedding as a complex rotation of the
// pairs (x[i], x[i + D/2]); RMSNorm in float64 with HF's cast-before-scale order for bf16.
#include <ATen/ATen.h>
#include <QtTest>

#include <c10/util/complex.h>

#include "rw/kernels/rms_norm.h"
#include "rw/kernels/rotary.h"
#include "tensor_support.h"

class TestRotaryRmsNorm : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rotaryIsAComplexRotation() {
    at::manual_seed(0);
    const int64_t B = 2, H = 3, T = 5, D = 8;
    auto x = at::randn({B, H, T, D}, at::kDouble);
    auto inv_freq = 1.0 / at::pow(10000.0, at::arange(0, D, 2, at::kDouble) / static_cast<double>(D));
    auto positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T}).contiguous();
    auto [cos, sin] = rw::kernels::rotary_cos_sin(inv_freq.to(at::kFloat), positions, 1.0, at::kDouble);
    auto ours = rw::kernels::apply_rotary(x, cos, sin);

    // Reference: z = x[..., :D/2] + i x[..., D/2:], rotated by exp(i * pos * inv_freq).
    auto z = at::complex(x.narrow(-1, 0, D / 2), x.narrow(-1, D / 2, D / 2));
    auto angles = positions.to(at::kDouble).unsqueeze(-1) * inv_freq.to(at::kFloat).to(at::kDouble);  // [B, T, D/2]
    auto rotation = at::polar(at::ones_like(angles), angles).unsqueeze(1);
    auto rotated = z * rotation;
    auto reference = at::cat({at::real(rotated), at::imag(rotated)}, -1);
    QVERIFY2(rw::test::max_relative_error(ours, reference) < 1e-6,
             qPrintable(QString::number(rw::test::max_relative_error(ours, reference))));
  }

  void rotaryScalesCosAndSin() {
    auto inv_freq = at::tensor({1.0f, 0.1f});
    auto positions = at::tensor(std::vector<int64_t>{0, 3}, at::kLong).view({1, 2});
    auto [cos, sin] = rw::kernels::rotary_cos_sin(inv_freq, positions, 1.5, at::kFloat);
    QCOMPARE(cos.sizes(), (at::IntArrayRef{1, 2, 4}));
    QVERIFY(at::allclose(cos[0][0], at::full({4}, 1.5f)));
    const double sin_value = sin[0][1][0].item().toDouble();
    QVERIFY(std::abs(sin_value - 1.5 * std::sin(3.0)) < 1e-6);
  }

  void rmsNormMatchesFloat64() {
    at::manual_seed(1);
    auto x = at::randn({4, 7, 32}) * 3;
    auto w = at::randn({32});
    auto ref = (x.to(at::kDouble) / at::sqrt(x.to(at::kDouble).pow(2).mean(-1, true) + 1e-5)) * w.to(at::kDouble);
    QVERIFY(rw::test::max_relative_error(rw::kernels::rms_norm(x, w, 1e-5), ref) < 1e-6);
  }

  void rmsNormCastsBeforeScalingInBf16() {
    at::manual_seed(2);
    auto x = (at::randn({64, 48}) * 5).to(at::kBFloat16);
    auto w = at::randn({48}).to(at::kBFloat16);
    auto h = x.to(at::kFloat);
    auto normed = (h * at::rsqrt(h.pow(2).mean(-1, true) + 1e-6)).to(at::kBFloat16);
    auto expected = w * normed;  // HF: weight * hidden.to(input_dtype)
    auto ours = rw::kernels::rms_norm(x, w, 1e-6);
    QCOMPARE(ours.scalar_type(), at::kBFloat16);
    QVERIFY(at::equal(ours, expected));
  }
};

QTEST_GUILESS_MAIN(TestRotaryRmsNorm)
#include "test_rotary_rms_norm.moc"

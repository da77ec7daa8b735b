// chunked_cross_entropy against at::cross_entropy on full logits: loss and both gradients for every block
// size (1 row, uneven blocks, one block, more than N), mean and sum, ignored labels, all ignored, bf16
// inputs against HF's recipe (bf16 logits upcast to fp32), and errors naming the argument.
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/train/chunked_cross_entropy.h"
#include "tensor_support.h"

using namespace rw::core;
using rw::test::error_of;
using rw::test::max_relative_error;

namespace {

struct Case {
  at::Tensor hidden, weight, labels;
};

Case make_case(at::ScalarType dtype, std::int64_t n = 37, std::int64_t h = 16, std::int64_t v = 101) {
  torch::manual_seed(3);
  Case c{torch::randn({n, h}).to(dtype), (torch::randn({v, h}) * 0.5).to(dtype), torch::randint(0, v, {n})};
  c.labels.index_put_({torch::arange(0, n, 5)}, -100);  // every fifth row has no target
  return c;
}

struct Result {
  at::Tensor loss, grad_hidden, grad_weight;
};

Result run(const Case& c, bool chunked, const ChunkedCrossEntropyOptions& options = {}) {
  const auto h = c.hidden.clone().requires_grad_(true), w = c.weight.clone().requires_grad_(true);
  at::Tensor loss;
  if (chunked) {
    loss = chunked_cross_entropy(h, w, c.labels, options);
  } else {
    const auto logits = at::matmul(h, w.t()).to(at::promote_types(h.scalar_type(), at::kFloat));
    loss = at::cross_entropy_loss(logits, c.labels, {},
                                  options.reduction == LossReduction::Mean ? at::Reduction::Mean : at::Reduction::Sum,
                                  -100);
  }
  loss.backward();
  return {loss.detach(), h.grad(), w.grad()};
}

}  // namespace

class TestChunkedCrossEntropy : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void equalsFullCrossEntropyForEveryBlockSize() {
    for (const auto dtype : {at::kDouble, at::kFloat}) {
      const Case c = make_case(dtype);
      const double tol = dtype == at::kDouble ? 1e-12 : 1e-5;
      for (const auto reduction : {LossReduction::Mean, LossReduction::Sum}) {
        const Result ref = run(c, false, {.reduction = reduction});
        for (const std::int64_t rows : {1, 5, 36, 37, 1000}) {
          const Result ours = run(c, true, {.chunk_rows = rows, .reduction = reduction});
          QVERIFY2(max_relative_error(ours.loss, ref.loss) < tol, qPrintable(QString("rows %1").arg(rows)));
          QVERIFY(max_relative_error(ours.grad_hidden, ref.grad_hidden) < tol);
          QVERIFY(max_relative_error(ours.grad_weight, ref.grad_weight) < tol);
          QCOMPARE(ours.grad_hidden.scalar_type(), dtype);
        }
      }
    }
  }

  void ignoredRowsGetNoGradientAndAllIgnoredIsZero() {
    Case c = make_case(at::kFloat);
    const Result r = run(c, true, {.chunk_rows = 8});
    QVERIFY(r.grad_hidden.index({torch::arange(0, 37, 5)}).abs().max().item<float>() == 0.0f);
    c.labels.fill_(-100);
    const Result none = run(c, true, {.chunk_rows = 8});
    QCOMPARE(none.loss.item<double>(), 0.0);
    QCOMPARE(none.grad_weight.abs().max().item<double>(), 0.0);
  }

  void bf16MatchesBf16LogitsUpcast() {
    const Case c = make_case(at::kBFloat16, 64, 32, 257);
    const Result ref = run(c, false);
    const Result ours = run(c, true, {.chunk_rows = 16});
    QCOMPARE(ours.loss.scalar_type(), at::kFloat);
    QVERIFY(max_relative_error(ours.loss, ref.loss) < 1e-5);
    QVERIFY(max_relative_error(ours.grad_hidden.to(at::kFloat), ref.grad_hidden.to(at::kFloat)) < 2e-2);
    QVERIFY(max_relative_error(ours.grad_weight.to(at::kFloat), ref.grad_weight.to(at::kFloat)) < 2e-2);
  }

  void badArgumentsAreNamed() {
    const Case c = make_case(at::kFloat);
    QVERIFY(error_of([&] { chunked_cross_entropy(c.hidden, c.weight.t(), c.labels); }).contains("must be [N, H]"));
    QVERIFY(error_of([&] {
              chunked_cross_entropy(c.hidden, c.weight, c.labels.to(at::kInt));
            }).contains("labels must be int64 [37], got Int"));
    QVERIFY(error_of([&] {
              chunked_cross_entropy(c.hidden, c.weight, c.labels, {.chunk_rows = 0});
            }).contains("chunk_rows must be positive"));
    QVERIFY(error_of([&] {
              chunked_cross_entropy(c.hidden.to(at::kDouble), c.weight, c.labels);
            }).contains("hidden is Double but weight is Float"));
    auto bad = c.labels.clone();
    bad[1] = 101;
    QVERIFY(error_of([&] {
              chunked_cross_entropy(c.hidden, c.weight, bad);
            }).contains("label 101 is outside the vocabulary [0, 101)"));
  }
};

QTEST_GUILESS_MAIN(TestChunkedCrossEntropy)
#include "test_chunked_cross_entropy.moc"

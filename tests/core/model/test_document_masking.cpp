// Document masking in the model: a packed sequence of two documents with segment ids and reset positions
// gives the same logits (hence the same per-token loss) as each document run alone — for full attention
// and with a sliding window shorter than the documents; padding segments never produce NaN.
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/model/llama.h"
#include "rw/core/train/chunked_cross_entropy.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::max_relative_error;

namespace {

ModelConfig tiny_config(std::int64_t window) {
  ModelConfig c = rw::test::tiny_llama_config(97, 64);
  c.family = window > 0 ? ModelFamily::Mistral : ModelFamily::Llama;
  c.layer_windows.assign(2, window);
  return c;
}

at::Tensor positions(std::initializer_list<std::int64_t> lengths) {
  std::vector<at::Tensor> parts;
  for (const auto n : lengths) parts.push_back(torch::arange(n));
  return torch::cat(parts).unsqueeze(0);
}

}  // namespace

class TestDocumentMasking : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void packedEqualsSeparate() {
    for (const std::int64_t window : {0, 4}) {
      torch::manual_seed(5);
      LlamaForCausalLM model(tiny_config(window));
      model->eval();
      torch::NoGradGuard no_grad;
      const auto a = torch::randint(0, 97, {1, 9}), b = torch::randint(0, 97, {1, 6});
      const auto alone_a = model->forward(a), alone_b = model->forward(b);
      ForwardContext packed;
      packed.position_ids = positions({9, 6});
      packed.segment_ids = torch::cat({torch::zeros({9}), torch::ones({6})}).to(torch::kInt).unsqueeze(0);
      const auto both = model->forward(torch::cat({a, b}, 1), packed);
      QVERIFY2(max_relative_error(both.slice(1, 0, 9), alone_a) < 1e-5, qPrintable(QString::number(window)));
      QVERIFY(max_relative_error(both.slice(1, 9, 15), alone_b) < 1e-5);

      // Without segments the second document sees the first: the logits differ (the test can fail).
      ForwardContext unmasked;
      unmasked.position_ids = packed.position_ids;
      QVERIFY(max_relative_error(model->forward(torch::cat({a, b}, 1), unmasked).slice(1, 9, 15), alone_b) > 1e-3);

      // Per-token loss through the chunked loss: the packed sum equals the two separate sums.
      const auto hidden = model->model->forward(torch::cat({a, b}, 1), packed)[0];  // [15, C]
      auto labels = torch::full({15}, -100, torch::kLong);
      labels.slice(0, 0, 8).copy_(a[0].slice(0, 1, 9));
      labels.slice(0, 9, 14).copy_(b[0].slice(0, 1, 6));
      const ChunkedCrossEntropyOptions sum{.chunk_rows = 4, .reduction = LossReduction::Sum};
      const auto w = model->lm_head_weight();
      const auto la =
          chunked_cross_entropy(model->model->forward(a, {})[0], w,
                                torch::cat({a[0].slice(0, 1, 9), torch::full({1}, -100, torch::kLong)}), sum);
      const auto lb =
          chunked_cross_entropy(model->model->forward(b, {})[0], w,
                                torch::cat({b[0].slice(0, 1, 6), torch::full({1}, -100, torch::kLong)}), sum);
      QVERIFY(max_relative_error(chunked_cross_entropy(hidden, w, labels, sum), la + lb) < 1e-5);
    }
  }

  void paddingSegmentsStayFinite() {
    torch::manual_seed(1);
    LlamaForCausalLM model(tiny_config(0));
    torch::NoGradGuard no_grad;
    ForwardContext ctx;
    ctx.segment_ids = torch::tensor({0, 0, 0, -1, -1}, torch::kInt).unsqueeze(0);
    ctx.position_ids = torch::tensor({0, 1, 2, 3, 4}, torch::kLong).unsqueeze(0);
    QVERIFY(torch::isfinite(model->forward(torch::randint(0, 97, {1, 5}), ctx)).all().item<bool>());
  }
};

QTEST_GUILESS_MAIN(TestDocumentMasking)
#include "test_document_masking.moc"

// Document masking in the model: a packed sequence of two documents with segment ids and reset positions
// gives the same logits (hence the same per-token loss) as each document run alone — for full attention
// and with a sliding window shorter than the documents; padding segments never produce NaN. Attention in
// chunks of whole documents (attention_mask.h) equals the dense mask in logits and gradients, with and
// without activation checkpointing, and falls back to the dense mask when documents are not contiguous.
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/model/llama.h"
#include "rw/core/train/chunked_cross_entropy.h"
#include "tensor_support.h"

using namespace rw::core;
using rw::test::max_relative_error;

namespace {

ModelConfig tiny_config(std::int64_t window) {
  ModelConfig c = rw::test::tiny_llama_config(97, 64);
  c.family = window > 0 ? ModelFamily::Mistral : ModelFamily::Llama;
  c.layer_windows.assign(2, window);
  return c;
}

/// Segment ids for documents of these lengths; a negative length is that much padding (-1).
at::Tensor segments(std::initializer_list<std::int64_t> lengths) {
  std::vector<at::Tensor> parts;
  std::int64_t id = 0;
  for (const auto n : lengths) parts.push_back(torch::full({std::abs(n)}, n < 0 ? -1 : id++, torch::kInt));
  return torch::cat(parts);
}

at::Tensor positions(std::initializer_list<std::int64_t> lengths) {
  std::vector<at::Tensor> parts;
  for (const auto n : lengths) parts.push_back(torch::arange(std::abs(n)));
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

  void chunksHoldWholeDocuments() {
    // Documents of 5, 12, 3 and 20 tokens with chunks of at most 16: [0,5) alone (the next would overflow),
    // [5,20) packs two documents (a 15x15 bias), [20,40) is one document longer than a chunk (no bias).
    const auto mask =
        build_attention_mask({}, segments({5, 12, 3, 20}).unsqueeze(0), 1, 40, 0, 0, 16, torch::kFloat, torch::kCPU);
    QVERIFY(!mask.bias.defined());
    QVERIFY(torch::equal(mask.chunks, torch::tensor({0, 0, 5, 0, 5, 20, 0, 20, 40}, torch::kLong).view({3, 3})));
    QCOMPARE(mask.chunk_biases.size(), size_t(3));
    QVERIFY(!mask.chunk_biases[0].defined() && !mask.chunk_biases[2].defined());
    QCOMPARE(mask.chunk_biases[1].sizes().vec(), std::vector<std::int64_t>({1, 1, 15, 15}));
    // Token 12 of the chunk (document 3's first) sees only itself; token 11 (document 2's last) sees 0..11.
    QVERIFY(torch::equal(mask.chunk_biases[1][0][0][12].eq(0), torch::arange(15).eq(12)));
    QVERIFY(torch::equal(mask.chunk_biases[1][0][0][11].eq(0), torch::arange(15).le(11)));

    // A document id that comes back later in the row cannot be chunked: the dense mask serves.
    const auto split = torch::tensor({0, 0, 1, 1, 0, 0}, torch::kInt).unsqueeze(0);
    const auto dense = build_attention_mask({}, split, 1, 6, 0, 0, 16, torch::kFloat, torch::kCPU);
    QVERIFY(dense.bias.defined() && !dense.chunks.defined());
    // So does padding.
    const auto padded = build_attention_mask(torch::tensor({0, 1, 1, 1, 1, 1}).unsqueeze(0),
                                             segments({3, 3}).unsqueeze(0), 1, 6, 0, 0, 16, torch::kFloat, torch::kCPU);
    QVERIFY(padded.bias.defined() && !padded.chunks.defined());
  }

  void chunkedEqualsDense_data() {
    QTest::addColumn<int>("chunk_tokens");
    QTest::addColumn<bool>("checkpointing");
    QTest::newRow("chunks of 8") << 8 << false;
    QTest::newRow("chunks of 16") << 16 << false;
    QTest::newRow("one chunk per row") << 2048 << false;
    QTest::newRow("chunks of 16, checkpointed") << 16 << true;
  }
  void chunkedEqualsDense() {
    QFETCH(int, chunk_tokens);
    QFETCH(bool, checkpointing);
    torch::manual_seed(3);
    LlamaForCausalLM model(tiny_config(0));
    model->to(torch::kDouble);
    const auto ids = torch::randint(0, 97, {3, 40});
    ForwardContext ctx;
    ctx.segment_ids = torch::stack({segments({5, 12, 3, 20}), segments({40}), segments({9, 1, 22, -8})});
    ctx.position_ids = torch::cat({positions({5, 12, 3, 20}), positions({40}), positions({9, 1, 22, -8})});
    ctx.checkpoint_activations = checkpointing;
    const auto weights = torch::randn({3, 40, 97}, torch::kDouble);
    const auto run = [&](std::int64_t chunks) {
      ctx.document_chunk_tokens = chunks;
      model->zero_grad();
      const auto logits = model->forward(ids, ctx);
      (logits * weights).sum().backward();
      std::vector<at::Tensor> grads;
      for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
      return std::make_pair(logits.detach(), grads);
    };
    const auto [dense_logits, dense_grads] = run(0);
    const auto [chunked_logits, chunked_grads] = run(chunk_tokens);
    QVERIFY(max_relative_error(chunked_logits, dense_logits) < 1e-12);
    for (size_t i = 0; i < dense_grads.size(); ++i)
      QVERIFY(max_relative_error(chunked_grads[i], dense_grads[i]) < 1e-10);
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

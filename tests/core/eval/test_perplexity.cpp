// Perplexity by position: the blockwise fp32 NLL equals log-softmax over the full logits of a tiny random
// Llama (within 1e-5), documents shorter than the window are skipped, and the per-position curve and its
// buckets are the averages they claim to be.
#include <torch/torch.h>
#include <QtTest>

#include "rw/core/eval/perplexity.h"
#include "test_support.h"

using namespace rw::core;

class TestPerplexity : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void blockwiseEqualsFullLogits() {
    at::manual_seed(5);
    LlamaForCausalLM model(rw::test::tiny_llama_config(97, 64));
    const at::Tensor ids = at::randint(0, 97, {2, 40}, at::kLong);    // [B, T]
    const at::Tensor ours = token_nll(model, ids, /*block_rows=*/7);  // [2, 39]
    torch::NoGradGuard no_grad;
    const at::Tensor logp = model->forward(ids).to(at::kDouble).log_softmax(-1);  // [2, 40, V]
    const at::Tensor ref = -logp.narrow(1, 0, 39).gather(2, ids.narrow(1, 1, 39).unsqueeze(2)).squeeze(2);  // [2, 39]
    QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{2, 39}));
    QCOMPARE(ours.scalar_type(), at::kFloat);
    const double diff = (ours.to(at::kDouble) - ref).abs().max().item<double>();
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    // A block size larger than the rows gives the same values.
    QVERIFY((token_nll(model, ids, 4096) - ours).abs().max().item<float>() < 1e-6);
  }

  void curveBucketsAndDocumentSelection() {
    at::manual_seed(6);
    LlamaForCausalLM model(rw::test::tiny_llama_config(50, 64));
    std::vector<std::vector<int32_t>> docs;
    for (const int n : {40, 20, 50}) {
      const at::Tensor t = at::randint(1, 50, {n}, at::kInt);
      docs.emplace_back(t.data_ptr<int32_t>(), t.data_ptr<int32_t>() + n);
    }
    const PerplexityResult r = perplexity_by_position(model, docs, 32, /*bucket_tokens=*/8, /*block_rows=*/5);
    QCOMPARE(r.documents, std::int64_t(2));  // the 20-token document is shorter than the window
    QCOMPARE(r.position_nll.size(), size_t(31));
    // Reference: each long document's first 32 tokens on their own.
    std::vector<double> expected(31, 0.0);
    double ppl = 0;
    for (const size_t d : {size_t(0), size_t(2)}) {
      const at::Tensor ids = at::tensor(std::vector<int64_t>(docs[d].begin(), docs[d].begin() + 32)).unsqueeze(0);
      const at::Tensor nll = token_nll(model, ids).squeeze(0).to(at::kDouble);  // [31]
      for (int i = 0; i < 31; ++i) expected[static_cast<size_t>(i)] += nll[i].item<double>() / 2;
      ppl += std::exp(nll.mean().item<double>()) / 2;
    }
    double mean = 0;
    for (int i = 0; i < 31; ++i) {
      QVERIFY(std::abs(r.position_nll[static_cast<size_t>(i)] - expected[static_cast<size_t>(i)]) < 1e-6);
      mean += expected[static_cast<size_t>(i)] / 31;
    }
    QVERIFY(std::abs(r.mean_nll - mean) < 1e-6);
    QVERIFY(std::abs(r.mean_doc_ppl - ppl) < 1e-5);
    // Buckets over predicted positions: [0,8) holds positions 1..7, then [8,16), [16,24), [24,32).
    QCOMPARE(r.buckets.size(), size_t(4));
    double first = 0;
    for (int p = 1; p < 8; ++p) first += expected[static_cast<size_t>(p - 1)] / 7;
    QVERIFY(std::abs(r.buckets[0].mean_nll - first) < 1e-6);
    QCOMPARE(r.buckets[3].start, std::int64_t(24));
    QCOMPARE(r.buckets[3].end, std::int64_t(32));
    QVERIFY(rw::test::error_of([&] { perplexity_by_position(model, docs, 64); }).contains("no document has 64 tokens"));
  }
};

QTEST_GUILESS_MAIN(TestPerplexity)
#include "test_perplexity.moc"

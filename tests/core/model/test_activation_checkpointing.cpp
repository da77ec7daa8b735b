// Activation checkpointing: the same loss and the same gradients (inputs to every parameter) as the plain
// forward, with document masking on, and no effect under no_grad or with a cache.
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/model/llama.h"
#include "rw/core/train/chunked_cross_entropy.h"
#include "tensor_support.h"

using namespace rw::core;
using rw::test::max_relative_error;

namespace {

struct Grads {
  double loss = 0;
  std::map<std::string, at::Tensor> grads;
};

Grads loss_and_grads(LlamaForCausalLM& model, const at::Tensor& ids, const at::Tensor& segments, bool checkpoint) {
  for (auto& p : model->parameters()) p.mutable_grad() = at::Tensor();
  ForwardContext ctx;
  ctx.segment_ids = segments;
  ctx.checkpoint_activations = checkpoint;
  const at::Tensor hidden = model->model->forward(ids, ctx);  // [1, T, C]
  const at::Tensor labels = ids.roll(-1, 1).reshape({-1});
  const at::Tensor loss =
      chunked_cross_entropy(hidden.reshape({-1, hidden.size(-1)}), model->lm_head_weight(), labels, {.chunk_rows = 16});
  loss.backward();
  Grads out{loss.item<double>(), {}};
  for (const auto& item : model->named_parameters()) out.grads[item.key()] = item.value().grad().clone();
  return out;
}

}  // namespace

class TestActivationCheckpointing : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sameLossAndGradients() {
    torch::manual_seed(3);
    LlamaForCausalLM model(rw::test::tiny_llama_config(97, 64));
    model->to(at::kDouble);
    const at::Tensor ids = torch::randint(3, 97, {1, 48}, at::kLong);
    const at::Tensor segments = torch::cat({torch::zeros({20}, at::kLong), torch::ones({28}, at::kLong)}).unsqueeze(0);
    const Grads plain = loss_and_grads(model, ids, segments, false);
    const Grads checkpointed = loss_and_grads(model, ids, segments, true);
    QCOMPARE(checkpointed.loss, plain.loss);
    QCOMPARE(checkpointed.grads.size(), plain.grads.size());
    for (const auto& [name, g] : plain.grads) {
      QVERIFY2(g.abs().max().item<double>() > 0, name.c_str());
      const double err = max_relative_error(checkpointed.grads.at(name), g);
      QVERIFY2(err < 1e-12, qPrintable(QString("%1: %2").arg(name.c_str()).arg(err)));
    }
  }

  void sameOutputWithoutGrad() {
    torch::manual_seed(4);
    LlamaForCausalLM model(rw::test::tiny_llama_config(97, 64));
    const at::Tensor ids = torch::randint(3, 97, {2, 16}, at::kLong);
    ForwardContext ctx;
    ctx.checkpoint_activations = true;
    torch::NoGradGuard no_grad;
    const at::Tensor a = model->forward(ids, ctx);
    const at::Tensor b = model->forward(ids);
    QVERIFY(at::equal(a, b));
  }
};

QTEST_GUILESS_MAIN(TestActivationCheckpointing)
#include "test_activation_checkpointing.moc"

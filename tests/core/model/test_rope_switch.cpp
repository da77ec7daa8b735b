// Switching a model's RoPE settings between training stages: the switched model computes what a model
// built with the new config (same weights) computes, saves a config.json carrying the new settings, and
// refuses a config that changes anything else.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/llama.h"
#include "tensor_support.h"

using namespace rw::core;
using rw::test::error_of;
using rw::test::max_relative_error;

namespace {

ModelConfig base_config() { return rw::test::tiny_llama_config(64, 32); }

void copy_weights(LlamaForCausalLM& from, LlamaForCausalLM& to) {
  torch::NoGradGuard no_grad;
  auto target = to->named_parameters();
  for (const auto& item : from->named_parameters()) target[item.key()].copy_(item.value());
}

}  // namespace

class TestRopeSwitch : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void switchedEqualsBuiltWithNewConfig() {
    torch::manual_seed(2);
    LlamaForCausalLM model(base_config());
    ModelConfig extended = base_config();
    extended.rope.theta = 40000;
    extended.max_position_embeddings = 128;
    const auto ids = torch::randint(0, 64, {1, 100});
    torch::NoGradGuard no_grad;
    const auto before = model->forward(ids);

    model->set_rope_config(extended);
    LlamaForCausalLM fresh(extended);
    copy_weights(model, fresh);
    const auto after = model->forward(ids);
    QVERIFY(max_relative_error(after, fresh->forward(ids)) < 1e-6);
    QVERIFY(max_relative_error(after, before) > 1e-3);  // theta really changed the computation
    QCOMPARE(model->config().rope.theta, 40000.0);
    QCOMPARE(model->config().max_position_embeddings, 128);

    QTemporaryDir tmp;
    const std::filesystem::path dir(tmp.path().toStdString());
    save_hf_model(model, dir);
    LoadedModel loaded = load_hf_model(dir);
    QCOMPARE(loaded.config.rope.theta, 40000.0);
    QCOMPARE(loaded.config.max_position_embeddings, 128);
    QVERIFY(max_relative_error(loaded.model->forward(ids), after) < 1e-6);

    ModelConfig yarn = extended;
    yarn.rope.type = RopeType::Yarn;
    yarn.rope.factor = 4;
    yarn.rope.original_max_position_embeddings = 32;
    model->set_rope_config(yarn);
    LlamaForCausalLM fresh_yarn(yarn);
    copy_weights(model, fresh_yarn);
    QVERIFY(max_relative_error(model->forward(ids), fresh_yarn->forward(ids)) < 1e-6);
  }

  void otherChangesAreRefused() {
    LlamaForCausalLM model(base_config());
    ModelConfig wider = base_config();
    wider.hidden_size = 64;
    QCOMPARE(error_of([&] { model->set_rope_config(wider); }),
             QString("cannot switch RoPE settings: the new config also changes hidden_size"));
    ModelConfig windowed = base_config();
    windowed.layer_windows = {0, 8};
    QVERIFY(error_of([&] { model->set_rope_config(windowed); }).contains("sliding windows"));
  }
};

QTEST_GUILESS_MAIN(TestRopeSwitch)
#include "test_rope_switch.moc"

// Training checkpoints: the model part loads back with equal weights, the training state round-trips
// exactly (optimizer tensors, cursor, RNG: the next random numbers repeat), keep_last prunes the oldest,
// an interrupted save (temporary folder, or a folder without trainer_state.json) is never listed, and
// a malformed state file is named in the error.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/train/checkpoint.h"
#include "rw/core/util/files.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;
namespace fs = std::filesystem;

namespace {

ModelConfig tiny_config() { return rw::test::tiny_llama_config(50, 32); }

TrainingState make_state(std::int64_t step) {
  TrainingState s;
  s.step = step;
  s.stage = 1;
  s.stage_step = step - 10;
  s.tokens_seen = step * 4096;
  s.data_cursor_json = R"({"sequences":7,"sources":[{"epoch":0,"position":3,"token_offset":12}]})";
  s.run_config_json = R"({"name":"demo"})";
  s.optimizer = {{"exp_avg.w", torch::randn({3, 4})}, {"step", torch::tensor(step)}};
  s.rng = capture_rng_state();
  return s;
}

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTripAndPrune() {
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()) / "checkpoints";
    torch::manual_seed(9);
    LlamaForCausalLM model(tiny_config());
    const TrainingState state = make_state(20);
    const auto expected_random = torch::rand({5});  // drawn right after capturing the RNG state

    const fs::path dir = save_checkpoint(model, root, state, {}, 2);
    QCOMPARE(dir.filename().string(), std::string("step-00000020"));
    LoadedModel loaded = load_hf_model(dir);
    const auto loaded_params = loaded.model->named_parameters();
    for (const auto& item : model->named_parameters()) {
      QVERIFY2(at::equal(item.value(), loaded_params[item.key()]), item.key().c_str());
    }
    const TrainingState back = load_training_state(dir);
    QCOMPARE(back.step, 20);
    QCOMPARE(back.stage_step, 10);
    QCOMPARE(back.tokens_seen, 20 * 4096);
    QCOMPARE(back.data_cursor_json, state.data_cursor_json);
    QCOMPARE(back.run_config_json, state.run_config_json);
    QVERIFY(at::equal(back.optimizer.at("exp_avg.w"), state.optimizer.at("exp_avg.w")));
    QCOMPARE(back.optimizer.at("step").item<std::int64_t>(), 20);
    restore_rng_state(back.rng);
    QVERIFY(at::equal(torch::rand({5}), expected_random));

    save_checkpoint(model, root, make_state(30), {}, 2);
    save_checkpoint(model, root, make_state(40), {}, 2);
    const auto all = list_checkpoints(root);
    QCOMPARE(all.size(), size_t{2});
    QCOMPARE(all[0].filename().string(), std::string("step-00000030"));
    QCOMPARE(latest_checkpoint(root)->filename().string(), std::string("step-00000040"));
    QVERIFY(!fs::exists(root / "step-00000020"));
    for (const fs::path& p : all) QCOMPARE(*checkpoint_step(p), load_training_state(p).step);
    QVERIFY(!checkpoint_step(root / ".tmp-step-00000006-123"));
    QVERIFY(!checkpoint_step(root / "step-"));
    QVERIFY(!checkpoint_step(root / "step-12a"));
  }

  void interruptedSavesAreIgnored() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    LlamaForCausalLM model(tiny_config());
    save_checkpoint(model, root, make_state(5), {}, 0);
    // What a killed trainer can leave: its temporary folder, or (never with save_checkpoint) a step folder
    // without the trainer state that marks completion.
    fs::create_directories(root / ".tmp-step-00000006-123/training_state");
    fs::create_directories(root / "step-00000007/training_state");
    QCOMPARE(latest_checkpoint(root)->filename().string(), std::string("step-00000005"));
    QVERIFY(!latest_checkpoint(root / "missing"));
  }

  void malformedStateIsNamed() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    LlamaForCausalLM model(tiny_config());
    const fs::path dir = save_checkpoint(model, root, make_state(1), {}, 0);
    write_file_atomic(dir / "training_state/trainer_state.json", std::string("{\"format\": 1, \"step\": 1}"));
    const QString error = error_of([&] { load_training_state(dir); });
    QVERIFY2(error.contains("trainer_state.json") && error.contains("stage"), qPrintable(error));
    remove_tree(dir / "training_state/rng.safetensors");
    write_file_atomic(dir / "training_state/trainer_state.json",
                      std::string("{\"format\": 1, \"step\": 1, \"stage\": 0, \"stage_step\": 1, \"tokens_seen\": 0, "
                                  "\"data_cursor\": \"\", \"run_config\": \"\"}"));
    QVERIFY(error_of([&] { load_training_state(dir); }).contains("rng.safetensors"));
  }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"

// The training memory estimate against the CPU trainer's measured peak. Each configuration trains two steps
// in a child process of its own (a fresh heap, so memory freed by an earlier configuration cannot hide an
// allocation), which reports its peak resident memory over what it held just before training.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rw/core/config/memory_estimate.h"
#include "rw/core/data/corpus_import.h"
#include "rw/core/store/project.h"
#include "rw/core/train/trainer.h"
#include "rw/core/util/files.h"
#include "test_support.h"

using namespace rw::core;
using json = nlohmann::json;

namespace {

struct Case {
  const char* name;
  std::int64_t hidden, intermediate, layers, heads, kv_heads, vocab, seq_len, micro_batch, loss_rows;
  const char* precision;
  bool checkpointing;
};

json run_config(const Case& c) {
  return {{"format", 1},
          {"name", c.name},
          {"init",
           {{"scratch",
             {{"family", "llama"},
              {"vocab_size", c.vocab},
              {"hidden_size", c.hidden},
              {"intermediate_size", c.intermediate},
              {"num_hidden_layers", c.layers},
              {"num_attention_heads", c.heads},
              {"num_key_value_heads", c.kv_heads},
              {"max_position_embeddings", c.seq_len}}},
            {"tokenizer", {{"sentencepiece", {{"vocab_size", 300}, {"from_corpus", "text"}}}}}}},
          {"device", "cpu"},
          {"precision", c.precision},
          {"activation_checkpointing", c.checkpointing},
          {"chunked_loss_rows", c.loss_rows},
          {"batch", {{"micro_batch_size", c.micro_batch}, {"grad_accumulation", 1}}},
          {"checkpoint", {{"every_steps", 0}, {"keep_last", 1}}},
          {"stages", json::array({{{"name", "s"}, {"seq_len", c.seq_len}, {"steps", 2}, {"data", {{{"corpus", "text"}}}}}})}};
}

/// kB of a /proc/self/status field such as "VmRSS".
std::int64_t status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return -1;
}

/// In the child: a project with a small corpus, then two training steps; returns peak bytes over the RSS
/// before training.
std::int64_t measure_in_this_process(const std::filesystem::path& dir, const Case& c) {
  ProjectSettings settings;
  settings.name = c.name;
  const Project project = Project::init(dir, settings);
  const auto texts = dir / "texts";
  std::filesystem::create_directories(texts);
  for (int i = 0; i < 8; ++i) {
    std::ofstream out(texts / ("doc" + std::to_string(i) + ".txt"));
    for (int s = 0; s < 400; ++s) out << "sentence " << (s * 7 + i) % 97 << " of document " << i << " says hello. ";
  }
  {
    Database db = project.open_store();
    ImportOptions options;
    options.paths = {texts};
    import_corpus(db, "text", options, *make_word_counter());
  }
  const RunConfig config = parse_run_config(run_config(c).dump(), "memory.run.json");
  {
    std::ofstream("/proc/self/clear_refs") << "5";  // the peak so far is the fork's, not this training's
  }
  const std::int64_t before = status_kb("VmRSS");
  train(project, config);
  return (status_kb("VmHWM") - before) * 1024;
}

/// Forks, measures there, and returns the child's answer (-1 when it failed).
std::int64_t measure(const std::filesystem::path& dir, const Case& c) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::int64_t bytes = -1;
    try {
      bytes = measure_in_this_process(dir, c);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", c.name, e.what());
    }
    [[maybe_unused]] const auto written = ::write(fds[1], &bytes, sizeof bytes);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::int64_t bytes = -1;
  if (::read(fds[0], &bytes, sizeof bytes) != sizeof bytes) bytes = -1;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return bytes;
}

}  // namespace

class TestMemoryEstimate : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void estimateTracksTheTrainersPeak_data() {
    QTest::addColumn<int>("index");
    for (int i = 0; i < static_cast<int>(std::size(kCases)); ++i) QTest::newRow(kCases[i].name) << i;
  }

  void estimateTracksTheTrainersPeak() {
    QFETCH(int, index);
    const Case& c = kCases[index];
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QElapsedTimer timer;
    timer.start();
    const std::int64_t measured = measure(std::filesystem::path(tmp.path().toStdString()) / "p", c);
    QVERIFY2(measured > 0, "the child process could not train (see its message above)");

    const RunConfig config = parse_run_config(run_config(c).dump(), "memory.run.json");
    const ModelConfig model = scratch_model_config(config.init.scratch, 300);
    const TrainingMemory estimate =
        estimate_training_memory(model, stage_training_shape(config, config.stages[0], /*cuda=*/false));
    const double ratio = static_cast<double>(measured) / static_cast<double>(estimate.total());
    const auto mib = [](std::int64_t b) { return static_cast<double>(b) / (1 << 20); };
    qInfo("%s: measured %.1f MiB, estimated %.1f MiB (weights %.1f, gradients %.1f, optimizer %.1f, activations "
          "%.1f, logits %.1f): measured/estimated %.2f (%.1f s)",
          c.name, mib(measured), mib(estimate.total()), mib(estimate.weights), mib(estimate.gradients),
          mib(estimate.optimizer), mib(estimate.activations), mib(estimate.logits), ratio,
          static_cast<double>(timer.elapsed()) / 1000);
    QVERIFY2(ratio > 0.8 && ratio < 1.25, qPrintable(QString("measured/estimated %1").arg(ratio)));
  }

  void refusesShapesThatCannotTrain() {
    ModelConfig model;
    model.vocab_size = 10;
    QVERIFY(rw::test::error_of([&] { estimate_training_memory(model, {.seq_len = 0}); }).contains("seq_len"));
    QVERIFY(rw::test::error_of([&] {
              estimate_training_memory(model, {.seq_len = 8, .micro_batch_size = 0});
            }).contains("micro_batch_size"));
  }

 private:
  static constexpr Case kCases[] = {
      {"fp32", 256, 768, 4, 4, 2, 16000, 512, 2, 1024, "fp32", false},
      {"bf16", 256, 768, 2, 4, 2, 16000, 256, 2, 512, "bf16", false},
      {"checkpointed", 256, 768, 8, 4, 2, 8000, 1024, 1, 512, "fp32", true},
      {"long-sequence", 128, 512, 2, 4, 4, 1000, 2048, 2, 4096, "fp32", false},
  };
};

QTEST_GUILESS_MAIN(TestMemoryEstimate)
#include "test_memory_estimate.moc"

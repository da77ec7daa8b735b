// Trainer throughput: `train()` on a temporary project whose corpus is random words, starting from the HF
// folder the driver wrote (bench/run_train_bench.py times PyTorch eager on the same weights and shapes).
// Prints {"tok_s": median tokens/s over the timed steps, "step_ms": median step time}.
//   bench_train MODEL_DIR SEQ MICRO_BATCH STEPS WARMUP_STEPS DOCUMENT_MASKING(0|1) [DEVICE]
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "rw/core/data/corpus_import.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/train/trainer.h"
#include "rw/core/util/files.h"

using namespace rw::core;
using json = nlohmann::json;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: bench_train MODEL_DIR SEQ MICRO_BATCH STEPS WARMUP_STEPS DOCUMENT_MASKING [DEVICE]\n";
    return 2;
  }
  const fs::path model_dir = argv[1];
  const std::int64_t seq = std::stoll(argv[2]), micro = std::stoll(argv[3]), steps = std::stoll(argv[4]),
                     warmup = std::stoll(argv[5]);
  const bool masking = std::string(argv[6]) == "1";
  const std::string device = argc > 7 ? argv[7] : "cpu";

  const fs::path root = fs::temp_directory_path() / ("rw-bench-train-" + std::to_string(::getpid()));
  ProjectSettings settings;
  settings.name = "bench";
  const Project project = Project::init(root, settings);
  {
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> word(0, 4999), length(2000, 6000);
    for (int d = 0; d < 40; ++d) {
      std::ofstream out(project.corpus_dir() / ("d" + std::to_string(d) + ".txt"));
      for (int i = 0, n = length(rng); i < n; ++i) out << "w" << word(rng) << (i % 17 == 16 ? ".\n" : " ");
    }
    Database db = project.open_store();
    ImportOptions options;
    options.paths = {project.corpus_dir()};
    import_corpus(db, "bench", options, *make_word_counter());
  }
  const json config = {{"name", "bench"},
                       {"init", {{"model", model_dir.string()}}},
                       {"device", device},
                       {"precision", device == "cpu" ? "fp32" : "bf16-mixed"},
                       {"chunked_loss_rows", 4096},
                       {"optimizer", {{"lr", 1e-4}, {"weight_decay", 0.1}, {"clip_grad_norm", 1.0}}},
                       {"batch", {{"micro_batch_size", micro}}},
                       {"checkpoint", {{"every_steps", 0}, {"keep_last", 1}}},
                       {"stages", json::array({{{"name", "bench"},
                                                {"seq_len", seq},
                                                {"steps", steps},
                                                {"document_masking", masking},
                                                {"reset_positions", masking},
                                                {"data", {{{"corpus", "bench"}}}}}})}};
  const TrainResult result = train(project, parse_run_config(config.dump(), "bench"));
  RunStore store(project.open_store(OpenMode::ReadOnly));
  std::vector<double> tok_s;
  for (const MetricPoint& p : store.metrics_since(result.run_id, "tokens_per_s", warmup)) tok_s.push_back(p.value);
  std::sort(tok_s.begin(), tok_s.end());
  const double median = tok_s.at(tok_s.size() / 2);
  std::cout << json{{"tok_s", median}, {"step_ms", 1000.0 * static_cast<double>(seq * micro) / median}}.dump() << "\n";
  remove_tree(root);
  return 0;
}

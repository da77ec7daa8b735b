// The model and tokenizer a training run starts from: an HF folder as is, or a from-scratch Llama with
// HF's initialization (normal(0, 0.02) matrices, unit norms, zero biases) and, when asked, a sentencepiece
// tokenizer trained in-process on a project corpus and written as HF tokenizer files. Not the training
// loop (trainer.h) and not resuming (a checkpoint is an HF folder: load_hf_model).
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <memory>

#include "rw/core/model/llama.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/config/run_config.h"

namespace rw::core {

class Database;
class Project;

struct TrainingModel {
  ModelConfig base;  // the config the first stage starts from (before any stage's RoPE change)
  LlamaForCausalLM model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
  std::filesystem::path tokenizer_dir;  // HF folder holding the tokenizer files (copied into checkpoints)
};

/// The config the first stage starts from, without building anything: config.json of the init model, or the
/// scratch config. With the run's tokenizer, a scratch config takes its vocabulary size (unless set) and
/// BOS/EOS ids, and an explicit vocab_size smaller than the tokenizer's is an Error; without one (checks
/// before any work) only the fields RoPE checks read are meaningful.
ModelConfig base_model_config(const Project& project, const RunConfig& config, const Tokenizer* tokenizer = nullptr);

/// The run's tokenizer, and in `dir` the folder holding its files: the init model's, the scratch config's
/// {"model": PATH}, or `run_dir`/tokenizer, trained there from the corpus when missing.
std::unique_ptr<Tokenizer> training_tokenizer(const Project& project, const RunConfig& config, Database& db,
                                              const std::filesystem::path& run_dir, std::filesystem::path& dir);

/// Builds the run's starting point on `device` in `dtype`. A sentencepiece tokenizer is trained into
/// `run_dir`/tokenizer (reused when it is already there, as on resume). Errors name the folder or corpus.
TrainingModel init_training_model(const Project& project, const RunConfig& config, Database& db,
                                  const std::filesystem::path& run_dir, at::Device device, at::ScalarType dtype);

/// HF's _init_weights for a Llama from a seed: every matrix and embedding normal(0, std), norm weights 1,
/// biases 0, in named_parameters() order.
void init_weights(LlamaForCausalLM& model, std::uint64_t seed, double std = 0.02);

/// Trains a sentencepiece model on a corpus's documents (one line per input sentence; very long lines are
/// cut at whitespace) and writes tokenizer.model, tokenizer_config.json and special_tokens_map.json into
/// `dir` (<unk> 0, <s> 1, </s> 2; BOS added, EOS not, like Llama's tokenizer). Error naming the corpus.
void train_corpus_tokenizer(Database& db, const std::string& corpus, const TokenizerInit& init,
                            const std::filesystem::path& dir, std::uint64_t seed);

}  // namespace rw::core

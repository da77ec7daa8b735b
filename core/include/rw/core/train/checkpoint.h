// Training checkpoints: an HF model folder (loadable by transformers as is, config.json carrying the
// stage's RoPE settings) plus training_state/ (optimizer tensors, RNG states, trainer_state.json with
// step, stage, tokens seen and data cursor). Written under a temporary name and renamed, so a killed
// trainer leaves only complete checkpoints; older ones beyond keep_last are removed.
// Not the training loop (trainer.h) and not the optimizer's math (optimizer.h).
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rw/core/io/hf_model_dir.h"

namespace rw::core {

struct RngState {
  at::Tensor cpu;                // uint8 bytes of the default CPU generator
  std::vector<at::Tensor> cuda;  // one per visible CUDA device (empty without CUDA)
};

/// The default generators' states, and setting them back (so dropout/sampling continue identically).
RngState capture_rng_state();
void restore_rng_state(const RngState& state);

struct TrainingState {
  std::int64_t step = 0;        // optimizer steps done
  std::int64_t stage = 0;       // index into the run config's stages
  std::int64_t stage_step = 0;  // steps done within that stage
  std::int64_t tokens_seen = 0;
  std::string data_cursor_json;                 // the data stream's cursor (document_stream.h)
  std::string run_config_json;                  // the run config the checkpoint was trained under
  std::map<std::string, at::Tensor> optimizer;  // named optimizer state tensors
  RngState rng;
};

/// <root>/step-00000123.
std::filesystem::path checkpoint_path(const std::filesystem::path& root, std::int64_t step);
/// The optimizer state file of a checkpoint folder (named in errors about its content).
std::filesystem::path optimizer_state_path(const std::filesystem::path& checkpoint);

/// Writes the checkpoint for state.step under root and removes the oldest complete checkpoints beyond
/// keep_last (0 keeps all). Returns its folder. Error naming the folder on failure; nothing partial is
/// left under a checkpoint name.
std::filesystem::path save_checkpoint(LlamaForCausalLM& model, const std::filesystem::path& root,
                                      const TrainingState& state, const SaveOptions& model_options,
                                      std::int64_t keep_last);

/// The step of a checkpoint folder from its name (step-N); nullopt for any other name.
std::optional<std::int64_t> checkpoint_step(const std::filesystem::path& dir);

/// Complete checkpoints under root (folders named step-N holding training_state/trainer_state.json),
/// by step ascending. Temporary folders of an interrupted save are ignored.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& root);
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& root);

/// Reads training_state/ of a checkpoint folder (the model is loaded with load_hf_model). Error naming
/// the file on anything missing or malformed.
TrainingState load_training_state(const std::filesystem::path& checkpoint);

}  // namespace rw::core

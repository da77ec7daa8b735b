// HF model directories in and out: config.json + safetensors weights (+ generation_config.json and
// tokenizer files carried along). Pickle checkpoints are refused (see model_weights.h).
#pragma once
#include <c10/core/Device.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "rw/core/config/generation_config.h"
#include "rw/core/model/llama.h"

namespace rw::core {

class Tokenizer;

struct LoadedModel {
  ModelConfig config;
  LlamaForCausalLM model{nullptr};
  GenerationConfig generation;  ///< from generation_config.json, else defaults from config.json
};

/// Loads config.json and the weights of `dir` onto `device`, cast to `dtype` (default: the stored
/// dtype). Errors name the file and the tensor or key: missing or extra tensors, shape mismatches.
LoadedModel load_hf_model(const std::filesystem::path& dir, at::Device device = at::kCPU,
                          std::optional<at::ScalarType> dtype = std::nullopt);

/// Refuses a tokenizer with ids at or past config.vocab_size (a tokenizer.json larger than the model): the
/// embedding has no row for them, and the first prompt using one would fail deep inside LibTorch. Error
/// naming both files, the largest id and vocab_size. Callers that load a model with its tokenizer call this.
void check_tokenizer_fits(const Tokenizer& tokenizer, const ModelConfig& config, const std::filesystem::path& config_file);

/// Copies `weights` into the model's parameters, checking names and shapes (origin names the source).
void assign_weights(LlamaForCausalLM& model, const std::map<std::string, at::Tensor>& weights,
                    const std::string& origin);

struct SaveOptions {
  std::optional<at::ScalarType> dtype;          ///< default: the parameters' dtype
  uint64_t max_shard_bytes = 5ull << 30;
  std::optional<GenerationConfig> generation;   ///< written as generation_config.json
  std::optional<std::filesystem::path> tokenizer_from;  ///< copy tokenizer files from this directory
};

/// Writes an HF directory that transformers loads. The directory is built beside `dir` and moved into
/// place at the end, so a failed save leaves an existing `dir` as it was and no partial directory.
void save_hf_model(LlamaForCausalLM& model, const std::filesystem::path& dir, const SaveOptions& options = {});

}  // namespace rw::core

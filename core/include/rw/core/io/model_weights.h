// Reading and writing the weights of a Hugging Face model directory (single or sharded safetensors).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rw::core {

/// Loads every tensor of an HF model directory: model.safetensors, or model.safetensors.index.json
/// + its shards (every shard named in weight_map must exist, every tensor in weight_map must be in the
/// shard it names, no tensor in two shards). A directory holding only pickle checkpoints
/// (pytorch_model.bin, *.pt, *.pth, *.ckpt) is refused with an Error saying pickle is not supported
/// and to convert to safetensors. Returns name -> tensor (CPU, stored dtype), ordered by name.
std::map<std::string, at::Tensor> read_model_weights(const std::filesystem::path& dir);

/// Writes tensors as model.safetensors, or as model-0000k-of-0000n.safetensors shards plus
/// model.safetensors.index.json (metadata.total_size, weight_map) when they exceed max_shard_bytes,
/// exactly as HF's save_pretrained names them. Each file written atomically; stale shard/index files
/// of an earlier save in `dir` that this save does not produce are removed after the new ones are in place.
void write_model_weights(const std::filesystem::path& dir,
                         const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                         uint64_t max_shard_bytes = 5ull << 30,
                         const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace rw::core

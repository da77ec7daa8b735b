// The RoPE spectrum of a model config without LibTorch: each dimension pair's inverse frequency and
// wavelength (tokens per full rotation) under the config's rope type, for explaining a RoPE setting (the
// workbench's RoPE page). The model computes the same formulas in fp32 exactly as transformers does
// (model/rope_scaling.h); the test test_rope_spectrum ties the two together for every rope type.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "rw/core/config/model_config.h"

namespace rw::core {

struct RopeSpectrum {
  std::vector<double> inv_freq;    ///< [head_dim / 2], highest frequency first
  std::vector<double> wavelength;  ///< 2 pi / inv_freq, in tokens
  double attention_scaling = 1.0;  ///< yarn's cos/sin factor
};

/// The spectrum of `config` (dynamic NTK at `seq_len`, as the model uses it past max_position_embeddings).
/// Error naming the key for a config the model could not use either (no head_dim, yarn or llama3
/// without original_max_position_embeddings).
RopeSpectrum rope_spectrum(const ModelConfig& config, std::optional<std::int64_t> seq_len = std::nullopt);

/// YaRN's scalar parts, shared with the model's fp32 RoPE (model/rope_scaling.cpp): the cos/sin attention
/// scaling, and the ramp's [low, high] dimension range between extrapolated and interpolated pairs.
double yarn_attention_scaling(const RopeConfig& rope);
std::pair<double, double> yarn_correction_range(const RopeConfig& rope, std::int64_t dim);

/// Dimension pairs whose wavelength is longer than `length` tokens: they never complete a rotation within
/// it, so positions past `length` give them angles the model never saw in training.
std::int64_t pairs_longer_than(const RopeSpectrum& spectrum, double length);

}  // namespace rw::core

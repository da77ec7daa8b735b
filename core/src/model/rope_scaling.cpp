// RoPE frequency formulas. Each mirrors transformers' modeling_rope_utils in operation order and
// precision (fp32 tensors, Python-float scalars as double) so inv_freq matches bit for bit.
#include "rw/core/model/rope_scaling.h"

#include <ATen/ATen.h>

#include <cmath>
#include <numbers>

#include "rw/core/config/rope_spectrum.h"
#include "rw/core/util/error.h"
#include "rw/kernels/rotary.h"

namespace rw::core {
namespace {

at::Tensor base_inv_freq(double base, int64_t dim) {
  auto exponents = at::arange(0, dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(dim);
  return 1.0 / at::pow(base, exponents);
}

RopeFrequencies yarn(const RopeConfig& rope, int64_t dim) {
  const double base = rope.theta, factor = rope.factor;
  const double attention = yarn_attention_scaling(rope);
  const auto [low, high] = yarn_correction_range(rope, dim);

  auto pos_freqs = at::pow(base, at::arange(0, dim, 2).to(at::kFloat) / static_cast<double>(dim));
  auto extrapolation = 1.0 / pos_freqs;
  auto interpolation = 1.0 / (factor * pos_freqs);
  auto ramp = at::clamp((at::arange(dim / 2, at::kFloat) - low) / (high - low), 0, 1);
  auto extrapolation_factor = 1 - ramp;
  auto inv = interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor;
  return {inv, attention};
}

at::Tensor llama3(const RopeConfig& rope, int64_t dim) {
  auto inv = base_inv_freq(rope.theta, dim);
  const double factor = rope.factor, low_ff = rope.low_freq_factor, high_ff = rope.high_freq_factor;
  const double old_len = static_cast<double>(*rope.original_max_position_embeddings);
  const double low_wavelen = old_len / low_ff, high_wavelen = old_len / high_ff;
  auto wavelen = 2 * std::numbers::pi / inv;
  auto scaled = at::where(wavelen > low_wavelen, inv / factor, inv);
  auto smooth = (old_len / wavelen - low_ff) / (high_ff - low_ff);
  auto smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
  auto medium = at::logical_not(wavelen < high_wavelen).logical_and(at::logical_not(wavelen > low_wavelen));
  return at::where(medium, smoothed, scaled);
}

}  // namespace

RopeFrequencies rope_frequencies(const ModelConfig& config, std::optional<int64_t> seq_len) {
  const auto& rope = config.rope;
  const int64_t dim = config.head_dim;
  switch (rope.type) {
    case RopeType::Default:
      return {base_inv_freq(rope.theta, dim), 1.0};
    case RopeType::Linear:
      return {base_inv_freq(rope.theta, dim) / rope.factor, 1.0};
    case RopeType::Dynamic: {
      // transformers passes the current length as a 0-d int64 tensor, so the new base is computed in
      // fp32 tensor arithmetic; at init (no length) it is a Python float. Both paths are kept.
      const double max_pos = static_cast<double>(config.max_position_embeddings);
      const double exponent = static_cast<double>(dim) / static_cast<double>(dim - 2);
      if (!seq_len) {
        const double base = rope.theta * std::pow((rope.factor * max_pos / max_pos) - (rope.factor - 1), exponent);
        return {base_inv_freq(base, dim), 1.0};
      }
      auto len = at::scalar_tensor(std::max(*seq_len, config.max_position_embeddings), at::kLong);
      auto base = rope.theta * at::pow((rope.factor * len / max_pos) - (rope.factor - 1), exponent);
      auto exponents = at::arange(0, dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(dim);
      return {1.0 / at::pow(base, exponents), 1.0};
    }
    case RopeType::Yarn:
      return yarn(rope, dim);
    case RopeType::Llama3:
      return {llama3(rope, dim), 1.0};
  }
  fail("unknown rope type");
}

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config)
    : config_(config),
      original_(rope_frequencies(config)),
      current_(original_),
      max_seq_len_cached_(config.max_position_embeddings) {}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::operator()(const at::Tensor& position_ids, at::ScalarType dtype) {
  if (config_.rope.type == RopeType::Dynamic) {
    const int64_t seq_len = position_ids.max().item<int64_t>() + 1;
    const int64_t original_len = config_.max_position_embeddings;
    const int64_t cached_before = max_seq_len_cached_;
    if (seq_len > cached_before) {  // grow
      current_ = rope_frequencies(config_, seq_len);
      max_seq_len_cached_ = seq_len;
    }
    if (seq_len < original_len && cached_before > original_len) {  // back within the original length
      current_ = original_;
      max_seq_len_cached_ = original_len;
    }
  }
  return kernels::rotary_cos_sin(current_.inv_freq, position_ids, current_.attention_scaling, dtype);
}

}  // namespace rw::core

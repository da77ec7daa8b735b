// Double-precision twins of core/src/model/rope_scaling.cpp's formulas (transformers' modeling_rope_utils);
// keep the two in step (test_rope_spectrum compares them).
#include "rw/core/config/rope_spectrum.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

std::vector<double> base_inv_freq(double base, std::int64_t dim) {
  std::vector<double> inv;
  for (std::int64_t i = 0; i < dim; i += 2)
    inv.push_back(1.0 / std::pow(base, static_cast<double>(i) / static_cast<double>(dim)));
  return inv;
}

double yarn_mscale(double scale, double mscale) { return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0; }

std::int64_t original_length(const RopeConfig& rope) {
  if (!rope.original_max_position_embeddings)
    fail("rope_scaling.original_max_position_embeddings: {} needs it", rope_type_name(rope.type));
  return *rope.original_max_position_embeddings;
}

RopeSpectrum yarn(const RopeConfig& rope, std::int64_t dim) {
  RopeSpectrum s;
  s.attention_scaling = yarn_attention_scaling(rope);
  const auto [low, high] = yarn_correction_range(rope, dim);
  for (std::int64_t i = 0; i < dim / 2; ++i) {
    const double pos_freq = std::pow(rope.theta, static_cast<double>(2 * i) / static_cast<double>(dim));
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolation_factor = 1 - ramp;
    s.inv_freq.push_back(1.0 / (rope.factor * pos_freq) * (1 - extrapolation_factor) +
                         1.0 / pos_freq * extrapolation_factor);
  }
  return s;
}

std::vector<double> llama3(const RopeConfig& rope, std::int64_t dim) {
  auto inv = base_inv_freq(rope.theta, dim);
  const double factor = rope.factor, low_ff = rope.low_freq_factor, high_ff = rope.high_freq_factor;
  const double old_len = static_cast<double>(original_length(rope));
  const double low_wavelen = old_len / low_ff, high_wavelen = old_len / high_ff;
  for (double& f : inv) {
    const double wavelen = 2 * std::numbers::pi / f;
    const double scaled = wavelen > low_wavelen ? f / factor : f;
    if (wavelen < high_wavelen || wavelen > low_wavelen) {
      f = scaled;
    } else {
      const double smooth = (old_len / wavelen - low_ff) / (high_ff - low_ff);
      f = (1 - smooth) * scaled / factor + smooth * scaled;
    }
  }
  return inv;
}

}  // namespace

double yarn_attention_scaling(const RopeConfig& rope) {
  if (rope.attention_factor) return *rope.attention_factor;
  if (rope.mscale && rope.mscale_all_dim && *rope.mscale != 0 && *rope.mscale_all_dim != 0)
    return yarn_mscale(rope.factor, *rope.mscale) / yarn_mscale(rope.factor, *rope.mscale_all_dim);
  return yarn_mscale(rope.factor, 1.0);
}

std::pair<double, double> yarn_correction_range(const RopeConfig& rope, std::int64_t dim) {
  const double base = rope.theta;
  const double beta_fast = rope.beta_fast && *rope.beta_fast != 0 ? *rope.beta_fast : 32.0;
  const double beta_slow = rope.beta_slow && *rope.beta_slow != 0 ? *rope.beta_slow : 1.0;
  const double original = static_cast<double>(original_length(rope));
  const auto correction_dim = [&](double rotations) {
    return (static_cast<double>(dim) * std::log(original / (rotations * 2 * std::numbers::pi))) / (2 * std::log(base));
  };
  double low = correction_dim(beta_fast), high = correction_dim(beta_slow);
  if (rope.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim - 1));
  if (low == high) high += 0.001;  // avoid a zero-width ramp
  return {low, high};
}

RopeSpectrum rope_spectrum(const ModelConfig& config, std::optional<std::int64_t> seq_len) {
  const auto& rope = config.rope;
  const std::int64_t dim = config.head_dim;
  if (dim < 2) fail("head_dim: the RoPE spectrum needs a head dimension of at least 2, got {}", dim);
  RopeSpectrum s;
  switch (rope.type) {
    case RopeType::Default:
      s.inv_freq = base_inv_freq(rope.theta, dim);
      break;
    case RopeType::Linear:
      s.inv_freq = base_inv_freq(rope.theta, dim);
      for (double& f : s.inv_freq) f /= rope.factor;
      break;
    case RopeType::Dynamic: {
      const double max_pos = static_cast<double>(config.max_position_embeddings);
      const double len = static_cast<double>(
          std::max(seq_len.value_or(config.max_position_embeddings), config.max_position_embeddings));
      const double exponent = static_cast<double>(dim) / static_cast<double>(dim - 2);
      s.inv_freq = base_inv_freq(rope.theta * std::pow(rope.factor * len / max_pos - (rope.factor - 1), exponent), dim);
      break;
    }
    case RopeType::Yarn:
      s = yarn(rope, dim);
      break;
    case RopeType::Llama3:
      s.inv_freq = llama3(rope, dim);
      break;
  }
  for (const double f : s.inv_freq) s.wavelength.push_back(2 * std::numbers::pi / f);
  return s;
}

std::int64_t pairs_longer_than(const RopeSpectrum& spectrum, double length) {
  return std::count_if(spectrum.wavelength.begin(), spectrum.wavelength.end(),
                       [length](double w) { return w > length; });
}

}  // namespace rw::core

// lr_at (see the header for the formula and how it relates to Hugging Face's schedules).
#include "rw/core/config/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "rw/core/util/error.h"

namespace rw::core {

void validate(const LrSchedule& s) {
  if (!(s.peak_lr >= 0) || !std::isfinite(s.peak_lr)) {
    fail("LrSchedule.peak_lr must be finite and >= 0 (got {})", s.peak_lr);
  }
  if (s.warmup_steps < 0) fail("LrSchedule.warmup_steps must be >= 0 (got {})", s.warmup_steps);
  if (s.total_steps <= 0) fail("LrSchedule.total_steps must be > 0 (got {})", s.total_steps);
  if (s.warmup_steps > s.total_steps) {
    fail("LrSchedule.warmup_steps ({}) must not exceed total_steps ({})", s.warmup_steps, s.total_steps);
  }
  if (!(s.min_lr_ratio >= 0 && s.min_lr_ratio <= 1)) {
    fail("LrSchedule.min_lr_ratio must be in [0, 1] (got {})", s.min_lr_ratio);
  }
}

double lr_at(const LrSchedule& s, std::int64_t step) {
  validate(s);
  if (step < 0) fail("lr_at: step must be >= 0 (got {})", step);
  if (step < s.warmup_steps) {
    return s.peak_lr * static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
  }
  const double decay_steps = static_cast<double>(std::max<std::int64_t>(1, s.total_steps - s.warmup_steps));
  const double progress = std::min(1.0, static_cast<double>(step - s.warmup_steps) / decay_steps);
  const double r = s.min_lr_ratio;
  switch (s.kind) {
    case LrSchedule::Kind::Cosine:
      return s.peak_lr * (r + (1 - r) * 0.5 * (1 + std::cos(std::numbers::pi * progress)));
    case LrSchedule::Kind::Linear:
      return s.peak_lr * (r + (1 - r) * (1 - progress));
    case LrSchedule::Kind::Constant:
      return s.peak_lr;
  }
  fail("lr_at: unknown LrSchedule.kind {}", static_cast<int>(s.kind));
}

}  // namespace rw::core

// Learning rate as a function of the optimizer step: linear warmup, then cosine or linear decay to a floor,
// or constant. A pure function of (schedule, step), so a resumed run gets the same lr from its step count
// alone. Not here: the optimizer that uses it (optimizer.h), per-parameter-group rates.
#pragma once
#include <cstdint>

namespace rw::core {

/// With w = warmup_steps, T = total_steps, r = min_lr_ratio and step s counted from 0:
///   s < w:   lr = peak_lr * (s + 1) / w          (the first step already moves; step w-1 reaches peak)
///   s >= w:  progress = min(1, (s - w) / max(1, T - w))
///            Cosine:   lr = peak_lr * (r + (1 - r) * 0.5 * (1 + cos(pi * progress)))
///            Linear:   lr = peak_lr * (r + (1 - r) * (1 - progress))
///            Constant: lr = peak_lr                (r unused)
/// This is Hugging Face's get_cosine/linear/constant_schedule_with_warmup (lr of step s = lambda(s)) with
/// two changes: warmup counts s + 1 instead of s (HF's first step has lr 0), and decay ends at the floor
/// r * peak_lr instead of 0. Steps past T stay at the floor.
struct LrSchedule {
  enum class Kind { Cosine, Linear, Constant };

  double peak_lr = 3e-4;
  std::int64_t warmup_steps = 0;
  std::int64_t total_steps = 0;  // must be set: > 0
  double min_lr_ratio = 0.1;     // floor as a fraction of peak_lr, in [0, 1]
  Kind kind = Kind::Cosine;
};

/// Error naming the field: peak_lr negative or not finite, warmup_steps negative, total_steps not positive,
/// warmup_steps > total_steps, min_lr_ratio outside [0, 1].
void validate(const LrSchedule& schedule);

/// The lr for 0-based optimizer step `step` (formula above). Validates the schedule; Error for step < 0.
double lr_at(const LrSchedule& schedule, std::int64_t step);

}  // namespace rw::core

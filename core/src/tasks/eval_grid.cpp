// Grids, coarse-to-fine order and seeded random numbers (see eval_grid.h).
#include "rw/core/tasks/eval_grid.h"

#include <algorithm>
#include <cmath>

#include "rw/core/util/error.h"

namespace rw::core {

std::vector<std::int64_t> linspace_rounded(double lo, double hi, std::int64_t n) {
  if (n < 1) fail("linspace: need at least one point, got {}", n);
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(n));
  const double step = n > 1 ? (hi - lo) / static_cast<double>(n - 1) : 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    // numpy computes lo + i*step and sets the last point to hi exactly; rint rounds half to even.
    const double v = i == n - 1 && n > 1 ? hi : lo + static_cast<double>(i) * step;
    out.push_back(static_cast<std::int64_t>(std::nearbyint(v)));
  }
  return out;
}

std::vector<double> linear_depth_percents(std::int64_t n) {
  std::vector<double> out;
  for (const std::int64_t v : linspace_rounded(0, 100, n)) out.push_back(static_cast<double>(v));
  return out;
}

std::vector<double> sigmoid_depth_percents(std::int64_t n) {
  if (n < 1) fail("sigmoid depths: need at least one point, got {}", n);
  std::vector<double> out;
  const double step = n > 1 ? 100.0 / static_cast<double>(n - 1) : 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = i == n - 1 && n > 1 ? 100.0 : static_cast<double>(i) * step;
    if (x == 0.0 || x == 100.0) {
      out.push_back(x);
      continue;
    }
    const double v = 100.0 / (1.0 + std::exp(-0.1 * (x - 50.0)));
    out.push_back(std::nearbyint(v * 1000.0) / 1000.0);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

bool on_stride(std::int64_t i, std::int64_t n, std::int64_t stride) { return i % stride == 0 || i == n - 1; }

}  // namespace

int coarse_to_fine_level(GridIndex cell, std::int64_t n_lengths, std::int64_t n_depths) {
  if (on_stride(cell.length_index, n_lengths, 4) && on_stride(cell.depth_index, n_depths, 4)) return 0;
  if (on_stride(cell.length_index, n_lengths, 2) && on_stride(cell.depth_index, n_depths, 2)) return 1;
  return 2;
}

std::vector<GridIndex> coarse_to_fine_order(std::int64_t n_lengths, std::int64_t n_depths) {
  std::vector<GridIndex> out;
  if (n_lengths <= 0 || n_depths <= 0) return out;
  out.reserve(static_cast<std::size_t>(n_lengths * n_depths));
  for (int level = 0; level <= 2; ++level) {
    for (std::int64_t l = 0; l < n_lengths; ++l) {
      for (std::int64_t d = 0; d < n_depths; ++d) {
        if (coarse_to_fine_level({l, d}, n_lengths, n_depths) == level) out.push_back({l, d});
      }
    }
  }
  return out;
}

std::int64_t largest_fitting(std::int64_t limit, const std::function<bool(std::int64_t)>& fits) {
  if (!fits(0)) return -1;
  std::int64_t lo = 0, hi = limit;  // fits(lo) holds; answer in [lo, hi]
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo + 1) / 2;
    if (fits(mid)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

std::uint64_t item_seed(SeedSpace space, std::uint64_t seed, std::string_view task, std::int64_t length,
                        std::int64_t index) {
  std::uint64_t h = 1469598103934665603ull ^ seed;  // FNV-1a over the task name, then SplitMix mixing
  for (const char c : task) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::uint64_t state = h ^ (static_cast<std::uint64_t>(length) * 0x9E3779B97F4A7C15ull) ^
                        (static_cast<std::uint64_t>(index) << 32);
  // SplitMix64's output is a bijection of its state: a different state for training means a different seed.
  if (space == SeedSpace::Training) state ^= 0x5452414E494E4721ull;  // "TRAINING!"
  SplitMix64 mix(state);
  return mix.next();
}

}  // namespace rw::core

// Statistics the benchmark programs report, one definition for all of them.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace rw::bench {

/// Nearest-rank percentile (q in [0, 1]) of `values`, which must not be empty.
inline double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace rw::bench

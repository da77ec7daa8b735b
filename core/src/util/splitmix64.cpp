// SplitMix64::uniform (see splitmix64.h).
#include "rw/core/util/splitmix64.h"

#include "rw/core/util/error.h"

namespace rw::core {

std::int64_t SplitMix64::uniform(std::int64_t lo, std::int64_t hi) {
  RW_CHECK(lo <= hi, "uniform: empty range [{}, {}]", lo, hi);
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(next());  // the full 64-bit range
  // Rejection sampling keeps the draw exactly uniform.
  const std::uint64_t limit = ~0ull - (~0ull % span);
  std::uint64_t v = next();
  while (v >= limit) v = next();
  return lo + static_cast<std::int64_t>(v % span);
}

}  // namespace rw::core

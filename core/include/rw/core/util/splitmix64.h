// SplitMix64: a small, fully specified random generator, so equal seeds give equal data orders and prompts
// on every platform and standard library (std distributions are implementation-defined).
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rw::core {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform double in [0, 1) from the top 53 bits of next().
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [lo, hi] (inclusive), exactly uniform by rejection sampling. Error when lo > hi.
  std::int64_t uniform(std::int64_t lo, std::int64_t hi);
  /// Fisher-Yates shuffle with uniform().
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1], v[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(i) - 1))]);
  }

 private:
  std::uint64_t state_;
};

}  // namespace rw::core

// The length x depth grids of the long-context evals (gkamradt NIAH conventions), the coarse-to-fine order
// in which a grid's cells are computed, the seeded random numbers every synthetic prompt is drawn from, and
// the binary search that sizes haystacks. Pure functions only: no model, no tokenizer, no store.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "rw/core/util/splitmix64.h"  // SplitMix64, used by every prompt builder

namespace rw::core {

/// numpy.round(numpy.linspace(lo, hi, n)).astype(int): n evenly spaced values, rounded half to even as
/// numpy does. n == 1 gives {round(lo)}. Error when n < 1.
std::vector<std::int64_t> linspace_rounded(double lo, double hi, std::int64_t n);

/// gkamradt "linear" depths: round(linspace(0, 100, n)) percent.
std::vector<double> linear_depth_percents(std::int64_t n);

/// gkamradt "sigmoid" depths: logistic(x) = 100 / (1 + exp(-0.1 (x - 50))) over linspace(0, 100, n), rounded
/// to 3 decimals, 0 and 100 kept as they are; ascending. (The original returns the same set in descending
/// order, since its logistic is mirrored; the set is what matters for a grid.)
std::vector<double> sigmoid_depth_percents(std::int64_t n);

struct GridIndex {
  std::int64_t length_index = 0;
  std::int64_t depth_index = 0;
  bool operator==(const GridIndex&) const = default;
};

/// The order cells are computed in, so a live heatmap is useful early. Level 0 (coarse) = every 4th
/// length x every 4th depth, always including the last length and the last depth (the grid's corners
/// and edges appear first); level 1 = every 2nd (plus the last) not in level 0; level 2 = the rest.
/// Within a level cells run length by length (ascending), depths ascending, so consecutive cells share a
/// length and can be batched together. A permutation of all n_lengths x n_depths cells.
std::vector<GridIndex> coarse_to_fine_order(std::int64_t n_lengths, std::int64_t n_depths);

/// The level (0 coarse .. 2 fine) coarse_to_fine_order() gives the cell.
int coarse_to_fine_level(GridIndex cell, std::int64_t n_lengths, std::int64_t n_depths);

/// The largest n in [0, limit] with fits(n), assuming fits is monotone (true up to some n, false after);
/// -1 when not even fits(0). Binary search, about log2(limit) calls: used to size haystacks so a prompt's
/// token count stays within a length budget (RULER's binary search, at unit granularity).
std::int64_t largest_fitting(std::int64_t limit, const std::function<bool(std::int64_t)>& fits);

/// Where a task item's randomness comes from. Eval cells and training items (the synthesizer's task
/// generators) draw from separate seed spaces; where an item's answer is a number drawn from a range (the
/// pass key, RULER's magic numbers and variable values), the two spaces draw from disjoint ranges, so a
/// training item can never hold an eval answer.
enum class SeedSpace { Eval, Training };

/// A seed for one item, mixing the base seed with the task name, length and index (the depth index of an
/// eval cell), so an item does not depend on which other items are built (resume reproduces it exactly).
/// Eval seeds are the cell seeds Ropewalk has always used; training seeds hash the same inputs under
/// another tag, so for equal inputs the two always differ.
std::uint64_t item_seed(SeedSpace space, std::uint64_t seed, std::string_view task, std::int64_t length,
                        std::int64_t index);

}  // namespace rw::core

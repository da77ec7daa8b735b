// NIAH heatmap data: eval cells of one run, task and checkpoint step aggregated into a (depth x length)
// grid of mean scores, and the colour scale the field draws them with (gkamradt/LLMTest_NeedleInAHaystack;
// ../shared/reference/evals.md §1.1). No drawing and no LibTorch: the GUI's heatmap view uses it too.
// Drawing is heatmap_render.h.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/store/run_store.h"

namespace rw::core {

struct Rgb8 {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const Rgb8&, const Rgb8&) = default;
};

/// 0xRRGGBB -> Rgb8.
constexpr Rgb8 rgb_from_hex(std::uint32_t hex) {
  return Rgb8{static_cast<std::uint8_t>((hex >> 16) & 0xff), static_cast<std::uint8_t>((hex >> 8) & 0xff),
              static_cast<std::uint8_t>(hex & 0xff)};
}

/// Scores as colours: linear between #F0496E (0), #EBB839 (0.5) and #0CD79F (1), each channel rounded to
/// nearest; scores outside [0, 1] are clamped. NaN gives kHeatmapMissingColor.
Rgb8 niah_colormap(double score);
inline constexpr Rgb8 kHeatmapMissingColor = rgb_from_hex(0xF2F2F2);
/// Changes as colours, for a heatmap diff: linear between the score scale's red (-1, got worse), a light
/// grey #D9D9D9 (0, unchanged; apart from the missing colour) and its green (+1, got better); clamped.
Rgb8 diff_colormap(double change);

/// Mean score per (depth, length) over cells that share one task and checkpoint step.
struct HeatmapData {
  std::string task;
  std::int64_t checkpoint_step = 0;
  std::string model;                  // shown in the title; the caller sets it
  std::string tokenizer;              // shown on the x axis ("Context length (tokens, <tokenizer>)"); may be empty
  /// Set for a difference (diff_heatmap): what the means are changes against, e.g. "step 100".
  std::string baseline;
  std::vector<std::int64_t> lengths;  // columns, ascending
  std::vector<double> depths;         // rows, ascending in 0..1; row 0 (depth 0) is drawn at the top
  std::vector<double> means;          // [row * lengths.size() + col]; NaN where no cell was scored
  std::vector<std::int64_t> counts;   // cells averaged into each entry (0 = missing)
  double average = 0;                 // mean of the present entries' means (NaN when none)
  std::int64_t cell_count = 0;        // eval cells aggregated

  double mean(size_t row, size_t col) const { return means[row * lengths.size() + col]; }
  bool present(size_t row, size_t col) const { return counts[row * lengths.size() + col] > 0; }
  /// (length, depth) of every grid entry without a scored cell, row by row.
  std::vector<std::pair<std::int64_t, double>> missing() const;
};

/// The colour scale of a heatmap: scores 0..1 (niah_colormap), or changes -1..+1 for a diff (diff_colormap).
struct HeatmapScale {
  double low = 0, high = 1;
  std::vector<std::pair<double, std::string>> ticks;  // value and label, low to high
  std::string title;                                  // "Score" or "Change"
};
HeatmapScale heatmap_scale(const HeatmapData& data);
/// The colour of a value under the data's scale.
Rgb8 heatmap_color(const HeatmapData& data, double value);

/// `after` minus `before`, entry by entry, over the union of their grids: present where both have a score;
/// `baseline` names `before` (e.g. "step 100", "run base-model #2"). Task and step are `after`'s; the
/// average is the mean change. Error when the tasks differ.
HeatmapData diff_heatmap(const HeatmapData& after, const HeatmapData& before, const std::string& baseline);

/// Columns and rows a heatmap has even where no cell was scored yet (the eval's own grid), so a partial
/// eval shows its unscored entries as missing instead of a smaller complete-looking grid.
struct HeatmapGrid {
  std::vector<std::int64_t> lengths;
  std::vector<double> depths;  // in 0..1
};

/// Every length and depth that `task`'s cells among `cells` use, at any checkpoint step: the grid of a run
/// whose eval suite is not known, so a checkpoint scored only in part still shows the rest as missing.
HeatmapGrid task_grid(const std::vector<EvalCell>& cells, std::string_view task);

/// Groups `cells` by length and by depth (depths equal to 1e-6 are one row), over the union of the cells'
/// lengths and depths and `grid`'s. Error when both are empty, when `cells` mixes tasks or checkpoint steps,
/// or holds a depth outside [0, 1] or a non-finite score (naming the cell). Without cells, task and step
/// are left for the caller to set.
HeatmapData make_heatmap_data(const std::vector<EvalCell>& cells, const HeatmapGrid& grid = {});

/// Tick label for a context length: "4K" for multiples of 1024, "1.5K" for multiples of 512 from 1024,
/// otherwise the number ("1000", "1438").
std::string format_context_length(std::int64_t tokens);

}  // namespace rw::core

// NIAH-style heatmap pictures: eval cells of one run, task and checkpoint step aggregated into a
// (depth x length) grid of mean scores, and a PNG of that grid drawn with the conventions of the field
// (gkamradt/LLMTest_NeedleInAHaystack; docs/heatmaps.md): context length on x ascending,
// depth % on y with 0 at the top, a fixed 0..1 red -> yellow -> green scale, dashed grey cell borders,
// x labels at 45°, the "Pressure Testing ..." title with the average score. Rendered with FreeType into
// memory (no display, no Qt); the same data gives the same bytes. Not the live GUI heatmap (ui/).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "rw/core/store/run_store.h"
#include "rw/core/util/rgb_image.h"

namespace rw::core {

/// Scores as colours: linear between #F0496E (0), #EBB839 (0.5) and #0CD79F (1), each channel rounded to
/// nearest; scores outside [0, 1] are clamped. NaN gives kHeatmapMissingColor.
Rgb8 niah_colormap(double score);
inline constexpr Rgb8 kHeatmapMissingColor = rgb_from_hex(0xF2F2F2);

/// Mean score per (depth, length) over cells that share one task and checkpoint step.
struct HeatmapData {
  std::string task;
  std::int64_t checkpoint_step = 0;
  std::string model;                  // shown in the title; the caller sets it
  std::string tokenizer;              // shown on the x axis ("Context length (tokens, <tokenizer>)"); may be empty
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

/// Groups `cells` by length and by depth (depths equal to 1e-6 are one row). Error when `cells` is empty,
/// mixes tasks or checkpoint steps, or holds a depth outside [0, 1] or a non-finite score (naming the cell).
HeatmapData make_heatmap_data(const std::vector<EvalCell>& cells);

struct HeatmapStyle {
  int width = 1600;
  int height = 820;
  std::filesystem::path font_file;       // empty: find_default_font()
  std::filesystem::path bold_font_file;  // empty: find_default_font(true), else font_file
};

/// Where the grid landed in the picture: column c spans [x_edges[c], x_edges[c+1]), row r spans
/// [y_edges[r], y_edges[r+1]) (tests probe cell centres with it).
struct HeatmapGeometry {
  std::vector<int> x_edges;
  std::vector<int> y_edges;
};

struct RenderedHeatmap {
  RgbImage image;
  HeatmapGeometry geometry;
};

/// Draws the heatmap. Error when the style's fonts cannot be loaded (or rw_core has no FreeType), or the
/// picture is too small for the grid and its labels.
RenderedHeatmap render_heatmap(const HeatmapData& data, const HeatmapStyle& style = {});
/// encode_png(render_heatmap(data, style).image).
std::vector<std::uint8_t> render_heatmap_png(const HeatmapData& data, const HeatmapStyle& style = {});

/// Tick label for a context length: "4K" for multiples of 1024, "1.5K" for multiples of 512 from 1024,
/// otherwise the number ("1000", "1438").
std::string format_context_length(std::int64_t tokens);

}  // namespace rw::core

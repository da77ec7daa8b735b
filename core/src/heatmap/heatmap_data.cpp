// Heatmap aggregation: eval cells -> a grid of means, rows and columns sorted, missing entries kept as NaN
// so a partial grid (a job still writing cells) draws with its gaps.
#include "rw/core/heatmap/heatmap_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr Rgb8 kRed = rgb_from_hex(0xF0496E);
constexpr Rgb8 kYellow = rgb_from_hex(0xEBB839);
constexpr Rgb8 kGreen = rgb_from_hex(0x0CD79F);
constexpr double kDepthQuantum = 1e-6;  // depths closer than this are one row

std::uint8_t lerp_channel(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * t));
}

Rgb8 lerp(Rgb8 a, Rgb8 b, double t) {
  return Rgb8{lerp_channel(a.r, b.r, t), lerp_channel(a.g, b.g, t), lerp_channel(a.b, b.b, t)};
}

}  // namespace

Rgb8 niah_colormap(double score) {
  if (std::isnan(score)) return kHeatmapMissingColor;
  const double t = std::clamp(score, 0.0, 1.0);
  return t <= 0.5 ? lerp(kRed, kYellow, t / 0.5) : lerp(kYellow, kGreen, (t - 0.5) / 0.5);
}

std::string format_context_length(std::int64_t tokens) {
  if (tokens >= 1024 && tokens % 1024 == 0) return fmt::format("{}K", tokens / 1024);
  if (tokens >= 1024 && tokens % 512 == 0) return fmt::format("{}.5K", tokens / 1024);
  return fmt::format("{}", tokens);
}

std::vector<std::pair<std::int64_t, double>> HeatmapData::missing() const {
  std::vector<std::pair<std::int64_t, double>> out;
  for (size_t r = 0; r < depths.size(); ++r)
    for (size_t c = 0; c < lengths.size(); ++c)
      if (!present(r, c)) out.emplace_back(lengths[c], depths[r]);
  return out;
}

HeatmapData make_heatmap_data(const std::vector<EvalCell>& cells, const HeatmapGrid& grid) {
  if (cells.empty() && (grid.lengths.empty() || grid.depths.empty())) fail("heatmap: no eval cells to draw");
  HeatmapData data;
  if (!cells.empty()) {
    data.task = cells.front().task;
    data.checkpoint_step = cells.front().checkpoint_step;
  }
  std::map<std::int64_t, size_t> columns;  // length -> column
  std::map<std::int64_t, size_t> rows;     // quantized depth -> row
  for (const std::int64_t length : grid.lengths) columns.emplace(length, 0);
  for (const double depth : grid.depths) {
    if (!(depth >= 0 && depth <= 1)) fail("heatmap: grid depth {} outside [0, 1]", depth);
    rows.emplace(std::llround(depth / kDepthQuantum), 0);
  }
  for (const EvalCell& cell : cells) {
    if (cell.task != data.task || cell.checkpoint_step != data.checkpoint_step)
      fail("heatmap: eval cell {} is task '{}' at step {}, the others '{}' at step {}; draw one at a time", cell.id,
           cell.task, cell.checkpoint_step, data.task, data.checkpoint_step);
    if (!(cell.depth >= 0 && cell.depth <= 1))
      fail("heatmap: eval cell {} has depth {} outside [0, 1]", cell.id, cell.depth);
    if (!std::isfinite(cell.score)) fail("heatmap: eval cell {} has score {}", cell.id, cell.score);
    columns.emplace(cell.length, 0);
    rows.emplace(std::llround(cell.depth / kDepthQuantum), 0);
  }
  for (auto& [length, col] : columns) {
    col = data.lengths.size();
    data.lengths.push_back(length);
  }
  for (auto& [key, row] : rows) {
    row = data.depths.size();
    data.depths.push_back(static_cast<double>(key) * kDepthQuantum);
  }
  const size_t n = data.lengths.size() * data.depths.size();
  std::vector<double> sums(n, 0.0);
  data.counts.assign(n, 0);
  for (const EvalCell& cell : cells) {
    const size_t i = rows.at(std::llround(cell.depth / kDepthQuantum)) * data.lengths.size() + columns.at(cell.length);
    sums[i] += cell.score;
    ++data.counts[i];
  }
  data.means.assign(n, std::numeric_limits<double>::quiet_NaN());
  double total = 0;
  std::int64_t present = 0;
  for (size_t i = 0; i < n; ++i) {
    if (data.counts[i] == 0) continue;
    data.means[i] = sums[i] / static_cast<double>(data.counts[i]);
    total += data.means[i];
    ++present;
  }
  data.average = present > 0 ? total / static_cast<double>(present) : std::numeric_limits<double>::quiet_NaN();
  data.cell_count = static_cast<std::int64_t>(cells.size());
  return data;
}

}  // namespace rw::core

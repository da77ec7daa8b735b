// Heatmap aggregation: eval cells -> a grid of means, rows and columns sorted, missing entries kept as NaN
// so a partial grid (a job still writing cells) draws with its gaps.
#include "rw/core/heatmap/heatmap_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

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

Rgb8 diff_colormap(double change) {
  if (std::isnan(change)) return kHeatmapMissingColor;
  constexpr Rgb8 kUnchanged = rgb_from_hex(0xD9D9D9);
  const double t = std::clamp(change, -1.0, 1.0);
  return t <= 0 ? lerp(kRed, kUnchanged, t + 1.0) : lerp(kUnchanged, kGreen, t);
}

HeatmapScale heatmap_scale(const HeatmapData& data) {
  if (data.baseline.empty()) return {0, 1, {{0, "0.0"}, {0.5, "0.5"}, {1, "1.0"}}, "Score"};
  return {-1, 1, {{-1, "-1.0"}, {0, "0.0"}, {1, "+1.0"}}, "Change"};
}

Rgb8 heatmap_color(const HeatmapData& data, double value) {
  return data.baseline.empty() ? niah_colormap(value) : diff_colormap(value);
}

HeatmapData diff_heatmap(const HeatmapData& after, const HeatmapData& before, const std::string& baseline) {
  if (after.task != before.task)
    fail("heatmap diff: task {} cannot be compared with task {}", after.task, before.task);
  HeatmapData out;
  out.task = after.task;
  out.checkpoint_step = after.checkpoint_step;
  out.model = after.model;
  out.tokenizer = after.tokenizer;
  out.baseline = baseline;
  std::set<std::int64_t> lengths(after.lengths.begin(), after.lengths.end());
  lengths.insert(before.lengths.begin(), before.lengths.end());
  out.lengths.assign(lengths.begin(), lengths.end());
  for (const auto* d : {&after, &before})
    for (double depth : d->depths)
      if (std::none_of(out.depths.begin(), out.depths.end(), [&](double x) { return std::abs(x - depth) <= 1e-6; }))
        out.depths.push_back(depth);
  std::sort(out.depths.begin(), out.depths.end());
  // The entry of `d` at (length, depth), or NaN where it has none.
  const auto value = [](const HeatmapData& d, std::int64_t length, double depth) {
    const auto col = std::find(d.lengths.begin(), d.lengths.end(), length);
    const auto row = std::find_if(d.depths.begin(), d.depths.end(), [&](double x) { return std::abs(x - depth) <= 1e-6; });
    if (col == d.lengths.end() || row == d.depths.end()) return std::numeric_limits<double>::quiet_NaN();
    const auto r = static_cast<size_t>(row - d.depths.begin()), c = static_cast<size_t>(col - d.lengths.begin());
    return d.present(r, c) ? d.mean(r, c) : std::numeric_limits<double>::quiet_NaN();
  };
  double total = 0;
  std::int64_t present = 0;
  for (double depth : out.depths) {
    for (std::int64_t length : out.lengths) {
      const double change = value(after, length, depth) - value(before, length, depth);
      out.means.push_back(change);
      out.counts.push_back(std::isnan(change) ? 0 : 1);
      if (!std::isnan(change)) total += change, ++present;
    }
  }
  out.average = present > 0 ? total / static_cast<double>(present) : std::numeric_limits<double>::quiet_NaN();
  out.cell_count = after.cell_count + before.cell_count;
  return out;
}

HeatmapGrid task_grid(const std::vector<EvalCell>& cells, std::string_view task) {
  std::set<std::int64_t> lengths;
  std::set<double> depths;
  for (const EvalCell& c : cells) {
    if (c.task != task) continue;
    lengths.insert(c.length);
    depths.insert(c.depth);
  }
  return {.lengths = {lengths.begin(), lengths.end()}, .depths = {depths.begin(), depths.end()}};
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

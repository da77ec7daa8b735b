// Heatmap aggregation (cells -> grid of means) and drawing (grid, ticks, labels, colour bar, title) into
// an RgbImage. Sizes are in pixels of a 1600x820 picture and scale with the style's size, so a smaller
// export keeps the same proportions. All positions are computed from text measurements, so labels of any
// length get room instead of overlapping.
#include "rw/core/heatmap/heatmap_image.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "rw/core/util/error.h"
#include "rw/core/util/png_writer.h"
#include "rw/core/util/text_renderer.h"

namespace rw::core {
namespace {

constexpr Rgb8 kRed = rgb_from_hex(0xF0496E);
constexpr Rgb8 kYellow = rgb_from_hex(0xEBB839);
constexpr Rgb8 kGreen = rgb_from_hex(0x0CD79F);
constexpr Rgb8 kBackground = rgb_from_hex(0xFFFFFF);
constexpr Rgb8 kInk = rgb_from_hex(0x222222);
constexpr Rgb8 kSubtleInk = rgb_from_hex(0x555555);
constexpr Rgb8 kGrid = rgb_from_hex(0x808080);  // matplotlib's "0.5" grey, as in the reference plots
constexpr Rgb8 kHatch = rgb_from_hex(0xC4C4C4);
constexpr double kDepthQuantum = 1e-6;  // depths closer than this are one row
constexpr double kSin45 = 0.70710678118654752;

std::uint8_t lerp_channel(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * t));
}

Rgb8 lerp(Rgb8 a, Rgb8 b, double t) {
  return Rgb8{lerp_channel(a.r, b.r, t), lerp_channel(a.g, b.g, t), lerp_channel(a.b, b.b, t)};
}

std::string depth_label(double depth) {
  const double percent = depth * 100.0;
  if (std::abs(percent - std::round(percent)) < 1e-6) return fmt::format("{}", std::lround(percent));
  return fmt::format("{:.1f}", percent);
}

std::string task_title(const std::string& task) {
  if (task == "niah") return "Fact Retrieval Across Context Lengths (\"Needle In A HayStack\")";
  if (task == "passkey") return "Passkey Retrieval Across Context Lengths";
  return fmt::format("Task \"{}\" Across Context Lengths", task);
}

// Text placement helpers over two faces; sizes are pixels per em.
class Painter {
 public:
  Painter(RgbImage& image, const TextRenderer& regular, const TextRenderer& bold)
      : image_(image), regular_(regular), bold_(bold) {}

  const TextRenderer& face(bool bold) const { return bold ? bold_ : regular_; }
  TextExtent measure(const std::string& text, double size, bool bold = false) const {
    return face(bold).measure(text, size);
  }
  // Horizontal text; `align` 0 = left edge at x, 0.5 = centred, 1 = right edge at x.
  void text(const std::string& text, double x, double baseline, double size, Rgb8 color, double align = 0,
            bool bold = false) {
    const double w = face(bold).measure(text, size).width;
    face(bold).draw(image_, text, x - align * w, baseline, size, color);
  }
  // Reads bottom to top, centred on cy, ink starting right of `left`.
  void vertical_text(const std::string& text, double left, double cy, double size, Rgb8 color) {
    const TextExtent e = regular_.measure(text, size);
    regular_.draw(image_, text, left + e.ascender, cy + e.width / 2, size, color, 90);
  }
  // 45° label whose right end, at mid-height of its digits, sits at (x, y).
  void diagonal_label(const std::string& text, double x, double y, double size, Rgb8 color) {
    const TextExtent e = regular_.measure(text, size);
    const double end_x = x + e.ink_top / 2 * kSin45, end_y = y + e.ink_top / 2 * kSin45;
    regular_.draw(image_, text, end_x - e.width * kSin45, end_y + e.width * kSin45, size, color, 45);
  }

 private:
  RgbImage& image_;
  const TextRenderer& regular_;
  const TextRenderer& bold_;
};

// Dashes of 4 on, 3 off, phased from the line's start so the picture does not depend on anything else.
void dashed_vline(RgbImage& image, int x, int y0, int y1, Rgb8 color) {
  for (int y = y0; y < y1; ++y)
    if ((y - y0) % 7 < 4) image.set(x, y, color);
}
void dashed_hline(RgbImage& image, int y, int x0, int x1, Rgb8 color) {
  for (int x = x0; x < x1; ++x)
    if ((x - x0) % 7 < 4) image.set(x, y, color);
}

void frame(RgbImage& image, int x0, int y0, int x1, int y1, Rgb8 color) {  // 1 px outside [x0,x1) x [y0,y1)
  image.fill_rect(x0 - 1, y0 - 1, x1 - x0 + 2, 1, color);
  image.fill_rect(x0 - 1, y1, x1 - x0 + 2, 1, color);
  image.fill_rect(x0 - 1, y0, 1, y1 - y0, color);
  image.fill_rect(x1, y0, 1, y1 - y0, color);
}

TextRenderer open_bold(const HeatmapStyle& style, const std::filesystem::path& regular) {
  if (!style.bold_font_file.empty()) return TextRenderer(style.bold_font_file);
  try {
    return TextRenderer(find_default_font(/*bold=*/true));
  } catch (const Error&) {  // no bold face installed: the title is drawn in the regular one
    return TextRenderer(regular);
  }
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

HeatmapData make_heatmap_data(const std::vector<EvalCell>& cells) {
  if (cells.empty()) fail("heatmap: no eval cells to draw");
  HeatmapData data;
  data.task = cells.front().task;
  data.checkpoint_step = cells.front().checkpoint_step;
  std::map<std::int64_t, size_t> columns;  // length -> column
  std::map<std::int64_t, size_t> rows;     // quantized depth -> row
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

RenderedHeatmap render_heatmap(const HeatmapData& data, const HeatmapStyle& style) {
  const size_t ncols = data.lengths.size(), nrows = data.depths.size();
  if (ncols == 0 || nrows == 0 || data.means.size() != ncols * nrows || data.counts.size() != ncols * nrows)
    fail("heatmap: the data has no grid ({} lengths x {} depths, {} means)", ncols, nrows, data.means.size());
  const std::filesystem::path regular_file = style.font_file.empty() ? find_default_font() : style.font_file;
  const TextRenderer regular(regular_file);
  const TextRenderer bold = open_bold(style, regular_file);

  RenderedHeatmap out{RgbImage(style.width, style.height, kBackground), {}};
  RgbImage& image = out.image;
  Painter paint(image, regular, bold);
  const double s = std::min(style.width / 1600.0, style.height / 820.0);
  const double margin = 26 * s, tick_len = 6 * s;
  // Text keeps a readable floor in small pictures; the margins below follow the measured text anyway.
  const double title_size = std::max(14.0, 24 * s), subtitle_size = std::max(12.0, 19 * s);
  const double info_size = std::max(11.0, 16 * s), axis_size = std::max(12.0, 17 * s);
  const double tick_size = std::max(10.5, 14.5 * s);

  // ---- labels first: their sizes decide the margins ----
  std::vector<std::string> x_labels, y_labels;
  for (auto length : data.lengths) x_labels.push_back(format_context_length(length));
  for (double depth : data.depths) y_labels.push_back(depth_label(depth));
  double x_label_w = 0, y_label_w = 0;
  for (const auto& l : x_labels) x_label_w = std::max(x_label_w, paint.measure(l, tick_size).width);
  for (const auto& l : y_labels) y_label_w = std::max(y_label_w, paint.measure(l, tick_size).width);
  const TextExtent digits = paint.measure("0123456789", tick_size);
  const TextExtent axis_font = paint.measure("Ag", axis_size);
  const double axis_line = axis_font.ascender + axis_font.descender;
  const std::vector<std::string> bar_labels = {"0.0", "0.5", "1.0"};
  double bar_label_w = 0;
  for (const auto& l : bar_labels) bar_label_w = std::max(bar_label_w, paint.measure(l, tick_size).width);

  const std::string missing_note = data.missing().empty() ? ""
                                                          : fmt::format(" · {} of {} cells not scored (hatched)",
                                                                        data.missing().size(), nrows * ncols);
  const std::vector<std::pair<std::string, double>> title_lines = {
      {fmt::format("Pressure Testing {} Context", data.model.empty() ? "the model" : data.model), title_size},
      {task_title(data.task), subtitle_size},
      {fmt::format("task {} · checkpoint step {} · Average score: {:.2f}{}", data.task, data.checkpoint_step,
                   data.average, missing_note),
       info_size}};
  double top = margin;
  for (const auto& [text, size] : title_lines) top += size * 1.45;
  top += 14 * s;

  const double bar_gap = 30 * s, bar_w = 22 * s;
  const double left = margin + axis_line + 12 * s + y_label_w + 8 * s + tick_len;
  const double right = bar_gap + bar_w + tick_len + 6 * s + bar_label_w + 14 * s + axis_line + margin;
  const double x_label_drop = x_label_w * kSin45 + digits.ink_top;  // depth of the 45° labels below their anchor
  const double bottom = tick_len + 5 * s + x_label_drop + 16 * s + axis_line + margin;
  const int px0 = static_cast<int>(std::lround(left)), py0 = static_cast<int>(std::lround(top));
  const int px1 = style.width - static_cast<int>(std::lround(right));
  const int py1 = style.height - static_cast<int>(std::lround(bottom));
  if (px1 - px0 < 3 * static_cast<int>(ncols) || py1 - py0 < 3 * static_cast<int>(nrows))
    fail("heatmap: a {}x{} picture has no room for {} lengths x {} depths; make it larger", style.width, style.height,
         ncols, nrows);

  // ---- cells (row 0 = smallest depth at the top), then the dashed grid over their borders ----
  auto& geometry = out.geometry;
  for (size_t c = 0; c <= ncols; ++c)
    geometry.x_edges.push_back(px0 + static_cast<int>(std::lround(static_cast<double>(c) * (px1 - px0) / ncols)));
  for (size_t r = 0; r <= nrows; ++r)
    geometry.y_edges.push_back(py0 + static_cast<int>(std::lround(static_cast<double>(r) * (py1 - py0) / nrows)));
  for (size_t r = 0; r < nrows; ++r) {
    for (size_t c = 0; c < ncols; ++c) {
      const int x0 = geometry.x_edges[c], x1 = geometry.x_edges[c + 1];
      const int y0 = geometry.y_edges[r], y1 = geometry.y_edges[r + 1];
      if (data.present(r, c)) {
        image.fill_rect(x0, y0, x1 - x0, y1 - y0, niah_colormap(data.mean(r, c)));
        continue;
      }
      image.fill_rect(x0, y0, x1 - x0, y1 - y0, kHeatmapMissingColor);
      const int pitch = std::max(4, static_cast<int>(std::lround(9 * s)));
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
          if ((x + y) % pitch == 0) image.set(x, y, kHatch);
    }
  }
  for (int x : geometry.x_edges) dashed_vline(image, std::min(x, px1 - 1), py0, py1, kGrid);
  for (int y : geometry.y_edges) dashed_hline(image, std::min(y, py1 - 1), px0, px1, kGrid);

  // ---- ticks and tick labels ----
  const int tick = std::max(1, static_cast<int>(std::lround(tick_len)));
  const int line = std::max(1, static_cast<int>(std::lround(s)));
  for (size_t c = 0; c < ncols; ++c) {
    const int cx = (geometry.x_edges[c] + geometry.x_edges[c + 1]) / 2;
    image.fill_rect(cx, py1, line, tick, kInk);
    paint.diagonal_label(x_labels[c], cx + 0.5 * line, py1 + tick + 5 * s, tick_size, kInk);
  }
  for (size_t r = 0; r < nrows; ++r) {
    const int cy = (geometry.y_edges[r] + geometry.y_edges[r + 1]) / 2;
    image.fill_rect(px0 - tick, cy, tick, line, kInk);
    paint.text(y_labels[r], px0 - tick - 8 * s, cy + 0.5 * line + digits.ink_top / 2, tick_size, kInk, 1.0);
  }

  // ---- axis titles ----
  const std::string x_title =
      data.tokenizer.empty() ? "Context length (tokens)" : fmt::format("Context length (tokens, {})", data.tokenizer);
  const double x_title_baseline = py1 + tick + 5 * s + x_label_drop + 16 * s + axis_font.ascender;
  paint.text(x_title, (px0 + px1) / 2.0, x_title_baseline, axis_size, kInk, 0.5);
  paint.vertical_text("Depth (%)", margin, (py0 + py1) / 2.0, axis_size, kInk);

  // ---- colour bar: 1 at the top, like the rows' best case ----
  const int bx0 = px1 + static_cast<int>(std::lround(bar_gap));
  const int bx1 = bx0 + static_cast<int>(std::lround(bar_w));
  for (int y = py0; y < py1; ++y) {
    const double value = 1.0 - (y - py0 + 0.5) / (py1 - py0);
    image.fill_rect(bx0, y, bx1 - bx0, 1, niah_colormap(value));
  }
  frame(image, bx0, py0, bx1, py1, kGrid);
  for (size_t i = 0; i < bar_labels.size(); ++i) {
    const double value = 0.5 * static_cast<double>(i);
    const int y = std::min(py1 - line, static_cast<int>(std::lround(py1 - value * (py1 - py0))));
    image.fill_rect(bx1 + 1, y, tick, line, kInk);
    paint.text(bar_labels[i], bx1 + 1 + tick + 6 * s, y + 0.5 * line + digits.ink_top / 2, tick_size, kInk);
  }
  paint.vertical_text("Score", bx1 + 1 + tick + 6 * s + bar_label_w + 14 * s, (py0 + py1) / 2.0, axis_size, kInk);

  // ---- title block, centred over the grid; shrunk to fit when a model name is long ----
  double baseline = margin;
  for (size_t i = 0; i < title_lines.size(); ++i) {
    const auto& [text, wanted] = title_lines[i];
    const bool is_title = i == 0;
    const double width = paint.measure(text, wanted, is_title).width;
    const double room = style.width - 2 * margin;
    const double size = width > room ? wanted * room / width : wanted;
    baseline += wanted * 1.45;  // line pitch from the wanted size, so a shrunk line keeps its place
    const double centre = std::clamp((px0 + px1) / 2.0, margin + std::min(width, room) / 2,
                                     style.width - margin - std::min(width, room) / 2);
    paint.text(text, centre, baseline - wanted * 0.35, size, i == 2 ? kSubtleInk : kInk, 0.5, is_title);
  }
  return out;
}

std::vector<std::uint8_t> render_heatmap_png(const HeatmapData& data, const HeatmapStyle& style) {
  return encode_png(render_heatmap(data, style).image);
}

}  // namespace rw::core

// NIAH heatmap pictures drawn with Cairo, one drawing for three file formats: PNG (a raster), SVG and PDF
// (vector, text kept as glyph outlines or an embedded font subset). Conventions of the field
// (docs/heatmaps.md): context length on x ascending, depth % on y with 0 at the top, a fixed 0..1
// red -> yellow -> green scale, dashed grey cell borders, hatched missing cells, x labels at 45°, the
// "Pressure Testing ..." title with the average score, a colour bar. No display, no Qt, no LibTorch; the
// same data gives the same bytes in every format. Not the live GUI heatmap (ui/).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/heatmap/heatmap_data.h"

namespace rw::core {

enum class HeatmapFormat { Png, Svg, Pdf };

/// "png", "svg" or "pdf" (any case). Error naming the word and the formats there are.
HeatmapFormat heatmap_format_from_name(std::string_view name);
/// The format to write `file` in: `named` (a --format option) when given, else the one the file's extension
/// names (.png, .svg, .pdf, any case). Error naming the file when there is neither, or when `named`
/// contradicts the extension.
HeatmapFormat heatmap_format_for(const std::filesystem::path& file, std::optional<HeatmapFormat> named = {});
/// "png", "svg" or "pdf": the name and the usual extension without its dot.
std::string_view heatmap_format_name(HeatmapFormat format);

struct HeatmapStyle {
  int width = 1600;  // pixels (PNG, SVG) or points (PDF)
  int height = 820;
  std::filesystem::path font_file;       // empty: find_default_font()
  std::filesystem::path bold_font_file;  // empty: find_default_font(true), else the regular face
};

/// Where the grid landed in the picture, in pixels from the top left: column c spans
/// [x_edges[c], x_edges[c+1]), row r spans [y_edges[r], y_edges[r+1]) (tests probe cell centres with it).
struct HeatmapGeometry {
  std::vector<int> x_edges;
  std::vector<int> y_edges;
};

struct RenderedHeatmap {
  std::string bytes;  // the whole file
  HeatmapGeometry geometry;
};

/// Draws the heatmap into a file's bytes. Error when a font cannot be loaded (naming it), the picture is
/// too small for the grid and its labels, or Cairo reports a failure.
RenderedHeatmap render_heatmap(const HeatmapData& data, HeatmapFormat format, const HeatmapStyle& style = {});

/// Renders and writes `path` atomically (temp file + rename: a viewer never sees half a picture).
/// Returns what was written. Errors as render_heatmap, or naming the file when it cannot be written.
RenderedHeatmap write_heatmap_file(const std::filesystem::path& path, const HeatmapData& data, HeatmapFormat format,
                                   const HeatmapStyle& style = {});

/// DejaVu Sans (or DejaVu Sans Bold) from the usual font folders; $ROPEWALK_FONT (regular) or
/// $ROPEWALK_BOLD_FONT override. Error naming every path tried and the package (fonts-dejavu-core).
std::filesystem::path find_default_font(bool bold = false);

}  // namespace rw::core

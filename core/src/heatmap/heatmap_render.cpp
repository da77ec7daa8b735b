// Heatmap drawing with Cairo: one drawing routine, three surfaces (image -> PNG, SVG, PDF). Sizes are in
// pixels of a 1600x820 picture and scale with the style's size, so a smaller export keeps the same
// proportions; every position follows from text measurements, so labels of any length get room instead of
// overlapping. Font metrics are unhinted on every surface, so the raster and the vector files share one
// layout, and cell edges sit on whole pixels, so cell colours in the PNG are exact.
#include "rw/core/heatmap/heatmap_render.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numbers>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/utf8.h"

namespace rw::core {
namespace fs = std::filesystem;
namespace {

constexpr Rgb8 kBackground = rgb_from_hex(0xFFFFFF);
constexpr Rgb8 kInk = rgb_from_hex(0x222222);
constexpr Rgb8 kSubtleInk = rgb_from_hex(0x555555);
constexpr Rgb8 kGrid = rgb_from_hex(0x808080);  // matplotlib's "0.5" grey, as in the reference plots
constexpr Rgb8 kHatch = rgb_from_hex(0xC4C4C4);
constexpr double kSin45 = 0.70710678118654752;

template <typename T, void (*Destroy)(T*)>
struct CairoFree {
  void operator()(T* p) const { Destroy(p); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoFree<cairo_surface_t, cairo_surface_destroy>>;
using ContextPtr = std::unique_ptr<cairo_t, CairoFree<cairo_t, cairo_destroy>>;
using FacePtr = std::unique_ptr<cairo_font_face_t, CairoFree<cairo_font_face_t, cairo_font_face_destroy>>;
using PatternPtr = std::unique_ptr<cairo_pattern_t, CairoFree<cairo_pattern_t, cairo_pattern_destroy>>;
using OptionsPtr = std::unique_ptr<cairo_font_options_t, CairoFree<cairo_font_options_t, cairo_font_options_destroy>>;

// Cairo's stream callback: appends to the std::string in `closure`. No exception may cross Cairo's C frames.
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    return CAIRO_STATUS_NO_MEMORY;
  }
}

void set_source(cairo_t* cr, Rgb8 c) { cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0); }

void check(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS) fail("heatmap: Cairo failed to {}: {}", what, cairo_status_to_string(status));
}

// Cairo refuses ill-formed UTF-8 for the whole drawing; a model name with a stray byte gets U+FFFD instead.
std::string valid_utf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const long n = utf8_sequence_length(s, i);
    if (n < 0)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(i, static_cast<size_t>(n)));
    i += static_cast<size_t>(std::abs(n));
  }
  return out;
}

// One font file as a Cairo face, through a fontconfig pattern naming the file (no font matching, so the
// picture never silently uses a substitute). A file that is not a font only shows once a size is made.
FacePtr open_face(const fs::path& file, const cairo_font_options_t* options) {
  if (!fs::is_regular_file(file)) fail("font {} does not exist", file.string());
  FcPattern* pattern = FcPatternCreate();
  if (pattern == nullptr) fail("font {}: out of memory", file.string());
  FcPatternAddString(pattern, FC_FILE, reinterpret_cast<const FcChar8*>(file.c_str()));
  FcPatternAddInteger(pattern, FC_INDEX, 0);
  FacePtr face(cairo_ft_font_face_create_for_pattern(pattern));
  FcPatternDestroy(pattern);
  cairo_matrix_t size, identity;
  cairo_matrix_init_scale(&size, 12, 12);
  cairo_matrix_init_identity(&identity);
  cairo_scaled_font_t* probe = cairo_scaled_font_create(face.get(), &size, &identity, options);
  const cairo_status_t status = cairo_scaled_font_status(probe);
  cairo_scaled_font_destroy(probe);
  // Cairo reports a file FreeType cannot open as "out of memory", which would mislead, so the status is not shown.
  if (status != CAIRO_STATUS_SUCCESS) fail("font {}: not a font Cairo can read", file.string());
  return face;
}

OptionsPtr font_options() {
  OptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_SLIGHT);   // crisp small labels in the PNG
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);  // same widths in every format
  return options;
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

std::string main_title(const HeatmapData& data) {
  return valid_utf8(fmt::format("Pressure Testing {} Context", data.model.empty() ? "the model" : data.model));
}

struct TextExtent {
  double width = 0;      // pen advance of the whole string
  double ink_top = 0;    // highest ink above the baseline
  double ascender = 0;   // the font's line metrics at this size
  double descender = 0;  // positive downwards
};

// Rectangles and text placement over two faces; sizes are pixels per em, y grows downwards.
class Painter {
 public:
  Painter(cairo_t* cr, cairo_font_face_t* regular, cairo_font_face_t* bold) : cr_(cr), regular_(regular), bold_(bold) {}

  TextExtent measure(const std::string& text, double size, bool bold = false) const {
    use_font(size, bold);
    cairo_text_extents_t t;
    cairo_font_extents_t f;
    cairo_text_extents(cr_, text.c_str(), &t);
    cairo_font_extents(cr_, &f);
    return TextExtent{t.x_advance, t.width > 0 ? -t.y_bearing : 0, f.ascent, f.descent};
  }
  // Horizontal text; `align` 0 = left edge at x, 0.5 = centred, 1 = right edge at x.
  void text(const std::string& text, double x, double baseline, double size, Rgb8 color, double align = 0,
            bool bold = false) {
    const double w = measure(text, size, bold).width;
    show(text, x - align * w, baseline, 0, color);
  }
  // Reads bottom to top, centred on cy, ink starting right of `left`.
  void vertical_text(const std::string& text, double left, double cy, double size, Rgb8 color) {
    const TextExtent e = measure(text, size);
    show(text, left + e.ascender, cy + e.width / 2, std::numbers::pi / 2, color);
  }
  // 45° label whose right end, at mid-height of its digits, sits at (x, y).
  void diagonal_label(const std::string& text, double x, double y, double size, Rgb8 color) {
    const TextExtent e = measure(text, size);
    const double end_x = x + e.ink_top / 2 * kSin45, end_y = y + e.ink_top / 2 * kSin45;
    show(text, end_x - e.width * kSin45, end_y + e.width * kSin45, std::numbers::pi / 4, color);
  }
  void fill_rect(double x, double y, double w, double h, Rgb8 color) {
    set_color(color);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
  }
  void set_color(Rgb8 c) { set_source(cr_, c); }

 private:
  void use_font(double size, bool bold) const {
    cairo_set_font_face(cr_, bold ? bold_ : regular_);
    cairo_set_font_size(cr_, size);
  }
  // The baseline starts at (x, y), turned `angle` radians counter-clockwise on screen.
  void show(const std::string& text, double x, double y, double angle, Rgb8 color) {
    cairo_save(cr_);
    set_color(color);
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, -angle);
    cairo_move_to(cr_, 0, 0);
    cairo_show_text(cr_, text.c_str());
    cairo_restore(cr_);
  }

  cairo_t* cr_;
  cairo_font_face_t* regular_;
  cairo_font_face_t* bold_;
};

// Light grey with thin lines rising to the right, anchored to the picture so neighbouring cells line up.
void hatch_cell(cairo_t* cr, int x0, int y0, int x1, int y1, int pitch, double line) {
  cairo_save(cr);
  cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
  cairo_clip(cr);
  for (int k = (x0 + y0) / pitch; k * pitch <= x1 + y1; ++k) {
    const double c = k * pitch + 0.5;  // the line x + y = c
    cairo_move_to(cr, c - y1, y1);
    cairo_line_to(cr, c - y0, y0);
  }
  set_source(cr, kHatch);
  cairo_set_line_width(cr, line);
  cairo_stroke(cr);
  cairo_restore(cr);
}

struct Faces {
  FacePtr regular;
  FacePtr bold;
};

Faces open_faces(const HeatmapStyle& style, const cairo_font_options_t* options) {
  Faces faces;
  faces.regular = open_face(style.font_file.empty() ? find_default_font() : style.font_file, options);
  if (!style.bold_font_file.empty()) {
    faces.bold = open_face(style.bold_font_file, options);
    return faces;
  }
  try {
    faces.bold = open_face(find_default_font(/*bold=*/true), options);
  } catch (const Error&) {  // no bold face installed: the title is drawn in the regular one
    faces.bold.reset(cairo_font_face_reference(faces.regular.get()));
  }
  return faces;
}

// The whole picture; returns where the grid went. Error when the picture has no room for it.
HeatmapGeometry draw(cairo_t* cr, const HeatmapData& data, const HeatmapStyle& style, const Faces& faces) {
  const size_t ncols = data.lengths.size(), nrows = data.depths.size();
  Painter paint(cr, faces.regular.get(), faces.bold.get());
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
  const HeatmapScale scale_def = heatmap_scale(data);
  double bar_label_w = 0;
  for (const auto& [value, label] : scale_def.ticks)
    bar_label_w = std::max(bar_label_w, paint.measure(label, tick_size).width);

  const size_t missing = data.missing().size();
  const std::string missing_note =
      missing == 0 ? "" : fmt::format(" · {} of {} cells not scored (hatched)", missing, nrows * ncols);
  const std::vector<std::pair<std::string, double>> title_lines = {
      {main_title(data), title_size},
      {valid_utf8(task_title(data.task)), subtitle_size},
      {valid_utf8(data.baseline.empty()
                      ? fmt::format("task {} · checkpoint step {} · Average score: {:.2f}{}", data.task,
                                    data.checkpoint_step, data.average, missing_note)
                      : fmt::format("task {} · step {} against {} · Average change: {:+.2f}{}", data.task,
                                    data.checkpoint_step, data.baseline, data.average, missing_note)),
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

  paint.fill_rect(0, 0, style.width, style.height, kBackground);

  // ---- cells (row 0 = smallest depth at the top), then the dashed grid over their borders ----
  HeatmapGeometry geometry;
  for (size_t c = 0; c <= ncols; ++c)
    geometry.x_edges.push_back(px0 + static_cast<int>(std::lround(static_cast<double>(c) * (px1 - px0) / ncols)));
  for (size_t r = 0; r <= nrows; ++r)
    geometry.y_edges.push_back(py0 + static_cast<int>(std::lround(static_cast<double>(r) * (py1 - py0) / nrows)));
  const int pitch = std::max(4, static_cast<int>(std::lround(9 * s)));
  const double line = std::max(1.0, std::round(s));
  for (size_t r = 0; r < nrows; ++r) {
    for (size_t c = 0; c < ncols; ++c) {
      const int x0 = geometry.x_edges[c], x1 = geometry.x_edges[c + 1];
      const int y0 = geometry.y_edges[r], y1 = geometry.y_edges[r + 1];
      paint.fill_rect(x0, y0, x1 - x0, y1 - y0,
                      data.present(r, c) ? heatmap_color(data, data.mean(r, c)) : kHeatmapMissingColor);
      if (!data.present(r, c)) hatch_cell(cr, x0, y0, x1, y1, pitch, line);
    }
  }
  // Dashes of 4 on, 3 off along 1-pixel lines centred on pixel columns/rows (each line starts a new dash).
  const std::array<double, 2> dash = {4, 3};
  cairo_save(cr);
  cairo_set_dash(cr, dash.data(), static_cast<int>(dash.size()), 0);
  cairo_set_line_width(cr, 1);
  for (int x : geometry.x_edges) {
    cairo_move_to(cr, std::min(x, px1 - 1) + 0.5, py0);
    cairo_line_to(cr, std::min(x, px1 - 1) + 0.5, py1);
  }
  for (int y : geometry.y_edges) {
    cairo_move_to(cr, px0, std::min(y, py1 - 1) + 0.5);
    cairo_line_to(cr, px1, std::min(y, py1 - 1) + 0.5);
  }
  paint.set_color(kGrid);
  cairo_stroke(cr);
  cairo_restore(cr);

  // ---- ticks and tick labels ----
  const double tick = std::max(1.0, std::round(tick_len));
  for (size_t c = 0; c < ncols; ++c) {
    const int cx = (geometry.x_edges[c] + geometry.x_edges[c + 1]) / 2;
    paint.fill_rect(cx, py1, line, tick, kInk);
    paint.diagonal_label(x_labels[c], cx + 0.5 * line, py1 + tick + 5 * s, tick_size, kInk);
  }
  for (size_t r = 0; r < nrows; ++r) {
    const int cy = (geometry.y_edges[r] + geometry.y_edges[r + 1]) / 2;
    paint.fill_rect(px0 - tick, cy, tick, line, kInk);
    paint.text(y_labels[r], px0 - tick - 8 * s, cy + 0.5 * line + digits.ink_top / 2, tick_size, kInk, 1.0);
  }

  // ---- axis titles ----
  const std::string x_title = valid_utf8(
      data.tokenizer.empty() ? "Context length (tokens)" : fmt::format("Context length (tokens, {})", data.tokenizer));
  const double x_title_baseline = py1 + tick + 5 * s + x_label_drop + 16 * s + axis_font.ascender;
  paint.text(x_title, (px0 + px1) / 2.0, x_title_baseline, axis_size, kInk, 0.5);
  paint.vertical_text("Depth (%)", margin, (py0 + py1) / 2.0, axis_size, kInk);

  // ---- colour bar: 1 at the top, like the rows' best case; the same three stops as the cells ----
  const int bx0 = px1 + static_cast<int>(std::lround(bar_gap));
  const int bx1 = bx0 + static_cast<int>(std::lround(bar_w));
  PatternPtr scale(cairo_pattern_create_linear(0, py1, 0, py0));
  const auto bar_position = [&](double value) { return (value - scale_def.low) / (scale_def.high - scale_def.low); };
  for (const auto& [value, label] : scale_def.ticks) {
    const Rgb8 c = heatmap_color(data, value);  // cairo_pattern_add_color_stop_rgb has no Rgb8 form
    cairo_pattern_add_color_stop_rgb(scale.get(), bar_position(value), c.r / 255.0, c.g / 255.0, c.b / 255.0);
  }
  cairo_set_source(cr, scale.get());
  cairo_rectangle(cr, bx0, py0, bx1 - bx0, py1 - py0);
  cairo_fill(cr);
  cairo_rectangle(cr, bx0 - 0.5, py0 - 0.5, bx1 - bx0 + 1, py1 - py0 + 1);  // 1-pixel frame just outside
  paint.set_color(kGrid);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (const auto& [value, label] : scale_def.ticks) {
    const double y = std::min(py1 - line, std::round(py1 - bar_position(value) * (py1 - py0)));
    paint.fill_rect(bx1 + 1, y, tick, line, kInk);
    paint.text(label, bx1 + 1 + tick + 6 * s, y + 0.5 * line + digits.ink_top / 2, tick_size, kInk);
  }
  paint.vertical_text(scale_def.title, bx1 + 1 + tick + 6 * s + bar_label_w + 14 * s, (py0 + py1) / 2.0, axis_size, kInk);

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
  return geometry;
}

SurfacePtr open_surface(HeatmapFormat format, const HeatmapData& data, const HeatmapStyle& style, std::string& out) {
  SurfacePtr surface;
  switch (format) {
    case HeatmapFormat::Png:
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, style.width, style.height));
      break;
    case HeatmapFormat::Svg:
      surface.reset(cairo_svg_surface_create_for_stream(append_bytes, &out, style.width, style.height));
      cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);  // 1600 px wide, not 1600 pt
      break;
    case HeatmapFormat::Pdf:
      surface.reset(cairo_pdf_surface_create_for_stream(append_bytes, &out, style.width, style.height));
      // Cairo stamps the current time as CreationDate unless told otherwise, and 1.16 writes a date it is
      // given without PDF's "D:" prefix; an empty date leaves the entry out, so the same cells give the same
      // bytes.
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, main_title(data).c_str());
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Ropewalk");
      break;
  }
  check(cairo_surface_status(surface.get()), "create the drawing surface");
  return surface;
}

// Cairo names the SVG's top group after a process-wide surface counter ("surface17"); a fixed name keeps
// the bytes independent of what the process drew before.
void rename_svg_surface(std::string& svg) {
  const std::string marker = "<g id=\"surface";
  const size_t at = svg.find(marker);
  if (at == std::string::npos) return;
  size_t end = at + marker.size();
  while (end < svg.size() && std::isdigit(static_cast<unsigned char>(svg[end])) != 0) ++end;
  const std::string id = svg.substr(at + 7, end - at - 7);  // surfaceN
  const std::string fixed = "heatmap";
  for (size_t i = svg.find(id); i != std::string::npos; i = svg.find(id, i)) {
    const size_t after = i + id.size();
    if (after < svg.size() && std::isdigit(static_cast<unsigned char>(svg[after])) != 0) {
      i = after;  // surfaceN0..: another surface
      continue;
    }
    svg.replace(i, id.size(), fixed);
    i += fixed.size();
  }
}

std::optional<HeatmapFormat> format_named(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (HeatmapFormat format : {HeatmapFormat::Png, HeatmapFormat::Svg, HeatmapFormat::Pdf})
    if (lower == heatmap_format_name(format)) return format;
  return std::nullopt;
}

}  // namespace

HeatmapFormat heatmap_format_from_name(std::string_view name) {
  if (const auto format = format_named(name)) return *format;
  fail("unknown heatmap format '{}': use png, svg or pdf", name);
}

HeatmapFormat heatmap_format_for(const fs::path& file, std::optional<HeatmapFormat> named) {
  const std::string extension = file.extension().string();  // ".png", or empty
  const auto by_extension = format_named(std::string_view(extension).substr(extension.empty() ? 0 : 1));
  if (named && by_extension && *named != *by_extension)
    fail("the heatmap format asked for ({}) contradicts the output file {}; drop one of them",
         heatmap_format_name(*named), file.string());
  if (named) return *named;  // also for an extension that names no format (heatmap.image)
  if (by_extension) return *by_extension;
  fail("cannot tell the heatmap format of {}: name it .png, .svg or .pdf, or pass --format png|svg|pdf", file.string());
}

std::string_view heatmap_format_name(HeatmapFormat format) {
  switch (format) {
    case HeatmapFormat::Png:
      return "png";
    case HeatmapFormat::Svg:
      return "svg";
    case HeatmapFormat::Pdf:
      return "pdf";
  }
  return "png";
}

fs::path find_default_font(bool bold) {
  const char* env_name = bold ? "ROPEWALK_BOLD_FONT" : "ROPEWALK_FONT";
  if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') {
    if (!fs::is_regular_file(env)) fail("font {} (from ${}) does not exist", env, env_name);
    return env;
  }
  const std::string file = bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf";
  // Debian/Ubuntu first (fonts-dejavu-core), then the folders other distributions use.
  const std::array<const char*, 5> dirs = {"/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF",
                                           "/usr/share/fonts/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
                                           "/usr/local/share/fonts"};
  std::string tried;
  for (const char* dir : dirs) {
    const fs::path candidate = fs::path(dir) / file;
    if (fs::is_regular_file(candidate)) return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  fail("font {} not found (tried {}); install fonts-dejavu-core or set ${} to a .ttf file", file, tried, env_name);
}

RenderedHeatmap render_heatmap(const HeatmapData& data, HeatmapFormat format, const HeatmapStyle& style) {
  const size_t ncols = data.lengths.size(), nrows = data.depths.size();
  if (ncols == 0 || nrows == 0 || data.means.size() != ncols * nrows || data.counts.size() != ncols * nrows)
    fail("heatmap: the data has no grid ({} lengths x {} depths, {} means)", ncols, nrows, data.means.size());
  if (style.width < 1 || style.height < 1)
    fail("heatmap: picture size {}x{} is not positive", style.width, style.height);
  const OptionsPtr options = font_options();
  const Faces faces = open_faces(style, options.get());

  RenderedHeatmap out;
  SurfacePtr surface = open_surface(format, data, style, out.bytes);
  {
    ContextPtr cr(cairo_create(surface.get()));
    cairo_set_font_options(cr.get(), options.get());
    out.geometry = draw(cr.get(), data, style, faces);
    check(cairo_status(cr.get()), "draw the heatmap");
  }
  if (format == HeatmapFormat::Png) {
    cairo_surface_flush(surface.get());
    check(cairo_surface_write_to_png_stream(surface.get(), append_bytes, &out.bytes), "encode the PNG");
  } else {
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), "write the vector file");
    if (format == HeatmapFormat::Svg) rename_svg_surface(out.bytes);
  }
  return out;
}

RenderedHeatmap write_heatmap_file(const fs::path& path, const HeatmapData& data, HeatmapFormat format,
                                   const HeatmapStyle& style) {
  RenderedHeatmap rendered = render_heatmap(data, format, style);
  write_file_atomic(path, rendered.bytes);
  return rendered;
}

}  // namespace rw::core

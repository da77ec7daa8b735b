// TextRenderer: anti-aliased text into an RgbImage with FreeType, at any size and angle, without a display
// or Qt (the headless ropewalk-cli renders heatmap PNGs with it). One font file per renderer; no shaping
// beyond kerning, no line breaking, no fallback fonts (glyphs the font lacks draw as its .notdef box).
// Built without FreeType, constructing one throws an Error that says what to install.
#pragma once
#include <filesystem>
#include <memory>
#include <string_view>

#include "rw/core/util/rgb_image.h"

namespace rw::core {

/// True when rw_core was built with FreeType (text rendering works).
bool text_rendering_available();

/// DejaVu Sans (or DejaVu Sans Bold) from the usual font folders; $ROPEWALK_FONT (regular) or
/// $ROPEWALK_BOLD_FONT override. Error naming every path tried and the package (fonts-dejavu-core).
std::filesystem::path find_default_font(bool bold = false);

/// A line's size in pixels at a given size: advance width, and the ink above / below the baseline.
struct TextExtent {
  double width = 0;       // pen advance of the whole string (kerning included)
  double ink_top = 0;     // highest ink above the baseline (>= 0 for most text)
  double ink_bottom = 0;  // lowest ink below the baseline (>= 0 for descenders)
  double ascender = 0;    // the font's line metrics at this size
  double descender = 0;   // positive downwards
};

class TextRenderer {
 public:
  /// Loads a TrueType/OpenType file. Error naming the file when it is missing or not a font, or when
  /// rw_core was built without FreeType.
  explicit TextRenderer(const std::filesystem::path& font_file);
  ~TextRenderer();
  TextRenderer(TextRenderer&&) noexcept;
  TextRenderer& operator=(TextRenderer&&) noexcept;
  TextRenderer(const TextRenderer&) = delete;
  TextRenderer& operator=(const TextRenderer&) = delete;

  const std::filesystem::path& font_file() const;

  /// Extent of `utf8` (invalid bytes render as U+FFFD) at `size_px` pixels per em, unrotated.
  TextExtent measure(std::string_view utf8, double size_px) const;
  /// Draws `utf8` with its baseline starting at (x, y) in image pixels (y down), turned `angle_deg`
  /// counter-clockwise about that point. Coverage is blended over the image in `color`.
  void draw(RgbImage& image, std::string_view utf8, double x, double y, double size_px, Rgb8 color,
            double angle_deg = 0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rw::core

// TextRenderer with FreeType: glyph positions are laid out in unrotated pixels (unhinted advances plus
// kerning, so measure() and draw() agree at every angle), rotated about the origin, and each glyph is
// rendered by FreeType at its sub-pixel position (FT_Set_Transform) and blended into the image.
// Light hinting only snaps vertically, which keeps small labels crisp without changing widths.
#include "rw/core/util/text_renderer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

#ifndef ROPEWALK_HAS_FREETYPE
#define ROPEWALK_HAS_FREETYPE 0
#endif
#if ROPEWALK_HAS_FREETYPE
#include <ft2build.h>
#include FT_FREETYPE_H
#endif

namespace rw::core {
namespace fs = std::filesystem;
namespace {

[[maybe_unused]] std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const long n = utf8_sequence_length(s, i);
    if (n < 0) {  // ill-formed: one replacement character per maximal subpart
      out.push_back(0xFFFD);
      i += static_cast<size_t>(-n);
      continue;
    }
    const auto b0 = static_cast<unsigned char>(s[i]);
    char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (long k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace

bool text_rendering_available() { return ROPEWALK_HAS_FREETYPE != 0; }

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

#if ROPEWALK_HAS_FREETYPE

struct TextRenderer::Impl {
  fs::path file;
  FT_Library library = nullptr;
  FT_Face face = nullptr;
  double size_px = 0;

  ~Impl() {
    if (face != nullptr) FT_Done_Face(face);
    if (library != nullptr) FT_Done_FreeType(library);
  }

  void set_size(double px) {
    if (px == size_px) return;
    if (!(px > 0 && px < 2000)) fail("text size {} px is out of range (0, 2000)", px);
    const auto size = static_cast<FT_F26Dot6>(std::lround(px * 64));
    if (FT_Set_Char_Size(face, 0, size, 72, 72) != 0) fail("{}: cannot set size {} px", file.string(), px);
    size_px = px;
  }

  // Unrotated pen x (pixels) of each glyph, the end of the string, and the ink above / below the baseline.
  struct Layout {
    std::vector<FT_UInt> glyphs;
    std::vector<double> pen_x;
    double width = 0;
    double ink_top = 0;
    double ink_bottom = 0;
  };

  Layout layout(std::string_view utf8) const {
    Layout out;
    const bool kerning = FT_HAS_KERNING(face);
    double pen = 0;
    FT_UInt previous = 0;
    for (char32_t cp : decode_utf8(utf8)) {
      const FT_UInt glyph = FT_Get_Char_Index(face, cp);
      if (kerning && previous != 0 && glyph != 0) {
        FT_Vector delta{};
        if (FT_Get_Kerning(face, previous, glyph, FT_KERNING_UNFITTED, &delta) == 0) pen += delta.x / 64.0;
      }
      if (FT_Load_Glyph(face, glyph, FT_LOAD_DEFAULT | FT_LOAD_TARGET_LIGHT) != 0)
        fail("{}: cannot load the glyph for U+{:04X}", file.string(), static_cast<unsigned>(cp));
      const FT_Glyph_Metrics& m = face->glyph->metrics;
      if (m.height > 0) {  // blanks have no ink
        const double top = m.horiBearingY / 64.0, bottom = (m.height - m.horiBearingY) / 64.0;
        out.ink_top = std::max(out.ink_top, top);
        out.ink_bottom = std::max(out.ink_bottom, bottom);
      }
      out.glyphs.push_back(glyph);
      out.pen_x.push_back(pen);
      pen += face->glyph->linearHoriAdvance / 65536.0;  // unhinted: the same at every angle
      previous = glyph;
    }
    out.width = pen;
    return out;
  }
};

TextRenderer::TextRenderer(const fs::path& font_file) : impl_(std::make_unique<Impl>()) {
  impl_->file = font_file;
  if (!fs::is_regular_file(font_file)) fail("font {} does not exist", font_file.string());
  if (FT_Init_FreeType(&impl_->library) != 0) fail("cannot initialise FreeType");
  if (const FT_Error rc = FT_New_Face(impl_->library, font_file.c_str(), 0, &impl_->face); rc != 0)
    fail("{}: not a font FreeType can read (FreeType error {})", font_file.string(), rc);
  if (!FT_IS_SCALABLE(impl_->face)) fail("{}: not a scalable font", font_file.string());
}

TextExtent TextRenderer::measure(std::string_view utf8, double size_px) const {
  impl_->set_size(size_px);
  FT_Set_Transform(impl_->face, nullptr, nullptr);
  const Impl::Layout layout = impl_->layout(utf8);
  const auto& metrics = impl_->face->size->metrics;
  return TextExtent{layout.width, layout.ink_top, layout.ink_bottom, metrics.ascender / 64.0,
                    -metrics.descender / 64.0};
}

void TextRenderer::draw(RgbImage& image, std::string_view utf8, double x, double y, double size_px, Rgb8 color,
                        double angle_deg) const {
  impl_->set_size(size_px);
  FT_Set_Transform(impl_->face, nullptr, nullptr);
  const Impl::Layout layout = impl_->layout(utf8);
  const double angle = angle_deg * std::numbers::pi / 180.0;
  const double c = std::cos(angle), s = std::sin(angle);
  // Counter-clockwise on screen; FreeType's y axis points up, the image's down.
  FT_Matrix matrix;
  matrix.xx = static_cast<FT_Fixed>(std::lround(c * 65536.0));
  matrix.xy = static_cast<FT_Fixed>(std::lround(-s * 65536.0));
  matrix.yx = static_cast<FT_Fixed>(std::lround(s * 65536.0));
  matrix.yy = static_cast<FT_Fixed>(std::lround(c * 65536.0));
  for (size_t i = 0; i < layout.glyphs.size(); ++i) {
    const double gx = x + layout.pen_x[i] * c, gy = y - layout.pen_x[i] * s;
    const double ix = std::floor(gx), iy = std::floor(gy);
    FT_Vector delta;
    delta.x = static_cast<FT_Pos>(std::lround((gx - ix) * 64.0));
    delta.y = static_cast<FT_Pos>(std::lround(-(gy - iy) * 64.0));
    FT_Set_Transform(impl_->face, &matrix, &delta);
    if (FT_Load_Glyph(impl_->face, layout.glyphs[i], FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT) != 0)
      fail("{}: cannot render glyph {}", impl_->file.string(), layout.glyphs[i]);
    const FT_GlyphSlot slot = impl_->face->glyph;
    const FT_Bitmap& bitmap = slot->bitmap;
    if (bitmap.pixel_mode != FT_PIXEL_MODE_GRAY) continue;  // only colour-emoji fonts give other modes
    const int left = static_cast<int>(ix) + slot->bitmap_left, top = static_cast<int>(iy) - slot->bitmap_top;
    for (unsigned row = 0; row < bitmap.rows; ++row) {
      const unsigned char* line = bitmap.buffer + static_cast<std::ptrdiff_t>(row) * bitmap.pitch;
      for (unsigned col = 0; col < bitmap.width; ++col)
        image.blend(left + static_cast<int>(col), top + static_cast<int>(row), color, line[col]);
    }
  }
  FT_Set_Transform(impl_->face, nullptr, nullptr);
}

#else  // built without FreeType: every use says what is missing

struct TextRenderer::Impl {
  fs::path file;
};

TextRenderer::TextRenderer(const fs::path& font_file) : impl_(std::make_unique<Impl>()) {
  impl_->file = font_file;
  fail("cannot render text with {}: Ropewalk was built without FreeType: heatmap export needs libfreetype-dev",
       font_file.string());
}

TextExtent TextRenderer::measure(std::string_view, double) const {
  fail("Ropewalk was built without FreeType: heatmap export needs libfreetype-dev");
}

void TextRenderer::draw(RgbImage&, std::string_view, double, double, double, Rgb8, double) const {
  fail("Ropewalk was built without FreeType: heatmap export needs libfreetype-dev");
}

#endif

TextRenderer::~TextRenderer() = default;
TextRenderer::TextRenderer(TextRenderer&&) noexcept = default;
TextRenderer& TextRenderer::operator=(TextRenderer&&) noexcept = default;

const fs::path& TextRenderer::font_file() const { return impl_->file; }

}  // namespace rw::core

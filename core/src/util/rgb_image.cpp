// RgbImage: pixel storage and the blending rule (straight alpha in sRGB space, rounded to nearest).
#include "rw/core/util/rgb_image.h"

#include <algorithm>

#include "rw/core/util/error.h"

namespace rw::core {

RgbImage::RgbImage(int width, int height, Rgb8 fill) : width_(width), height_(height) {
  if (width <= 0 || height <= 0) fail("image size {}x{} is not positive", width, height);
  pixels_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  for (size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = fill.r;
    pixels_[i + 1] = fill.g;
    pixels_[i + 2] = fill.b;
  }
}

Rgb8 RgbImage::at(int x, int y) const {
  if (!contains(x, y)) fail("pixel ({}, {}) is outside the {}x{} image", x, y, width_, height_);
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  return Rgb8{pixels_[i], pixels_[i + 1], pixels_[i + 2]};
}

void RgbImage::set(int x, int y, Rgb8 color) {
  if (!contains(x, y)) return;
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  pixels_[i] = color.r;
  pixels_[i + 1] = color.g;
  pixels_[i + 2] = color.b;
}

void RgbImage::blend(int x, int y, Rgb8 color, std::uint8_t coverage) {
  if (!contains(x, y) || coverage == 0) return;
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  const unsigned a = coverage;
  const auto mix = [a](unsigned fg, unsigned bg) {
    return static_cast<std::uint8_t>((fg * a + bg * (255 - a) + 127) / 255);
  };
  pixels_[i] = mix(color.r, pixels_[i]);
  pixels_[i + 1] = mix(color.g, pixels_[i + 1]);
  pixels_[i + 2] = mix(color.b, pixels_[i + 2]);
}

void RgbImage::fill_rect(int x, int y, int w, int h, Rgb8 color) {
  const int x0 = std::max(x, 0), y0 = std::max(y, 0);
  const int x1 = std::min(x + w, width_), y1 = std::min(y + h, height_);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) set(xx, yy, color);
}

}  // namespace rw::core

// RgbImage: an 8-bit RGB raster in memory with the few drawing operations Ropewalk's exported pictures
// need (filled rectangles, coverage blending for anti-aliased text). Not a general graphics library: no
// paths, no clipping regions; writes outside the image are ignored. PNG encoding is in png_writer.h.
#pragma once
#include <cstdint>
#include <vector>

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

class RgbImage {
 public:
  RgbImage() = default;
  /// Error when width or height is not positive.
  RgbImage(int width, int height, Rgb8 fill);

  int width() const { return width_; }
  int height() const { return height_; }
  /// Row-major RGB bytes, 3 per pixel, top row first.
  const std::vector<std::uint8_t>& pixels() const { return pixels_; }

  bool contains(int x, int y) const { return x >= 0 && y >= 0 && x < width_ && y < height_; }
  /// Error when (x, y) is outside the image.
  Rgb8 at(int x, int y) const;
  /// No-op outside the image.
  void set(int x, int y, Rgb8 color);
  /// color over the pixel with coverage 0 (nothing) .. 255 (opaque). No-op outside the image.
  void blend(int x, int y, Rgb8 color, std::uint8_t coverage);
  /// Fills [x, x+w) x [y, y+h), clipped to the image.
  void fill_rect(int x, int y, int w, int h, Rgb8 color);

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace rw::core

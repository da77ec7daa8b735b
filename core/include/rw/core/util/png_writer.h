// PNG encoding of 8-bit RGB / RGBA images (zlib deflate, adaptive per-row filters, an sRGB chunk) and an
// atomic file write. Deterministic: the same pixels give the same bytes (no timestamps, fixed settings).
// Not a decoder, and no palettes, grey scale, 16-bit or interlacing.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "rw/core/util/rgb_image.h"

namespace rw::core {

enum class PngFormat { Rgb, Rgba };

/// PNG file bytes for `pixels` (row-major, top row first, 3 or 4 bytes per pixel as `format` says).
/// Error when the size is not positive, exceeds PNG's 2^31-1 limit, or does not match pixels.size().
std::vector<std::uint8_t> encode_png(std::span<const std::uint8_t> pixels, int width, int height, PngFormat format);
std::vector<std::uint8_t> encode_png(const RgbImage& image);

/// Writes PNG bytes with write_file_atomic (readers never see a partial file). Error naming the file.
void write_png_file(const std::filesystem::path& path, std::span<const std::uint8_t> png);

/// CRC-32 as PNG chunks use it (ISO 3309 / ITU-T V.42, the zlib crc32).
std::uint32_t png_crc32(std::span<const std::uint8_t> bytes);

}  // namespace rw::core

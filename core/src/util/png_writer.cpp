// PNG encoder: signature, IHDR, sRGB, IDAT (zlib stream split into chunks), IEND. Each row gets the
// filter (None, Sub, Up, Average, Paeth) with the smallest sum of absolute signed bytes, the heuristic the
// PNG specification recommends; flat-colour charts then compress to a few tens of kilobytes.
#include "rw/core/util/png_writer.h"

#include <zlib.h>

#include <array>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

constexpr std::array<std::uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr size_t kMaxIdatBytes = 256 * 1024;  // several IDATs for big images, as most encoders do

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// length, type, data, CRC over type + data.
void put_chunk(std::vector<std::uint8_t>& out, const char (&type)[5], std::span<const std::uint8_t> data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_u32(out, png_crc32(std::span(out).subspan(type_at, 4 + data.size())));
}

std::uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<std::uint8_t>(a);
  return static_cast<std::uint8_t>(pb <= pc ? b : c);
}

// Filter byte + filtered row for each scanline, choosing per row.
std::vector<std::uint8_t> filter_rows(std::span<const std::uint8_t> pixels, size_t row_bytes, int height, size_t bpp) {
  std::vector<std::uint8_t> out;
  out.reserve((row_bytes + 1) * static_cast<size_t>(height));
  std::vector<std::uint8_t> zero(row_bytes, 0), candidate(row_bytes), best(row_bytes);
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = pixels.data() + static_cast<size_t>(y) * row_bytes;
    const std::uint8_t* up = y > 0 ? row - row_bytes : zero.data();
    std::uint64_t best_cost = std::numeric_limits<std::uint64_t>::max();
    std::uint8_t best_type = 0;
    for (std::uint8_t type = 0; type < 5; ++type) {
      std::uint64_t cost = 0;
      for (size_t i = 0; i < row_bytes; ++i) {
        const int a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
        int predictor = 0;
        switch (type) {
          case 1:
            predictor = a;
            break;
          case 2:
            predictor = b;
            break;
          case 3:
            predictor = (a + b) / 2;
            break;
          case 4:
            predictor = paeth(a, b, c);
            break;
          default:
            break;
        }
        candidate[i] = static_cast<std::uint8_t>(row[i] - predictor);
        cost += static_cast<std::uint64_t>(std::abs(static_cast<int>(static_cast<std::int8_t>(candidate[i]))));
      }
      if (cost < best_cost) {
        best_cost = cost;
        best_type = type;
        best.swap(candidate);
      }
    }
    out.push_back(best_type);
    out.insert(out.end(), best.begin(), best.end());
  }
  return out;
}

std::vector<std::uint8_t> deflate_bytes(const std::vector<std::uint8_t>& raw) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    fail("PNG encoding: zlib deflateInit failed");
  std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(raw.size())));
  zs.next_in = const_cast<Bytef*>(raw.data());  // zlib's API is not const-correct; it does not write here
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const auto produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) fail("PNG encoding: zlib deflate failed (code {})", rc);
  out.resize(produced);
  return out;
}

}  // namespace

std::uint32_t png_crc32(std::span<const std::uint8_t> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32 takes uInt lengths: feed huge inputs in pieces.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = crc32(crc, bytes.data(), static_cast<uInt>(n));
    bytes = bytes.subspan(n);
  }
  return static_cast<std::uint32_t>(crc);
}

std::vector<std::uint8_t> encode_png(std::span<const std::uint8_t> pixels, int width, int height, PngFormat format) {
  if (width <= 0 || height <= 0) fail("PNG encoding: image size {}x{} is not positive", width, height);
  const size_t bpp = format == PngFormat::Rgba ? 4 : 3;
  const size_t row_bytes = static_cast<size_t>(width) * bpp;
  const size_t expected = row_bytes * static_cast<size_t>(height);
  if (pixels.size() != expected)
    fail("PNG encoding: {}x{} {} needs {} bytes, got {}", width, height, bpp == 4 ? "RGBA" : "RGB", expected,
         pixels.size());
  // zlib's single-call deflate takes uInt sizes; 4 GiB of raw pixels is far beyond any chart.
  if ((row_bytes + 1) * static_cast<size_t>(height) > std::numeric_limits<uInt>::max())
    fail("PNG encoding: {}x{} image is too large", width, height);

  std::vector<std::uint8_t> png(kSignature.begin(), kSignature.end());
  std::vector<std::uint8_t> ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(width));
  put_u32(ihdr, static_cast<std::uint32_t>(height));
  // bit depth 8, colour type 2 (RGB) or 6 (RGBA), deflate, adaptive filtering, no interlace.
  ihdr.insert(ihdr.end(), {8, static_cast<std::uint8_t>(bpp == 4 ? 6 : 2), 0, 0, 0});
  put_chunk(png, "IHDR", ihdr);
  const std::array<std::uint8_t, 1> srgb = {0};  // perceptual intent: viewers show the colours as given
  put_chunk(png, "sRGB", srgb);
  const auto compressed = deflate_bytes(filter_rows(pixels, row_bytes, height, bpp));
  for (size_t at = 0; at < compressed.size(); at += kMaxIdatBytes)
    put_chunk(png, "IDAT", std::span(compressed).subspan(at, std::min(kMaxIdatBytes, compressed.size() - at)));
  put_chunk(png, "IEND", {});
  return png;
}

std::vector<std::uint8_t> encode_png(const RgbImage& image) {
  return encode_png(image.pixels(), image.width(), image.height(), PngFormat::Rgb);
}

void write_png_file(const std::filesystem::path& path, std::span<const std::uint8_t> png) {
  write_file_atomic(path, {std::string_view(reinterpret_cast<const char*>(png.data()), png.size())});
}

}  // namespace rw::core

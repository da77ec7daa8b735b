// util/png_writer: PNGs decode back to the exact pixels under an independent strict decoder (the
// standard-library-only tools/oracle/png_decode.py), the chunk layout checked here with a CRC table of the
// test's own, deterministic bytes, several IDATs for large images, and clear errors.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rw/core/util/png_writer.h"
#include "test_support.h"

namespace fs = std::filesystem;
using rw::core::PngFormat;

namespace {

// CRC-32 (reflected 0xEDB88320), computed here rather than trusting the encoder's own.
std::uint32_t reference_crc(const std::uint8_t* data, size_t n) {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  std::uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

struct Chunk {
  std::string type;
  std::vector<std::uint8_t> data;
};

// Splits a PNG into chunks, failing the test on a bad signature, length or CRC.
std::vector<Chunk> parse_chunks(const std::vector<std::uint8_t>& png) {
  const std::vector<std::uint8_t> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<Chunk> out;
  if (png.size() < 8 || !std::equal(signature.begin(), signature.end(), png.begin())) {
    QTest::qFail("bad PNG signature", __FILE__, __LINE__);
    return out;
  }
  size_t at = 8;
  while (at + 12 <= png.size()) {
    const std::uint32_t length = be32(png, at);
    if (at + 12 + length > png.size()) break;
    Chunk c{std::string(png.begin() + static_cast<long>(at) + 4, png.begin() + static_cast<long>(at) + 8),
            std::vector<std::uint8_t>(png.begin() + static_cast<long>(at) + 8,
                                      png.begin() + static_cast<long>(at + 8 + length))};
    if (reference_crc(png.data() + at + 4, 4 + length) != be32(png, at + 8 + length)) {
      QTest::qFail(qPrintable("CRC mismatch in " + QString::fromStdString(c.type)), __FILE__, __LINE__);
      return {};
    }
    out.push_back(std::move(c));
    at += 12 + length;
  }
  if (at != png.size()) QTest::qFail("trailing or truncated bytes", __FILE__, __LINE__);
  return out;
}

std::vector<std::uint8_t> noise(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// A gradient with a few hard edges and some noise: exercises every row filter.
std::vector<std::uint8_t> test_pattern(int w, int h, int channels) {
  std::vector<std::uint8_t> v(static_cast<size_t>(w * h * channels));
  const auto n = noise(v.size(), 7);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) {
        const size_t i = static_cast<size_t>((y * w + x) * channels + c);
        v[i] = static_cast<std::uint8_t>(y < h / 3 ? x * 7 + c * 40 : y < 2 * h / 3 ? (x / 5 + y) * 13 : n[i]);
      }
  return v;
}

}  // namespace

class TestPngWriter : public QObject {
  Q_OBJECT
 private:
  // Writes png, decodes it with the oracle and compares every pixel byte; returns the oracle's JSON.
  nlohmann::json round_trip(const std::vector<std::uint8_t>& png, const std::vector<std::uint8_t>& pixels) {
    const fs::path dir(tmp_.path().toStdString());
    const fs::path file = dir / ("image" + std::to_string(++counter_) + ".png"), raw = dir / "pixels.raw";
    rw::core::write_png_file(file, png);
    const auto r = rw::test::run_oracle("png_decode.py",
                                        {QString::fromStdString(file.string()), QString::fromStdString(raw.string())});
    if (r.exit_code != 0) {
      QTest::qFail(qPrintable("oracle refused the PNG: " + r.std_err), __FILE__, __LINE__);
      return {};
    }
    std::ifstream in(raw, std::ios::binary);
    const std::vector<std::uint8_t> decoded{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (decoded != pixels) QTest::qFail("decoded pixels differ from the encoded ones", __FILE__, __LINE__);
    return nlohmann::json::parse(r.std_out.toStdString());
  }

 private Q_SLOTS:
  void crcKnownValues() {
    const std::string check = "123456789";
    QCOMPARE(rw::core::png_crc32({reinterpret_cast<const std::uint8_t*>(check.data()), check.size()}),
             std::uint32_t{0xCBF43926});
    const std::string iend = "IEND";
    QCOMPARE(rw::core::png_crc32({reinterpret_cast<const std::uint8_t*>(iend.data()), iend.size()}),
             std::uint32_t{0xAE426082});
  }

  void rgbRoundTrip() {
    const int w = 37, h = 23;
    const auto pixels = test_pattern(w, h, 3);
    const auto png = rw::core::encode_png(pixels, w, h, PngFormat::Rgb);
    const auto info = round_trip(png, pixels);
    QCOMPARE(info.at("width").get<int>(), w);
    QCOMPARE(info.at("height").get<int>(), h);
    QCOMPARE(info.at("channels").get<int>(), 3);

    const auto chunks = parse_chunks(png);
    QVERIFY(chunks.size() >= 4);
    QCOMPARE(chunks.front().type, std::string("IHDR"));
    QCOMPARE(chunks.front().data, (std::vector<std::uint8_t>{0, 0, 0, 37, 0, 0, 0, 23, 8, 2, 0, 0, 0}));
    QCOMPARE(chunks[1].type, std::string("sRGB"));
    QCOMPARE(chunks.back().type, std::string("IEND"));
    QVERIFY(chunks.back().data.empty());
  }

  void rgbaRoundTrip() {
    const int w = 19, h = 7;
    const auto pixels = test_pattern(w, h, 4);
    const auto png = rw::core::encode_png(pixels, w, h, PngFormat::Rgba);
    QCOMPARE(round_trip(png, pixels).at("channels").get<int>(), 4);
    QCOMPARE(static_cast<int>(parse_chunks(png).front().data[9]), 6);  // colour type RGBA
  }

  void onePixelAndRgbImage() {
    rw::core::RgbImage image(1, 1, rw::core::rgb_from_hex(0x0CD79F));
    round_trip(rw::core::encode_png(image), {0x0C, 0xD7, 0x9F});
  }

  void largeNoisyImageSplitsIdat() {
    const int w = 400, h = 300;  // 360 KB of noise stays larger than one 256 KiB IDAT after deflate
    const auto pixels = noise(static_cast<size_t>(w * h * 3), 11);
    const auto png = rw::core::encode_png(pixels, w, h, PngFormat::Rgb);
    const auto chunks = round_trip(png, pixels).at("chunks");
    QVERIFY2(std::count(chunks.begin(), chunks.end(), "IDAT") >= 2, chunks.dump().c_str());
  }

  void flatImageIsSmallAndBytesAreDeterministic() {
    rw::core::RgbImage image(800, 600, rw::core::rgb_from_hex(0xF0496E));
    image.fill_rect(100, 100, 300, 200, rw::core::rgb_from_hex(0xEBB839));
    const auto a = rw::core::encode_png(image), b = rw::core::encode_png(image);
    QVERIFY(a == b);
    QVERIFY2(a.size() < 4000, qPrintable(QString::number(a.size())));
  }

  void refusals() {
    const std::vector<std::uint8_t> pixels(12, 0);
    QVERIFY(rw::test::error_of([&] {
              rw::core::encode_png(pixels, 2, 2, PngFormat::Rgba);
            }).contains("2x2 RGBA needs 16 bytes, got 12"));
    QVERIFY(rw::test::error_of([&] {
              rw::core::encode_png(pixels, 0, 4, PngFormat::Rgb);
            }).contains("image size 0x4 is not positive"));
    const fs::path missing = fs::path(tmp_.path().toStdString()) / "no-such-folder" / "x.png";
    const QString e = rw::test::error_of(
        [&] { rw::core::write_png_file(missing, rw::core::encode_png(pixels, 2, 2, PngFormat::Rgb)); });
    QVERIFY2(e.contains(QString::fromStdString(missing.string())), qPrintable(e));
  }

 private:
  QTemporaryDir tmp_;
  int counter_ = 0;
};

QTEST_GUILESS_MAIN(TestPngWriter)
#include "test_png_writer.moc"

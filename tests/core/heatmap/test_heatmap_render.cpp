// heatmap/heatmap_render: the Cairo pictures. PNG: decoded by the strict oracle decoder
// (tools/oracle/png_decode.py), size, the colour scale's exact colours at cell centres, hatched missing
// cells, text around the grid, the same bytes for the same data. SVG: rendered back by rsvg-convert
// (librsvg, independent of Cairo) with the same cell colours and hatching. PDF: a finished PDF without a
// creation date. Also the format names, the fonts, the atomic file write and the refusals.
// With RW_WRITE_EXAMPLE_HEATMAP=PATH (.png or .svg), exampleHeatmap writes the illustrative docs picture.
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heatmap_test_cells.h"
#include "rw/core/heatmap/heatmap_render.h"
#include "rw/core/util/files.h"
#include "test_support.h"

namespace fs = std::filesystem;
using rw::core::EvalCell;
using rw::core::HeatmapFormat;
using rw::core::Rgb8;
using rw::core::rgb_from_hex;
using rw::test::eval_cell;
using rw::test::hex;

namespace {

// Synthetic "demo-tiny" results: recalls within its 1K training length, fades by 2K, fails beyond, a little
// worse in the middle of the context. Five trials per cell drawn from mt19937 (bit-exact on every platform).
std::vector<EvalCell> illustrative_cells() {
  const std::vector<std::pair<std::int64_t, double>> lengths = {{256, 1.0},   {512, 1.0},   {768, 0.98},
                                                                {1024, 0.95}, {1536, 0.75}, {2048, 0.4},
                                                                {2560, 0.12}, {3072, 0.05}, {4096, 0.0}};
  std::mt19937 rng(20240611);
  std::vector<EvalCell> cells;
  for (const auto& [length, base] : lengths) {
    for (int d = 0; d <= 10; ++d) {
      const double depth = d / 10.0;
      const double middle = 1.0 - std::abs(depth - 0.5) * 2;  // 1 at 50 %, 0 at both ends
      const double p = std::clamp(base - (1.0 - base) * 0.6 * middle + (d == 0 ? 0.1 : 0.0), 0.0, 1.0);
      for (int trial = 0; trial < 5; ++trial) {
        cells.push_back(eval_cell(length, depth, rng() / 4294967296.0 < p ? 1.0 : 0.0, 2000));
      }
    }
  }
  return cells;
}

// Depth 0 passes everywhere, depth 1 fails everywhere, the middle row is a gradient with a gap at 1K.
const std::vector<std::int64_t> kLengths = {256, 512, 1024, 2048, 4096};
rw::core::HeatmapData probe_data() {
  std::vector<EvalCell> cells;
  for (size_t i = 0; i < kLengths.size(); ++i) {
    cells.push_back(eval_cell(kLengths[i], 0.0, 1.0));
    cells.push_back(eval_cell(kLengths[i], 1.0, 0.0));
    if (i != 2) cells.push_back(eval_cell(kLengths[i], 0.5, static_cast<double>(i) / 4.0));
  }
  auto data = rw::core::make_heatmap_data(cells);
  data.model = "unit-model";
  data.tokenizer = "unit-tok";
  return data;
}

// A PNG decoded by the oracle: RGB or RGBA bytes, row-major.
struct Decoded {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;
  Rgb8 at(int x, int y) const {
    const size_t i =
        (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * static_cast<size_t>(channels);
    return Rgb8{pixels[i], pixels[i + 1], pixels[i + 2]};
  }
};

}  // namespace

class TestHeatmapRender : public QObject {
  Q_OBJECT
 private:
  fs::path scratch(const std::string& name) const { return fs::path(tmp_.path().toStdString()) / name; }

  // Decodes with the oracle; a refusal fails the test (and gives an empty picture).
  Decoded decode(const fs::path& png) {
    const fs::path raw = scratch("decoded.raw");
    const auto r = rw::test::run_oracle("png_decode.py",
                                        {QString::fromStdString(png.string()), QString::fromStdString(raw.string())});
    if (r.exit_code != 0) {
      QTest::qFail(qPrintable("the oracle refused the PNG: " + r.std_err), __FILE__, __LINE__);
      return {};
    }
    const auto info = nlohmann::json::parse(r.std_out.toStdString());
    const std::string bytes = rw::core::read_text_file(raw);
    return Decoded{info.at("width").get<int>(), info.at("height").get<int>(), info.at("channels").get<int>(),
                   std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
  }

  // The probe_data() picture's cell centres hold the scale's exact colours, and its missing cell is
  // hatched: its own grey, darker grey lines, nothing coloured.
  void check_cells(const Decoded& image, const rw::core::HeatmapGeometry& g) {
    const auto centre = [&](size_t row, size_t col) {
      return image.at((g.x_edges[col] + g.x_edges[col + 1]) / 2, (g.y_edges[row] + g.y_edges[row + 1]) / 2);
    };
    const auto expect = [&](size_t row, size_t col, Rgb8 want) {
      const Rgb8 got = centre(row, col);
      QVERIFY2(got == want,
               qPrintable(QString("cell (%1, %2) is %3, wanted %4").arg(row).arg(col).arg(hex(got)).arg(hex(want))));
    };
    for (size_t c = 0; c < kLengths.size(); ++c) {
      expect(0, c, rgb_from_hex(0x0CD79F));  // top row: depth 0, score 1
      expect(2, c, rgb_from_hex(0xF0496E));  // bottom row: depth 100 %, score 0
    }
    expect(1, 0, rgb_from_hex(0xF0496E));
    expect(1, 1, rw::core::niah_colormap(0.25));
    expect(1, 3, rw::core::niah_colormap(0.75));
    expect(1, 4, rgb_from_hex(0x0CD79F));
    int blank = 0, hatch = 0, coloured = 0;
    for (int y = g.y_edges[1] + 2; y < g.y_edges[2] - 2; ++y)
      for (int x = g.x_edges[2] + 2; x < g.x_edges[3] - 2; ++x) {
        const Rgb8 p = image.at(x, y);
        if (p == rw::core::kHeatmapMissingColor)
          ++blank;
        else if (p.r == p.g && p.g == p.b && p.r < rw::core::kHeatmapMissingColor.r)
          ++hatch;
        else
          ++coloured;
      }
    QVERIFY2(blank > 0 && hatch > 0 && hatch < blank && coloured == 0,
             qPrintable(QString("blank %1, hatch %2, coloured %3").arg(blank).arg(hatch).arg(coloured)));
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void pngCellsHatchingAndText() {
    const auto data = probe_data();
    const rw::core::HeatmapStyle style;
    const auto rendered = rw::core::render_heatmap(data, HeatmapFormat::Png, style);
    const auto& g = rendered.geometry;
    QCOMPARE(g.x_edges.size(), size_t{6});
    QCOMPARE(g.y_edges.size(), size_t{4});
    QVERIFY(g.x_edges.front() > 0 && g.x_edges.back() < style.width);
    QVERIFY(g.y_edges.front() > 0 && g.y_edges.back() < style.height);
    rw::core::write_file_atomic(scratch("cells.png"), rendered.bytes);
    const Decoded image = decode(scratch("cells.png"));
    QCOMPARE(image.width, style.width);
    QCOMPARE(image.height, style.height);
    QCOMPARE(image.channels, 3);
    check_cells(image, g);  // exact: the cells are filled on whole pixels
    // Text was drawn: dark pixels in the title band, left of the grid (depth labels) and below it.
    const auto dark_in = [&](int x0, int y0, int x1, int y1) {
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
          if (image.at(x, y).r < 100) return true;
      return false;
    };
    QVERIFY(dark_in(0, 0, image.width, g.y_edges.front()));
    QVERIFY(dark_in(0, g.y_edges.front(), g.x_edges.front() - 8, g.y_edges.back()));
    QVERIFY(dark_in(g.x_edges.front(), g.y_edges.back() + 8, g.x_edges.back(), image.height));
    // The picture's corners stay background.
    QCOMPARE(hex(image.at(0, 0)), QString("#FFFFFF"));
    QCOMPARE(hex(image.at(image.width - 1, image.height - 1)), QString("#FFFFFF"));
  }

  void diffUsesTheChangeScale() {
    const auto before = rw::core::make_heatmap_data({eval_cell(256, 0.0, 1.0, 10), eval_cell(512, 0.0, 1.0, 10)});
    const auto after = rw::core::make_heatmap_data({eval_cell(256, 0.0, 0.0, 20), eval_cell(512, 0.0, 1.0, 20)});
    const auto diff = rw::core::diff_heatmap(after, before, "step 10");
    const auto rendered = rw::core::render_heatmap(diff, HeatmapFormat::Png);
    rw::core::write_file_atomic(scratch("diff.png"), rendered.bytes);
    const Decoded image = decode(scratch("diff.png"));
    const auto& g = rendered.geometry;
    const auto centre = [&](size_t col) {
      return image.at((g.x_edges[col] + g.x_edges[col + 1]) / 2, (g.y_edges[0] + g.y_edges[1]) / 2);
    };
    QCOMPARE(hex(centre(0)), hex(rw::core::diff_colormap(-1.0)));  // 1 -> 0: the worst change
    QCOMPARE(hex(centre(1)), hex(rw::core::diff_colormap(0.0)));   // unchanged
  }

  void svgRendersBackWithRsvg() {
    const QString rsvg = QStandardPaths::findExecutable("rsvg-convert");
    if (rsvg.isEmpty()) QSKIP("rsvg-convert is not installed (Debian librsvg2-bin): cannot render the SVG back");
    const auto data = probe_data();
    const auto svg = rw::core::render_heatmap(data, HeatmapFormat::Svg);
    const auto png = rw::core::render_heatmap(data, HeatmapFormat::Png);
    QCOMPARE(svg.geometry.x_edges, png.geometry.x_edges);  // one layout for every format
    QCOMPARE(svg.geometry.y_edges, png.geometry.y_edges);
    QVERIFY(svg.bytes.starts_with("<?xml"));
    QVERIFY2(svg.bytes.find("width=\"1600px\" height=\"820px\"") != std::string::npos,
             svg.bytes.substr(0, 300).c_str());
    rw::core::write_file_atomic(scratch("cells.svg"), svg.bytes);
    const auto r = rw::test::run_process(
        rsvg, {"--format", "png", "--output", QString::fromStdString(scratch("rsvg.png").string()),
               QString::fromStdString(scratch("cells.svg").string())});
    QVERIFY2(r.exit_code == 0 && r.std_err.isEmpty(), qPrintable(r.std_err));
    const Decoded image = decode(scratch("rsvg.png"));
    QCOMPARE(image.width, 1600);
    QCOMPARE(image.height, 820);
    check_cells(image, svg.geometry);  // librsvg reads Cairo's colour percentages back to the same bytes
  }

  void pdfIsAFinishedDocument() {
    const auto pdf = rw::core::render_heatmap(probe_data(), HeatmapFormat::Pdf);
    QVERIFY(pdf.bytes.starts_with("%PDF-"));
    QVERIFY2(pdf.bytes.ends_with("%%EOF\n"), pdf.bytes.substr(pdf.bytes.size() - 20).c_str());
    QVERIFY2(pdf.bytes.size() > 5000, qPrintable(QString::number(pdf.bytes.size())));  // fonts and drawing
    QVERIFY(pdf.bytes.find("/MediaBox [ 0 0 1600 820 ]") != std::string::npos);
    QVERIFY(pdf.bytes.find("/FontFile") != std::string::npos);  // the text embeds its font
    QVERIFY(pdf.bytes.find("/Title (Pressure Testing unit-model Context)") != std::string::npos);
  }

  void sameDataSameBytes_data() {
    QTest::addColumn<int>("format");
    QTest::newRow("png") << static_cast<int>(HeatmapFormat::Png);
    QTest::newRow("svg") << static_cast<int>(HeatmapFormat::Svg);
    QTest::newRow("pdf") << static_cast<int>(HeatmapFormat::Pdf);
  }
  void sameDataSameBytes() {
    QFETCH(int, format);
    auto data = rw::core::make_heatmap_data(illustrative_cells());
    data.model = "demo-tiny";
    rw::core::HeatmapStyle style;
    style.width = 800;
    style.height = 410;
    const auto a = rw::core::render_heatmap(data, static_cast<HeatmapFormat>(format), style);
    const auto b = rw::core::render_heatmap(data, static_cast<HeatmapFormat>(format), style);
    QVERIFY(a.bytes == b.bytes);  // in one process: SVG ids and PDF dates must not leak in
    QVERIFY(a.bytes.find("CreationDate") == std::string::npos);
    data.model = "demo-tinier";
    QVERIFY(rw::core::render_heatmap(data, static_cast<HeatmapFormat>(format), style).bytes != a.bytes);
  }

  void formats() {
    using rw::core::heatmap_format_for;
    using rw::core::heatmap_format_from_name;
    QVERIFY(heatmap_format_for("a/heat.png") == HeatmapFormat::Png);
    QVERIFY(heatmap_format_for("heat.SVG") == HeatmapFormat::Svg);
    QVERIFY(heatmap_format_for("heat.v2.pdf") == HeatmapFormat::Pdf);
    QVERIFY(heatmap_format_for("heat.image", HeatmapFormat::Svg) == HeatmapFormat::Svg);
    QVERIFY(heatmap_format_for("heat.pdf", HeatmapFormat::Pdf) == HeatmapFormat::Pdf);
    QVERIFY(heatmap_format_from_name("PDF") == HeatmapFormat::Pdf);
    QCOMPARE(rw::core::heatmap_format_name(HeatmapFormat::Svg), std::string_view("svg"));
    QCOMPARE(rw::test::error_of([] { heatmap_format_for("heat.jpg"); }),
             QString("cannot tell the heatmap format of heat.jpg: name it .png, .svg or .pdf, or pass --format "
                     "png|svg|pdf"));
    QVERIFY(rw::test::error_of([] { heatmap_format_for("heat"); }).contains("format of heat:"));
    QCOMPARE(rw::test::error_of([] { heatmap_format_for("heat.png", HeatmapFormat::Svg); }),
             QString("the heatmap format asked for (svg) contradicts the output file heat.png; drop one of them"));
    QCOMPARE(rw::test::error_of([] { heatmap_format_from_name("eps"); }),
             QString("unknown heatmap format 'eps': use png, svg or pdf"));
  }

  void fonts() {
    QVERIFY(fs::is_regular_file(rw::core::find_default_font()));
    QVERIFY(fs::is_regular_file(rw::core::find_default_font(true)));
    qputenv("ROPEWALK_FONT", "/no/such/font.ttf");
    const QString e = rw::test::error_of([] { rw::core::find_default_font(); });
    QVERIFY2(e.contains("font /no/such/font.ttf (from $ROPEWALK_FONT) does not exist"), qPrintable(e));
    qunsetenv("ROPEWALK_FONT");
    // The override is used: the bold face as the regular one changes the picture.
    const auto data = probe_data();
    const auto regular = rw::core::render_heatmap(data, HeatmapFormat::Png);
    qputenv("ROPEWALK_FONT", rw::core::find_default_font(true).c_str());
    const auto overridden = rw::core::render_heatmap(data, HeatmapFormat::Png);
    qunsetenv("ROPEWALK_FONT");
    QVERIFY(overridden.bytes != regular.bytes);
    QVERIFY(rw::core::render_heatmap(data, HeatmapFormat::Png).bytes == regular.bytes);

    rw::core::HeatmapStyle style;
    style.font_file = "/no/such/font.ttf";
    QVERIFY(rw::test::error_of([&] {
              rw::core::render_heatmap(data, HeatmapFormat::Png, style);
            }).contains("font /no/such/font.ttf does not exist"));
    style.font_file = scratch("not-a-font.ttf");
    rw::core::write_file_atomic(style.font_file, "plain text, no glyphs here");
    const QString not_font = rw::test::error_of([&] { rw::core::render_heatmap(data, HeatmapFormat::Svg, style); });
    QVERIFY2(not_font.contains(QString::fromStdString(style.font_file.string() + ": not a font Cairo can read")),
             qPrintable(not_font));
  }

  void writesAtomically() {
    const fs::path dir = scratch("out");
    fs::create_directories(dir);
    const auto written = rw::core::write_heatmap_file(dir / "h.svg", probe_data(), HeatmapFormat::Svg);
    QCOMPARE(rw::core::read_text_file(dir / "h.svg"), written.bytes);
    QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1L);  // no temp file left
    const fs::path missing = scratch("no-such-folder") / "h.png";
    const QString e =
        rw::test::error_of([&] { rw::core::write_heatmap_file(missing, probe_data(), HeatmapFormat::Png); });
    QVERIFY2(e.contains(QString::fromStdString(missing.string())), qPrintable(e));
  }

  void renderRefusals() {
    rw::core::HeatmapStyle style;
    style.width = 120;
    style.height = 90;
    QVERIFY(rw::test::error_of([&] {
              rw::core::render_heatmap(rw::core::make_heatmap_data(illustrative_cells()), HeatmapFormat::Png, style);
            }).contains("no room"));
    style.width = 0;
    QVERIFY(rw::test::error_of([&] {
              rw::core::render_heatmap(probe_data(), HeatmapFormat::Pdf, style);
            }).contains("size 0x90 is not positive"));
    QVERIFY(rw::test::error_of([] {
              rw::core::render_heatmap(rw::core::HeatmapData{}, HeatmapFormat::Png);
            }).contains("no grid"));
  }

  void exampleHeatmap() {
    auto data = rw::core::make_heatmap_data(illustrative_cells());
    data.model = "demo-tiny";
    data.tokenizer = "demo-tiny";
    const char* out = std::getenv("RW_WRITE_EXAMPLE_HEATMAP");
    const fs::path path = out != nullptr && *out != '\0' ? fs::path(out) : scratch("example.png");
    const auto written = rw::core::write_heatmap_file(path, data, rw::core::heatmap_format_for(path));
    QVERIFY(written.bytes.size() > 1000);
  }

 private:
  QTemporaryDir tmp_;
};

QTEST_GUILESS_MAIN(TestHeatmapRender)
#include "test_heatmap_render.moc"

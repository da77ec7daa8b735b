// eval/heatmap_image: the colour scale's exact stops, aggregation of cells into a grid (means, sorting,
// depth 0 on the top row, missing cells), and the rendered picture (size, cell colours at cell centres,
// hatched missing cells, same bytes for the same data, PNG accepted by the strict oracle decoder).
// With RW_WRITE_EXAMPLE_HEATMAP=PATH, exampleHeatmap also writes the illustrative docs picture there.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "rw/core/heatmap/heatmap_image.h"
#include "rw/core/util/png_writer.h"
#include "rw/core/util/text_renderer.h"
#include "test_support.h"

namespace fs = std::filesystem;
using rw::core::EvalCell;
using rw::core::Rgb8;
using rw::core::rgb_from_hex;

namespace {

EvalCell cell(std::int64_t length, double depth, double score, std::int64_t step = 100, const char* task = "niah") {
  EvalCell c;
  c.run_id = 1;
  c.checkpoint_step = step;
  c.task = task;
  c.length = length;
  c.depth = depth;
  c.score = score;
  return c;
}

QString hex(Rgb8 c) { return QString::asprintf("#%02X%02X%02X", c.r, c.g, c.b); }

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
      for (int trial = 0; trial < 5; ++trial)
        cells.push_back(cell(length, depth, rng() / 4294967296.0 < p ? 1.0 : 0.0, 2000));
    }
  }
  return cells;
}

}  // namespace

class TestHeatmapImage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void colormapStops() {
    using rw::core::niah_colormap;
    QCOMPARE(hex(niah_colormap(0.0)), QString("#F0496E"));
    QCOMPARE(hex(niah_colormap(0.5)), QString("#EBB839"));
    QCOMPARE(hex(niah_colormap(1.0)), QString("#0CD79F"));
    QCOMPARE(niah_colormap(0.25), (Rgb8{238, 129, 84}));   // halfway red -> yellow, halves rounded up
    QCOMPARE(niah_colormap(0.75), (Rgb8{124, 200, 108}));  // halfway yellow -> green
    QCOMPARE(niah_colormap(-3.0), rgb_from_hex(0xF0496E));
    QCOMPARE(niah_colormap(7.0), rgb_from_hex(0x0CD79F));
    QCOMPARE(niah_colormap(std::numeric_limits<double>::quiet_NaN()), rw::core::kHeatmapMissingColor);
  }

  void contextLengthLabels() {
    using rw::core::format_context_length;
    QCOMPARE(format_context_length(256), std::string("256"));
    QCOMPARE(format_context_length(1000), std::string("1000"));
    QCOMPARE(format_context_length(1024), std::string("1K"));
    QCOMPARE(format_context_length(1536), std::string("1.5K"));
    QCOMPARE(format_context_length(32768), std::string("32K"));
    QCOMPARE(format_context_length(1438), std::string("1438"));
  }

  void aggregation() {
    // Out of order, a repeated (length, depth) averaged, depths equal up to rounding merged, one cell missing.
    const std::vector<EvalCell> cells = {cell(4096, 1.0, 0.0),       cell(256, 0.0, 1.0),   cell(1024, 0.5, 0.5),
                                         cell(256, 0.5, 1.0),        cell(4096, 0.0, 0.25), cell(1024, 0.0, 1.0),
                                         cell(256, 1.0, 0.0),        cell(256, 1.0, 1.0),   cell(4096, 0.5, 0.0),
                                         cell(1024, 0.1 + 0.2, 0.2), cell(1024, 0.3, 0.4)};
    const auto data = rw::core::make_heatmap_data(cells);
    QCOMPARE(data.task, std::string("niah"));
    QCOMPARE(data.checkpoint_step, std::int64_t{100});
    QCOMPARE(data.cell_count, std::int64_t{11});
    QCOMPARE(data.lengths, (std::vector<std::int64_t>{256, 1024, 4096}));
    QCOMPARE(data.depths, (std::vector<double>{0.0, 0.3, 0.5, 1.0}));  // row 0 = depth 0 = top
    QCOMPARE(data.mean(0, 0), 1.0);
    QCOMPARE(data.mean(0, 2), 0.25);
    QCOMPARE(data.mean(3, 0), 0.5);  // two trials, 0 and 1
    QCOMPARE(data.counts[3 * 3 + 0], std::int64_t{2});
    QVERIFY(std::abs(data.mean(1, 1) - 0.3) < 1e-12);  // 0.1 + 0.2 and 0.3 are one row
    QVERIFY(!data.present(1, 0) && !data.present(1, 2) && !data.present(3, 1));
    QVERIFY(std::isnan(data.mean(1, 0)));
    const auto missing = data.missing();
    QCOMPARE(missing.size(), size_t{3});
    QCOMPARE(missing[0].first, std::int64_t{256});
    QCOMPARE(missing[0].second, 0.3);
    QCOMPARE(missing[2].first, std::int64_t{1024});
    QCOMPARE(missing[2].second, 1.0);
    // Mean of the 9 present cell means, not of the 11 raw cells.
    const double expected = (1.0 + 1.0 + 0.25 + 0.3 + 1.0 + 0.5 + 0.0 + 0.5 + 0.0) / 9;
    QVERIFY2(std::abs(data.average - expected) < 1e-12, qPrintable(QString::number(data.average)));
  }

  void aggregationRefusals() {
    using rw::core::make_heatmap_data;
    QVERIFY(rw::test::error_of([] { make_heatmap_data({}); }).contains("no eval cells"));
    QVERIFY(rw::test::error_of([] {
              make_heatmap_data({cell(256, 0, 1), cell(256, 0.5, 1, 200)});
            }).contains("at step 200"));
    QVERIFY(rw::test::error_of([] {
              make_heatmap_data({cell(256, 0, 1), cell(256, 0.5, 1, 100, "passkey")});
            }).contains("task 'passkey'"));
    QVERIFY(rw::test::error_of([] { make_heatmap_data({cell(256, 1.5, 1)}); }).contains("depth 1.5 outside [0, 1]"));
    QVERIFY(rw::test::error_of([] { make_heatmap_data({cell(256, 0.5, std::nan(""))}); }).contains("score"));
  }

  void renderedCellsAndSize() {
    // Depth 0 passes everywhere, depth 1 fails everywhere, the middle row is a gradient with a gap.
    std::vector<EvalCell> cells;
    const std::vector<std::int64_t> lengths = {256, 512, 1024, 2048, 4096};
    for (size_t i = 0; i < lengths.size(); ++i) {
      cells.push_back(cell(lengths[i], 0.0, 1.0));
      cells.push_back(cell(lengths[i], 1.0, 0.0));
      if (i != 2) cells.push_back(cell(lengths[i], 0.5, i / 4.0));
    }
    auto data = rw::core::make_heatmap_data(cells);
    data.model = "unit-model";
    data.tokenizer = "unit-tok";
    const rw::core::HeatmapStyle style;
    const auto rendered = rw::core::render_heatmap(data, style);
    const auto& image = rendered.image;
    const auto& g = rendered.geometry;
    QCOMPARE(image.width(), style.width);
    QCOMPARE(image.height(), style.height);
    QCOMPARE(g.x_edges.size(), size_t{6});
    QCOMPARE(g.y_edges.size(), size_t{4});
    const auto centre = [&](size_t row, size_t col) {
      return image.at((g.x_edges[col] + g.x_edges[col + 1]) / 2, (g.y_edges[row] + g.y_edges[row + 1]) / 2);
    };
    for (size_t c = 0; c < lengths.size(); ++c) {
      QCOMPARE(hex(centre(0, c)), QString("#0CD79F"));  // top row: depth 0, score 1
      QCOMPARE(hex(centre(2, c)), QString("#F0496E"));  // bottom row: depth 100 %, score 0
    }
    QCOMPARE(hex(centre(1, 4)), QString("#0CD79F"));
    QCOMPARE(hex(centre(1, 0)), QString("#F0496E"));
    QCOMPARE(hex(centre(1, 1)), hex(rw::core::niah_colormap(0.25)));
    // The missing cell: light grey with hatch lines, no scale colour.
    int blank = 0, hatch = 0;
    for (int y = g.y_edges[1] + 2; y < g.y_edges[2] - 2; ++y)
      for (int x = g.x_edges[2] + 2; x < g.x_edges[3] - 2; ++x) {
        const Rgb8 p = image.at(x, y);
        blank += p == rw::core::kHeatmapMissingColor;
        hatch += p == rgb_from_hex(0xC4C4C4);
      }
    QVERIFY2(blank > 0 && hatch > 0 && hatch < blank, qPrintable(QString("%1 %2").arg(blank).arg(hatch)));
    // Text was drawn: dark pixels in the title band and left of the grid (depth labels).
    const auto dark_in = [&](int x0, int y0, int x1, int y1) {
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
          if (image.at(x, y).r < 100) return true;
      return false;
    };
    QVERIFY(dark_in(0, 0, image.width(), g.y_edges.front()));
    QVERIFY(dark_in(0, g.y_edges.front(), g.x_edges.front() - 8, g.y_edges.back()));
    QVERIFY(dark_in(g.x_edges.front(), g.y_edges.back() + 8, g.x_edges.back(), image.height()));
  }

  void pngIsDeterministicAndDecodes() {
    auto data = rw::core::make_heatmap_data(illustrative_cells());
    data.model = "demo-tiny";
    rw::core::HeatmapStyle style;
    style.width = 800;
    style.height = 410;
    const auto a = rw::core::render_heatmap_png(data, style);
    const auto b = rw::core::render_heatmap_png(data, style);
    QVERIFY(a == b);
    const auto image = rw::core::render_heatmap(data, style).image;
    QVERIFY(a == rw::core::encode_png(image));

    const fs::path dir(tmp_.path().toStdString());
    rw::core::write_png_file(dir / "h.png", a);
    const auto r = rw::test::run_oracle("png_decode.py", {QString::fromStdString((dir / "h.png").string()),
                                                          QString::fromStdString((dir / "h.raw").string())});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto info = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(info.at("width").get<int>(), 800);
    QCOMPARE(info.at("height").get<int>(), 410);
    std::ifstream in(dir / "h.raw", std::ios::binary);
    const std::vector<std::uint8_t> decoded{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    QVERIFY(decoded == image.pixels());
  }

  void fontLookup() {
    QVERIFY(rw::core::text_rendering_available());
    QVERIFY(fs::is_regular_file(rw::core::find_default_font()));
    qputenv("ROPEWALK_FONT", "/no/such/font.ttf");
    const QString e = rw::test::error_of([] { rw::core::find_default_font(); });
    qunsetenv("ROPEWALK_FONT");
    QVERIFY2(e.contains("font /no/such/font.ttf (from $ROPEWALK_FONT) does not exist"), qPrintable(e));
    // Measured widths are what drawing uses, at any angle: a longer string is wider, blanks have no ink.
    const rw::core::TextRenderer font(rw::core::find_default_font());
    const auto one = font.measure("1", 20), three = font.measure("111", 20), blank = font.measure("  ", 20);
    QVERIFY(std::abs(three.width - 3 * one.width) < 1e-9);
    QVERIFY(one.ink_top > 10 && one.ink_top < 20 && one.ink_bottom <= 0.5);
    QVERIFY(blank.width > 0 && blank.ink_top == 0);
  }

  void renderRefusals() {
    const auto data = rw::core::make_heatmap_data({cell(256, 0, 1)});
    rw::core::HeatmapStyle style;
    style.font_file = "/no/such/font.ttf";
    QVERIFY(rw::test::error_of([&] { rw::core::render_heatmap(data, style); }).contains("/no/such/font.ttf"));
    style = {};
    style.width = 120;
    style.height = 90;
    QVERIFY(rw::test::error_of([&] {
              rw::core::render_heatmap(rw::core::make_heatmap_data(illustrative_cells()), style);
            }).contains("no room"));
  }

  void exampleHeatmap() {
    auto data = rw::core::make_heatmap_data(illustrative_cells());
    data.model = "demo-tiny";
    data.tokenizer = "demo-tiny";
    const auto png = rw::core::render_heatmap_png(data);
    QVERIFY(png.size() > 1000);
    if (const char* out = std::getenv("RW_WRITE_EXAMPLE_HEATMAP"); out != nullptr && *out != '\0')
      rw::core::write_png_file(out, png);
  }

 private:
  QTemporaryDir tmp_;
};

QTEST_GUILESS_MAIN(TestHeatmapImage)
#include "test_heatmap_image.moc"

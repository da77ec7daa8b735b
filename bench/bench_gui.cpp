// GUI benchmark (offscreen): what the workbench's live views cost.
//  latency  a writer thread commits one loss point every --interval-ms through its own store connection,
//           as a worker does; the time from its commit to the end of the chart repaint that shows it is
//           measured for every point (the StoreFeed's poll, its batch and the redraw included).
//  redraw   --runs runs of --points loss points each in the feed; a full MetricChart redraw plus repaint at
//           1200 x 700, against the reference: the same QtCharts chart fed the full series (no reduction).
//  inspector a text sample of about 1.5M characters (20K lines, a segment every 50 lines) opened in the
//           SampleInspector and scrolled top to bottom in 40 steps: the longest the event loop went without
//           running a 5 ms timer (median and worst of 5 trials), against the reference: a QPlainTextEdit
//           given the text and every segment's background at once (the whole of which blocks the event loop).
// Prints one JSON object; bench/run_gui_bench.py writes the BENCH.md result.
#include <QApplication>
#include <QChart>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTimer>
#include <QValueAxis>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "rw/core/store/metric_writer.h"
#include "rw/core/store/run_store.h"
#include "rw/ui/models/store_feed.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/project.h"
#include "rw/ui/models/sample_document.h"
#include "rw/ui/widgets/metric_chart.h"
#include "rw/ui/widgets/sample_inspector.h"
#include "rw/ui/widgets/span_text_view.h"

#include "bench_stats.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using rw::core::OpenMode;
using rw::core::RunStore;

namespace {

using rw::bench::percentile;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

int arg_int(const QStringList& args, const QString& name, int fallback) {
  const auto i = args.indexOf(name);
  return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

nlohmann::json measure_latency(const fs::path& store_path, int points, int interval_ms) {
  std::int64_t run = 0;
  {
    RunStore store = RunStore::open(store_path, OpenMode::ReadWrite);
    run = store.create_run("latency", "train");
    store.set_state(run, rw::core::RunState::Running);
  }
  rw::ui::StoreFeed feed;
  rw::ui::MetricChart chart(&feed);
  chart.resize(1200, 700);
  chart.show();
  chart.set_runs({run});
  std::mutex mutex;
  std::map<std::int64_t, Clock::time_point> committed;  // step -> when its commit returned
  std::vector<double> latencies;
  std::int64_t shown = 0;
  QObject::connect(&feed, &rw::ui::StoreFeed::updated, &chart, [&](const rw::ui::FeedChange&) {
    // The chart redrew in its own slot (connected first); paint it now, as the screen would.
    chart.viewport()->repaint();
    const rw::ui::RunData* data = feed.run(run);
    if (!data || !data->metrics.count("loss")) return;
    const std::scoped_lock lock(mutex);
    for (const auto& p : data->metrics.at("loss")) {
      if (p.step <= shown) continue;
      latencies.push_back(ms_since(committed.at(p.step)));
      shown = p.step;
    }
  });
  feed.open(store_path);
  std::atomic<bool> done = false;
  std::thread writer([&] {
    RunStore store = RunStore::open(store_path, OpenMode::ReadWrite);
    for (int step = 1; step <= points; ++step) {
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
      rw::core::MetricWriter metrics(store);
      metrics.add(run, "loss", step, 1.0 / step);
      {
        const std::scoped_lock lock(mutex);
        committed[step] = Clock::now();  // from the start of the write: the commit counts
      }
      metrics.flush();
    }
    done = true;
  });
  const auto deadline = Clock::now() + std::chrono::milliseconds(points * interval_ms + 10'000);
  while (Clock::now() < deadline) {
    QApplication::processEvents(QEventLoop::AllEvents, 5);
    const std::scoped_lock lock(mutex);
    if (done && shown == points) break;
  }
  writer.join();
  if (latencies.size() != static_cast<size_t>(points)) throw std::runtime_error("not every point reached the chart");
  return {{"store_to_screen_ms_p50", percentile(latencies, 0.5)},
          {"store_to_screen_ms_p95", percentile(latencies, 0.95)},
          {"store_to_screen_ms_max", percentile(latencies, 1.0)},
          {"points", points},
          {"interval_ms", interval_ms}};
}

nlohmann::json measure_redraw(const fs::path& store_path, int runs, int points, int repeats) {
  std::vector<std::int64_t> ids;
  {
    RunStore store = RunStore::open(store_path, OpenMode::ReadWrite);
    rw::core::MetricWriter metrics(store, rw::core::MetricWriter::Options{.max_rows = 100'000});
    for (int r = 0; r < runs; ++r) {
      ids.push_back(store.create_run("redraw", "train"));
      double y = 10;
      for (int step = 1; step <= points; ++step) {
        y = std::max(0.5, y * 0.99997 + 0.01 * std::sin(step * 0.37 + r));
        metrics.add(ids.back(), "loss", step, y);
      }
    }
    metrics.flush();
  }
  rw::ui::StoreFeed feed;
  feed.open(store_path);
  const auto loaded = [&] {
    for (const auto id : ids) {
      const auto* data = feed.run(id);
      if (!data || !data->metrics.count("loss") || data->metrics.at("loss").size() != static_cast<size_t>(points))
        return false;
    }
    return true;
  };
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!loaded() && Clock::now() < deadline) QApplication::processEvents(QEventLoop::AllEvents, 20);
  if (!loaded()) throw std::runtime_error("the feed did not load every point");

  rw::ui::MetricChart chart(&feed);
  chart.resize(1200, 700);
  chart.show();
  QList<qint64> run_ids(ids.begin(), ids.end());
  chart.set_runs(run_ids);
  std::vector<double> ours;
  for (int i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    chart.redraw();
    chart.viewport()->repaint();
    ours.push_back(ms_since(t));
  }
  // Reference: the same chart type given every point.
  QChartView full;
  full.resize(1200, 700);
  full.show();
  std::vector<QList<QPointF>> series;
  for (const auto id : ids) {
    QList<QPointF> s;
    for (const auto& p : feed.run(id)->metrics.at("loss")) s.append(QPointF(static_cast<double>(p.step), p.value));
    series.push_back(std::move(s));
  }
  std::vector<double> reference;
  for (int i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    full.chart()->removeAllSeries();
    for (const auto& s : series) {
      auto* line = new QLineSeries;
      line->replace(s);
      full.chart()->addSeries(line);
    }
    full.chart()->createDefaultAxes();
    full.viewport()->repaint();
    reference.push_back(ms_since(t));
  }
  qsizetype drawn = 0;
  for (const auto id : ids) drawn += chart.drawn_points(id);
  return {{"redraw_ms_100k_points", percentile(ours, 0.5)},
          {"reference_redraw_ms", percentile(reference, 0.5)},
          {"runs", runs},
          {"points_per_run", points},
          {"drawn_points_total", drawn},
          {"repeats", repeats}};
}

nlohmann::json measure_inspector(const fs::path& dir) {
  fs::remove_all(dir);
  rw::core::Project::init(dir, {});
  std::string text;
  std::vector<rw::core::SampleSegment> segments;
  for (int line = 0; line < 20'000; ++line) {
    if (line % 50 == 0 && line > 0)
      segments.push_back({.byte_begin = static_cast<std::int64_t>(text.size()) - 200,
                          .byte_end = static_cast<std::int64_t>(text.size()),
                          .kind = line % 100 == 0 ? "chunk" : "document"});
    text += "Surdihaven lies on the Braindga in the region of Dendness, records say; " + std::to_string(line) + "\n";
  }
  std::int64_t sample_id = 0;
  {
    rw::core::Database db = rw::core::Project::open(dir).open_store(OpenMode::ReadWrite);
    rw::core::DatasetStore store(db);
    const auto d = store.create_dataset({.name = "huge", .kind = "text"});
    sample_id = *store.add_sample(d.id, {{std::string(rw::core::kTextRole), text}}, "{}", segments);
  }
  // The longest gap between ticks of a 5 ms timer while `body` runs the event loop.
  const auto longest_stall = [](const std::function<void()>& body) {
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
      worst = std::max(worst, clock.elapsed() - last);
      last = clock.elapsed();
    });
    tick.start();
    body();
    return static_cast<double>(std::max(worst, clock.elapsed() - last));
  };
  const auto pump = [](int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until) QApplication::processEvents(QEventLoop::AllEvents, 5);
  };
  const QString qtext = QString::fromStdString(text);
  // One trial: a fresh inspector opens the sample and is scrolled through; then a fresh plain view.
  // The longest stall of one trial is noisy on a shared machine: the medians of kTrials are reported.
  constexpr int kTrials = 5;
  std::vector<double> stalls, opens, references;
  int formatted = 0, blocks = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    rw::ui::SampleInspector inspector(rw::core::Project::open(dir));
    inspector.resize(1000, 700);
    inspector.show();
    double open_ms = 0;
    stalls.push_back(longest_stall([&] {
      bool shown = false;
      QObject::connect(&inspector, &rw::ui::SampleInspector::loaded, [&] { shown = true; });
      const auto t = Clock::now();
      inspector.show_sample(sample_id);
      while (!shown && ms_since(t) < 60'000) QApplication::processEvents(QEventLoop::AllEvents, 5);
      if (!shown) throw std::runtime_error("the inspector did not open the sample");
      inspector.text()->viewport()->repaint();
      open_ms = ms_since(t);
      QScrollBar* bar = inspector.text()->verticalScrollBar();
      for (int step = 0; step <= 40; ++step) {
        bar->setValue(bar->maximum() * step / 40);
        pump(20);
      }
    }));
    opens.push_back(open_ms);
    formatted = inspector.text()->formatted_blocks();
    blocks = inspector.text()->document()->blockCount();
    // Reference: the text and every segment's colour given to a plain text view at once.
    QPlainTextEdit eager;
    eager.resize(1000, 700);
    eager.show();
    references.push_back(longest_stall([&] {
      QTimer::singleShot(0, &eager, [&] {
        eager.setPlainText(qtext);
        QTextCursor cursor(eager.document());
        for (const auto& g : segments) {
          // ASCII text: byte offsets are character offsets (after the view's own header line in ours).
          cursor.setPosition(static_cast<int>(g.byte_begin));
          cursor.setPosition(static_cast<int>(g.byte_end), QTextCursor::KeepAnchor);
          QTextCharFormat format;
          format.setBackground(rw::ui::segment_background(g.kind));
          cursor.mergeCharFormat(format);
        }
        eager.viewport()->repaint();
      });
      pump(200);
      QScrollBar* bar = eager.verticalScrollBar();
      for (int step = 0; step <= 40; ++step) {
        bar->setValue(bar->maximum() * step / 40);
        pump(20);
      }
    }));
  }
  return {{"characters", qtext.size()},
          {"segments", segments.size()},
          {"trials", kTrials},
          {"inspector_1m_stall_ms", percentile(stalls, 0.5)},
          {"inspector_1m_stall_ms_max", percentile(stalls, 1.0)},
          {"inspector_1m_open_ms", percentile(opens, 0.5)},
          {"formatted_blocks", formatted},
          {"blocks", blocks},
          {"reference_stall_ms", percentile(references, 0.5)}};
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const QStringList args = QApplication::arguments();
  if (args.size() < 2) {
    std::cerr << "usage: bench_gui WORK_DIR [--points N] [--interval-ms N] [--runs N] [--redraw-points N] "
                 "[--repeats N]\n";
    return 2;
  }
  const fs::path dir = args[1].toStdString();
  fs::create_directories(dir);
  fs::remove(dir / "latency.db");
  fs::remove(dir / "redraw.db");
  try {
    nlohmann::json out;
    out["latency"] =
        measure_latency(dir / "latency.db", arg_int(args, "--points", 200), arg_int(args, "--interval-ms", 50));
    out["inspector"] = measure_inspector(dir / "inspector");
    out["redraw"] = measure_redraw(dir / "redraw.db", arg_int(args, "--runs", 4),
                                   arg_int(args, "--redraw-points", 100'000), arg_int(args, "--repeats", 10));
    std::cout << out.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_gui: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

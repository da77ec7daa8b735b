// ropewalk-cli `eval export-heatmap`: finds the run (by id or name), picks the task's latest checkpoint
// step with cells unless told, aggregates and renders the heatmap as PNG, SVG or PDF, and writes it
// atomically. Reads the store through a read-only connection, so it runs beside a job that is still
// writing cells (WAL). Not the rendering (core/heatmap/heatmap_render.cpp) and not the evaluation
// (ropewalk-cli eval niah ...).
#include "heatmap.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <optional>

#include "args.h"
#include "rw/core/heatmap/heatmap_data.h"
#include "rw/core/heatmap/heatmap_render.h"
#include "rw/core/tasks/recorded_suite.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/error.h"
#include "rw/core/util/file_names.h"

namespace rw::app {

using namespace rw::core;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "usage: ropewalk-cli eval export-heatmap PROJECT --run ID|NAME [--step N] [--task niah] [--model-name TEXT] "
    "[--tokenizer TEXT] [--out PATH.png|.svg|.pdf] [--format png|svg|pdf] [--width N] [--height N] [--json]";
constexpr size_t kRunsListed = 12;  // an error lists at most this many known runs

std::string describe_run(const RunRecord& run) { return fmt::format("{} '{}' ({})", run.id, run.name, run.kind); }

std::string known_runs(const std::vector<RunRecord>& runs) {
  if (runs.empty()) return "the store has no runs";
  std::vector<std::string> listed;
  for (size_t i = 0; i < runs.size() && i < kRunsListed; ++i) listed.push_back(describe_run(runs[i]));
  const std::string more = runs.size() > kRunsListed ? fmt::format(" and {} more", runs.size() - kRunsListed) : "";
  return fmt::format("known runs: {}{}", fmt::join(listed, ", "), more);
}

// An all-digits argument is an id first; otherwise (or when no run has that id) a name, which must be unique.
RunRecord find_run(RunStore& store, const std::string& wanted, const fs::path& project_dir) {
  const auto runs = store.list_runs();  // newest first
  const bool digits = !wanted.empty() &&
                      std::all_of(wanted.begin(), wanted.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; });
  if (digits && wanted.size() < 19) {
    const auto id = std::stoll(wanted);
    for (const auto& run : runs)
      if (run.id == id) return run;
  }
  std::vector<RunRecord> named;
  for (const auto& run : runs)
    if (run.name == wanted) named.push_back(run);
  if (named.size() == 1) return named.front();
  if (named.empty()) fail("{}: unknown run '{}'; {}", project_dir.string(), wanted, known_runs(runs));
  std::vector<std::int64_t> ids;
  for (const auto& run : named) ids.push_back(run.id);
  fail("{}: {} runs are named '{}' (ids {}); pass --run ID", project_dir.string(), named.size(), wanted,
       fmt::join(ids, ", "));
}

std::string available_cells(const std::vector<EvalCellGroup>& groups) {
  std::string out;
  for (size_t i = 0; i < groups.size();) {
    std::vector<std::string> steps;
    size_t j = i;
    for (; j < groups.size() && groups[j].task == groups[i].task; ++j)
      steps.push_back(std::to_string(groups[j].checkpoint_step));
    out += fmt::format("{}{} at step{} {}", out.empty() ? "" : "; ", groups[i].task, steps.size() > 1 ? "s" : "",
                       fmt::join(steps, ", "));
    i = j;
  }
  return out;
}

// A string key of the run's config JSON, if it has one; the last path component for paths.
std::optional<std::string> config_name(const RunRecord& run, const char* key, bool is_path) {
  const auto config = nlohmann::json::parse(run.config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains(key) || !config[key].is_string()) return std::nullopt;
  std::string value = config[key].get<std::string>();
  if (is_path) {
    while (value.size() > 1 && value.back() == '/') value.pop_back();
    value = fs::path(value).filename().string();
  }
  if (value.empty()) return std::nullopt;
  return value;
}

std::string file_safe(const std::string& text) {
  const std::string out = file_name_chars(text);
  return out.empty() ? "run" : out;
}

/// The grid a heatmap of the run's `task` has, scored or not: the suite's (recorded_suite.h), else every length
/// and depth the run's cells of that task use at any step. A suite that can no longer be read is said once.
HeatmapGrid heatmap_grid(const Project& project, RunStore& store, const RunRecord& run, const std::string& task) {
  try {
    if (const auto recorded = recorded_suite(project, run)) return suite_grid(recorded->suite, task);
  } catch (const Error& e) {
    spdlog::warn("the heatmap's grid comes from the scored cells only: {}", e.what());
  }
  return task_grid(store.eval_cells_since(run.id, 0), task);
}

void check_writable_folder(const fs::path& out) {
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail("cannot write heatmap {}: folder {} does not exist", out.string(), dir.string());
  if (!fs::is_directory(dir, ec)) fail("cannot write heatmap {}: {} is not a folder", out.string(), dir.string());
  if (fs::is_directory(out, ec)) fail("cannot write heatmap {}: it is a folder", out.string());
}

}  // namespace

int run_eval_export_heatmap(const std::vector<std::string>& argv) {
  CliArgs args(argv, {"run", "step", "task", "model-name", "tokenizer", "out", "format", "width", "height"}, {"json"});
  if (args.positionals().size() != 1 || !args.has("run")) fail("{}", kUsage);
  const auto project = Project::open(args.positionals()[0]);
  if (!fs::exists(project.store_path()))
    fail("{}: no run store yet ({} is missing), so there are no eval cells", project.dir().string(),
         project.store_path().string());
  RunStore store(project.open_store(OpenMode::ReadOnly));
  const RunRecord run = find_run(store, *args.get("run"), project.dir());
  const std::string task = args.get_or("task", "niah");

  const auto groups = store.eval_cell_groups(run.id);
  if (groups.empty()) fail("run {} has no eval cells", describe_run(run));
  std::optional<std::int64_t> step;
  if (args.has("step")) {
    step = args.get_int("step", 0);
  } else {
    for (const auto& g : groups)
      if (g.task == task) step = g.checkpoint_step;  // ascending, so the last is the latest
  }
  const bool found = step && std::any_of(groups.begin(), groups.end(), [&](const EvalCellGroup& g) {
                       return g.task == task && g.checkpoint_step == *step;
                     });
  if (!found)
    fail("run {} has no '{}' cells{}; it has {}", describe_run(run), task,
         step ? fmt::format(" at step {}", *step) : std::string(), available_cells(groups));

  HeatmapData data = make_heatmap_data(store.eval_cells_at(run.id, task, *step), heatmap_grid(project, store, run, task));
  data.model =
      args.get("model-name")
          .value_or(config_name(run, "model_name", false).value_or(config_name(run, "model", true).value_or(run.name)));
  // Lengths are in the model's own tokens; without a named tokenizer the model's folder name says whose.
  data.tokenizer =
      args.get("tokenizer")
          .value_or(config_name(run, "tokenizer", true).value_or(config_name(run, "model", true).value_or(data.model)));
  HeatmapStyle style;
  style.width = static_cast<int>(std::clamp<std::int64_t>(args.get_int("width", style.width), 1, 20000));
  style.height = static_cast<int>(std::clamp<std::int64_t>(args.get_int("height", style.height), 1, 20000));

  const std::optional<HeatmapFormat> named_format =
      args.has("format") ? std::optional(heatmap_format_from_name(*args.get("format"))) : std::nullopt;
  fs::path out;
  if (auto given = args.get("out")) {
    out = *given;
  } else {
    fs::create_directories(project.exports_dir());
    out = project.exports_dir() / fmt::format("{}-{}-step{}.{}", file_safe(run.name), file_safe(task), *step,
                                              heatmap_format_name(named_format.value_or(HeatmapFormat::Png)));
  }
  const HeatmapFormat format = heatmap_format_for(out, named_format);
  check_writable_folder(out);
  const RenderedHeatmap written = write_heatmap_file(out, data, format, style);

  const auto missing = data.missing();
  if (args.has("json")) {
    nlohmann::ordered_json o = {{"path", out.string()},
                                {"run_id", run.id},
                                {"run", run.name},
                                {"task", task},
                                {"checkpoint_step", *step},
                                {"model", data.model},
                                {"tokenizer", data.tokenizer},
                                {"width", style.width},
                                {"height", style.height},
                                {"format", heatmap_format_name(format)},
                                {"bytes", written.bytes.size()},
                                {"cells", data.cell_count},
                                {"lengths", data.lengths},
                                {"depths", data.depths},
                                {"average", data.average}};
    auto& m = o["missing"] = nlohmann::ordered_json::array();
    for (const auto& [length, depth] : missing) m.push_back({{"length", length}, {"depth", depth}});
    std::cout << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << fmt::format(
        "wrote {}: run {}, {} at step {}, {} depths x {} lengths from {} cells, average {:.3f}{}\n", out.string(),
        describe_run(run), task, *step, data.depths.size(), data.lengths.size(), data.cell_count, data.average,
        missing.empty() ? "" : fmt::format(", {} not scored", missing.size()));
  }
  return 0;
}

}  // namespace rw::app

// recorded_suite and suite_grid (see recorded_suite.h).
#include "rw/core/tasks/recorded_suite.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "rw/core/config/run_config.h"
#include "rw/core/store/project.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {

std::optional<RecordedSuite> recorded_suite(const Project& project, const RunRecord& run) {
  if (run.kind == "eval") {
    const std::string source = "the config of eval run #" + std::to_string(run.id);
    nlohmann::json config;
    try {
      config = nlohmann::json::parse(run.config_json);
    } catch (const nlohmann::json::exception&) {
      fail("{} is not JSON", source);
    }
    if (!config.is_object() || !config.contains("suite")) return std::nullopt;
    return RecordedSuite{parse_eval_suite(config.at("suite").dump(), source),
                         "the suite stored with eval run #" + std::to_string(run.id)};
  }
  if (run.kind != "train") return std::nullopt;
  const RunConfig config = parse_run_config(run.config_json, "the config of run #" + std::to_string(run.id));
  if (config.eval.suite.empty()) return std::nullopt;
  const std::filesystem::path path = project.resolve(config.eval.suite);
  RecordedSuite out{parse_eval_suite(read_text_file(path), path.string()), path.string()};
  resolve_suite_paths(out.suite, path.parent_path());
  return out;
}

HeatmapGrid suite_grid(const EvalSuite& suite, std::string_view task) {
  if (task.starts_with("ppl/")) return {};
  HeatmapGrid grid{.lengths = suite.lengths, .depths = {}};
  for (double percent : suite.depth_percents) grid.depths.push_back(percent / 100.0);
  return grid;
}

}  // namespace rw::core

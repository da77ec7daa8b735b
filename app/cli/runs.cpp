#include "runs.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/error.h"

namespace rw::app {

using namespace rw::core;
using ordered_json = nlohmann::ordered_json;

namespace {

RunStore open_runs(const std::string& dir) {
  const Project project = Project::open(dir);
  if (!std::filesystem::exists(project.store_path()))
    fail("{}: no runs yet (the store is created by the first job)", project.dir().string());
  return RunStore(project.open_store(OpenMode::ReadOnly));
}

// The last step that recorded a loss (0 when none): where a stopped or crashed run got to.
std::int64_t last_step(RunStore& store, std::int64_t run_id) {
  for (const auto& m : store.latest_metrics(run_id))
    if (m.key == "loss") return m.point.step;
  return 0;
}

std::string when(std::optional<std::int64_t> ms) {
  if (!ms) return "-";
  const std::time_t seconds = static_cast<std::time_t>(*ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                     local.tm_hour, local.tm_min);
}

ordered_json run_json(RunStore& store, const RunRecord& run, std::int64_t now) {
  ordered_json o = {{"id", run.id},
                    {"name", run.name},
                    {"kind", run.kind},
                    {"state", to_string(effective_state(run, now))},
                    {"stored_state", to_string(run.state)},
                    {"last_step", last_step(store, run.id)},
                    {"created_ms", run.created_ms},
                    {"started_ms", run.started_ms ? ordered_json(*run.started_ms) : ordered_json()},
                    {"ended_ms", run.ended_ms ? ordered_json(*run.ended_ms) : ordered_json()},
                    {"pid", run.pid ? ordered_json(*run.pid) : ordered_json()},
                    {"host", run.host},
                    {"failure_reason", run.failure_reason}};
  return o;
}

}  // namespace

int run_runs_list(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {}, {"json"});
  if (args.positionals().size() != 1) fail("usage: ropewalk-cli runs list PROJECT [--json]");
  RunStore store = open_runs(args.positionals()[0]);
  const auto now = now_ms();
  const auto runs = store.list_runs();
  if (args.has("json")) {
    ordered_json list = ordered_json::array();
    for (const auto& run : runs) list.push_back(run_json(store, run, now));
    std::cout << ordered_json{{"runs", list}}.dump(2) << "\n";
    return 0;
  }
  if (runs.empty()) {
    std::cout << "no runs yet\n";
    return 0;
  }
  std::cout << fmt::format("{:>4}  {:<24} {:<7} {:<9} {:>7}  {:<16}  {}\n", "id", "name", "kind", "state", "step",
                           "started", "reason");
  for (const auto& run : runs) {
    const std::int64_t step = last_step(store, run.id);
    std::cout << fmt::format("{:>4}  {:<24} {:<7} {:<9} {:>7}  {:<16}  {}\n", run.id, run.name, run.kind,
                             to_string(effective_state(run, now)), step > 0 ? std::to_string(step) : "-",
                             when(run.started_ms), run.failure_reason.substr(0, run.failure_reason.find('\n')));
  }
  return 0;
}

int run_runs_show(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {}, {"json"});
  if (args.positionals().size() != 2) fail("usage: ropewalk-cli runs show PROJECT ID [--json]");
  RunStore store = open_runs(args.positionals()[0]);
  std::int64_t id = 0;
  try {
    id = std::stoll(args.positionals()[1]);
  } catch (const std::exception&) {
    fail("run id must be a number, got '{}' (ropewalk-cli runs list shows the ids)", args.positionals()[1]);
  }
  const RunRecord run = store.run(id);
  ordered_json o = run_json(store, run, now_ms());
  ordered_json checkpoints = ordered_json::array();
  for (const auto& c : store.checkpoints(id)) checkpoints.push_back({{"step", c.step}, {"path", c.path}});
  o["checkpoints"] = checkpoints;
  ordered_json metrics = ordered_json::object();
  for (const auto& m : store.latest_metrics(id))
    metrics[m.key] = {{"step", m.point.step}, {"value", m.point.is_nan ? ordered_json() : ordered_json(m.point.value)}};
  o["latest_metrics"] = metrics;
  const auto events = store.events_since(id, 0);
  ordered_json last_events = ordered_json::array();
  for (size_t i = events.size() > 20 ? events.size() - 20 : 0; i < events.size(); ++i)
    last_events.push_back({{"level", events[i].level}, {"text", events[i].text}});
  o["events"] = last_events;
  o["config"] = ordered_json::parse(run.config_json.empty() ? "{}" : run.config_json, nullptr, false);
  if (args.has("json")) {
    std::cout << o.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("run {} \"{}\" ({}): {}", run.id, run.name, run.kind, o["state"].get<std::string>());
  if (o["last_step"].get<std::int64_t>() > 0)
    std::cout << fmt::format(" at step {}", o["last_step"].get<std::int64_t>());
  std::cout << "\n";
  if (run.pid) std::cout << fmt::format("process {} on {}\n", *run.pid, run.host);
  std::cout << fmt::format("created {}, started {}, ended {}\n", when(run.created_ms), when(run.started_ms),
                           when(run.ended_ms));
  if (!run.failure_reason.empty()) std::cout << "reason: " << run.failure_reason << "\n";
  for (const auto& c : store.checkpoints(id)) std::cout << fmt::format("checkpoint step {}: {}\n", c.step, c.path);
  for (const auto& [key, value] : metrics.items())
    std::cout << fmt::format("{} = {} (step {})\n", key, value["value"].dump(), value["step"].get<std::int64_t>());
  for (const auto& e : last_events)
    std::cout << fmt::format("[{}] {}\n", e["level"].get<std::string>(), e["text"].get<std::string>());
  return 0;
}

}  // namespace rw::app

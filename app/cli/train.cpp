// ropewalk-cli train (see train.h). SIGINT/SIGTERM ask the trainer to checkpoint and stop; a second
// signal ends the process at once (the last complete checkpoint stays usable).
#include "train.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "rw/core/store/project.h"
#include "rw/core/train/trainer.h"
#include "rw/core/util/error.h"
#include "rw/core/worker/run_lease.h"
#include "rw/core/worker/stop_signal.h"
#include "rw/core/worker/worker_output.h"

namespace rw::app {

using namespace rw::core;

int run_train(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"resume", "run", "run-id", "max-steps", "progress", "json"}, {"resume", "json"});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli train PROJECT RUN.json [--resume [--run ID]] [--run-id ID] [--max-steps N] ...");
  install_stop_signal_handlers();
  std::optional<std::int64_t> options_adopt;
  const Project project = Project::open(args.positionals()[0]);
  if (args.has("run-id")) {
    if (args.has("resume")) fail("--run-id takes a queued run; continue a stopped run with --resume --run ID");
    options_adopt = args.get_int("run-id", 0);
  }
  RunConfig config;
  try {
    config = read_run_config(args.positionals()[1]);
  } catch (const Error& e) {  // a run the GUI queued records why it never started
    if (options_adopt) {
      RunStore store(project.open_store());
      fail_queued_run(store, *options_adopt, "train", e.what());
    }
    throw;
  }
  TrainOptions options;
  options.progress = progress_mode_from_string(args.get_or("progress", ::isatty(STDERR_FILENO) ? "human" : "none"));
  options.resume = args.has("resume");
  if (args.has("run")) {
    if (!options.resume) fail("--run ID goes with --resume (a queued run is taken with --run-id ID)");
    options.resume_run = args.get_int("run", 0);
  }
  options.adopt_run = options_adopt;
  options.max_steps = args.get_int("max-steps", 0);
  if (options.max_steps < 0) fail("--max-steps must be >= 0, got {}", options.max_steps);

  const TrainResult result = train(project, config, options);
  const std::string checkpoint = result.last_checkpoint ? result.last_checkpoint->string() : "";
  const nlohmann::json payload{{"run_id", result.run_id},  {"state", to_string(result.state)},
                               {"step", result.step},      {"loss", result.last_loss},
                               {"run_dir", result.run_dir.string()}, {"checkpoint", checkpoint}};
  if (WorkerOutput::instance().json()) {
    WorkerOutput::instance().result(payload.dump());
  } else if (args.has("json")) {
    nlohmann::json line = payload;
    line["type"] = "result";
    std::cout << line.dump() << "\n";
  } else {
    std::cout << fmt::format("run {} {} after {} steps, loss {:.4f}\n", result.run_id, to_string(result.state),
                             result.step, result.last_loss);
    if (!checkpoint.empty()) std::cout << fmt::format("last checkpoint: {}\n", checkpoint);
  }
  return result.state == RunState::Stopped && stop_requested() ? kStoppedExitCode : 0;
}

}  // namespace rw::app

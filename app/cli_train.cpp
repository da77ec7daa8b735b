// ropewalk-cli train (see cli_train.h). SIGINT/SIGTERM ask the trainer to checkpoint and stop; a second
// signal ends the process at once (the last complete checkpoint stays usable).
#include "cli_train.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "rw/core/store/project.h"
#include "rw/core/train/trainer.h"
#include "rw/core/util/error.h"

namespace rw::app {

using namespace rw::core;

namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void on_stop_signal(int signal) {
  g_stop_requested.store(true);
  std::signal(signal, SIG_DFL);  // the next one terminates
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int run_train(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"resume", "run", "max-steps", "progress", "json"}, {"resume", "json"});
  if (args.positionals().size() != 2) fail("usage: ropewalk-cli train PROJECT RUN.json [--resume] [--run ID] ...");
  const Project project = Project::open(args.positionals()[0]);
  const RunConfig config = read_run_config(args.positionals()[1]);
  TrainOptions options;
  options.progress = progress_mode_from_string(args.get_or("progress", ::isatty(STDERR_FILENO) ? "human" : "none"));
  options.resume = args.has("resume");
  if (args.has("run")) {
    if (!options.resume) fail("--run ID goes with --resume");
    options.resume_run = args.get_int("run", 0);
  }
  options.max_steps = args.get_int("max-steps", 0);
  if (options.max_steps < 0) fail("--max-steps must be >= 0, got {}", options.max_steps);
  options.stop_requested = &g_stop_requested;
  install_stop_handlers();

  const TrainResult result = train(project, config, options);
  const std::string checkpoint = result.last_checkpoint ? result.last_checkpoint->string() : "";
  if (args.has("json")) {
    std::cout
        << nlohmann::json{{"type", "result"},        {"run_id", result.run_id},  {"state", to_string(result.state)},
                          {"step", result.step},     {"loss", result.last_loss}, {"run_dir", result.run_dir.string()},
                          {"checkpoint", checkpoint}}
               .dump()
        << "\n";
  } else {
    std::cout << fmt::format("run {} {} after {} steps, loss {:.4f}\n", result.run_id, to_string(result.state),
                             result.step, result.last_loss);
    if (!checkpoint.empty()) std::cout << fmt::format("last checkpoint: {}\n", checkpoint);
  }
  return result.state == RunState::Stopped && g_stop_requested.load() ? 130 : 0;
}

}  // namespace rw::app

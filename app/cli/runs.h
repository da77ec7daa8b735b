// ropewalk-cli runs commands: `runs list PROJECT [--json]` (every run with its state as the GUI shows it,
// last step and failure reason) and `runs show PROJECT ID [--json]` (one run: process, times, reason,
// checkpoints, latest metrics, last events, config). Read-only over the run store.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_runs_list(const std::vector<std::string>& args);
int run_runs_show(const std::vector<std::string>& args);

}  // namespace rw::app

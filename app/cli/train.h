// ropewalk-cli train: run (or resume) a training run of a project from a run config file.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

/// `train PROJECT RUN.json [--resume] [--run ID] [--max-steps N] [--progress human|json|none] [--json]`.
/// Exit 0 when the run finished or stopped after --max-steps, 130 when a signal stopped it.
int run_train(const std::vector<std::string>& args);

}  // namespace rw::app

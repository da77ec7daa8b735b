// The eval suite behind a run's cells, for whoever draws or explains them later: an eval run stores its
// suite in its config; a training run names its suite file (read again now, resolved as the trainer did).
// A heatmap's grid then comes from the suite, so an unfinished eval shows every unscored entry hatched
// instead of a smaller grid that looks complete.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "rw/core/config/eval_suite.h"
#include "rw/core/heatmap/heatmap_data.h"
#include "rw/core/store/run_store.h"

namespace rw::core {

class Project;

struct RecordedSuite {
  EvalSuite suite;
  std::string origin;  ///< "the suite stored with eval run #3" or the suite file's path
};

/// The run's suite; nullopt when it records none (an eval run from before suites were stored, a training
/// run without evals). Error naming the run or file when the record or the suite file cannot be read.
std::optional<RecordedSuite> recorded_suite(const Project& project, const RunRecord& run);

/// The grid of `task`'s heatmap under the suite: its lengths, and its depths as 0..1. Empty for tasks the
/// suite does not grid (perplexity).
HeatmapGrid suite_grid(const EvalSuite& suite, std::string_view task);

}  // namespace rw::core

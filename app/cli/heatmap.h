// ropewalk-cli `eval export-heatmap`: a NIAH-style heatmap PNG of one run's eval cells (one task, one
// checkpoint step) read from the project's run store, rendered without a display (core/eval/heatmap_image.h).
#pragma once
#include <string>
#include <vector>

namespace rw::app {

/// `eval export-heatmap PROJECT --run ID|NAME [--step N] [--task T] [--model-name TEXT] [--tokenizer TEXT]
/// [--out PATH] [--width N] [--height N] [--json]`; args start after "export-heatmap".
int run_eval_export_heatmap(const std::vector<std::string>& args);

}  // namespace rw::app

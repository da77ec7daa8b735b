// ropewalk-cli `eval export-heatmap`: a NIAH-style heatmap (PNG, SVG or PDF) of one run's eval cells (one
// task, one checkpoint step) read from the project's run store, rendered without a display
// (core/heatmap/heatmap_render.h).
#pragma once
#include <string>
#include <vector>

namespace rw::app {

/// `eval export-heatmap PROJECT --run ID|NAME [--step N] [--task T] [--model-name TEXT] [--tokenizer TEXT]
/// [--out PATH] [--format png|svg|pdf] [--width N] [--height N] [--json]`; the format follows --out's
/// extension unless --format names it. Args start after "export-heatmap".
int run_eval_export_heatmap(const std::vector<std::string>& args);

}  // namespace rw::app

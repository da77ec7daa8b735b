// ropewalk-cli eval commands: `eval niah|passkey|ruler|ppl|suite MODEL_DIR ...` (core/eval runs them).
// `eval export-heatmap` lives in heatmap.h.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

/// `kind` is niah, passkey, ruler, ppl or suite; `args` follow it (MODEL_DIR first).
int run_eval(const std::string& kind, const std::vector<std::string>& args);

}  // namespace rw::app

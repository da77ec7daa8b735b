// ropewalk-cli synth commands: `synth run|preview|show|regenerate` (synthetic long-context samples).
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_synth_run(const std::vector<std::string>& args);
int run_synth_preview(const std::vector<std::string>& args);
int run_synth_show(const std::vector<std::string>& args);
int run_synth_regenerate(const std::vector<std::string>& args);

}  // namespace rw::app

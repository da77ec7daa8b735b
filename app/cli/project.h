// ropewalk-cli project commands: `project init DIR ...` and `project info DIR [--json]`.
// Thin front ends over rw::core::Project; the rules for settings live in core/store/project.h.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_project_init(const std::vector<std::string>& args);
int run_project_info(const std::vector<std::string>& args);

}  // namespace rw::app

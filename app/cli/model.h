// ropewalk-cli model commands: `model info DIR`, `model import-gguf FILE OUT_DIR` and `generate DIR --prompt ...`.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_model_info(const std::vector<std::string>& args);
int run_model_import_gguf(const std::vector<std::string>& args);
int run_generate(const std::vector<std::string>& args);

}  // namespace rw::app

// ropewalk-cli: Ropewalk's headless worker and command line. Links rw_core only, so it runs unchanged
// on a GPU machine without Qt. Every failure prints one readable line and exits non-zero.
#include <c10/util/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli_model.h"
#include "rw/core/util/error.h"

namespace {

constexpr const char* kUsage = R"(usage: ropewalk-cli COMMAND ...

commands:
  model info DIR [--json]        architecture, parameters, context length, RoPE, dtype, memory
  generate DIR --prompt TEXT     stream a completion (see `ropewalk-cli generate` for options)
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // stdout carries results (and JSON lines for the GUI); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("ropewalk"));
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "model" && args.size() >= 2 && args[1] == "info")
      return rw::app::run_model_info({args.begin() + 2, args.end()});
    if (args[0] == "generate") return rw::app::run_generate({args.begin() + 1, args.end()});
    std::cerr << "ropewalk-cli: unknown command '" << args[0] << "'\n" << kUsage;
    return 2;
  } catch (const c10::Error& e) {  // LibTorch errors carry a C++ backtrace users need not see
    spdlog::error("{}", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

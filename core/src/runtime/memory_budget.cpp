// Memory checks before a model is built (see memory_budget.h).
#include "rw/core/runtime/memory_budget.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "rw/core/config/model_summary.h"

namespace rw::core {
namespace {

// A /proc/meminfo field in bytes ("MemAvailable:  123 kB"), or nullopt.
std::optional<int64_t> meminfo_bytes(const std::string& text, const std::string& field) {
  std::istringstream in(text);
  std::string name;
  int64_t kib = 0;
  std::string unit;
  while (in >> name >> kib >> unit)
    if (name == field + ":") return kib * 1024;
  return std::nullopt;
}

std::optional<int64_t> read_number(const char* path) {
  std::ifstream in(path);
  int64_t value = 0;
  if (in >> value) return value;  // "max" (no limit) does not parse
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> available_host_memory() {
  std::ifstream in("/proc/meminfo");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const auto available = meminfo_bytes(text.str(), "MemAvailable");
  if (!available) return std::nullopt;
  int64_t bytes = *available + meminfo_bytes(text.str(), "SwapFree").value_or(0);
  const auto limit = read_number("/sys/fs/cgroup/memory.max");
  const auto used = read_number("/sys/fs/cgroup/memory.current");
  if (limit && used) bytes = std::min(bytes, std::max<int64_t>(*limit - *used, 0));
  return bytes;
}

void check_model_fits(const ModelConfig& config, const std::string& origin) {
  // The model is built on the host in fp32 whatever its device and dtype: a lower bound on what loading needs.
  check_weights_fit(config, /*element_bytes=*/4, available_host_memory(), "this machine", origin);
}

}  // namespace rw::core

// exception_message (see exception_message.h).
#include "rw/core/runtime/exception_message.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <cstdlib>
#include <new>
#include <string_view>

#include "rw/core/config/model_summary.h"

namespace rw::core {
namespace {

// LibTorch's CPU allocator says "[enforce fail at alloc_cpu.cpp:127] ... you tried to allocate N bytes ...":
// the size is what a user needs, the source location is not.
std::string cpu_allocation_failure(std::string_view message) {
  constexpr std::string_view kMarker = "you tried to allocate ";
  const auto at = message.find(kMarker);
  if (message.find("DefaultCPUAllocator") == std::string_view::npos || at == std::string_view::npos) return "";
  const double bytes = std::strtod(std::string(message.substr(at + kMarker.size())).c_str(), nullptr);
  return fmt::format("out of memory: could not allocate {} on the CPU", human_bytes(bytes));
}

}  // namespace

std::string exception_message(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return "out of memory: a memory allocation failed";
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) {
    std::string message = torch_error->what_without_backtrace();
    if (auto oom = cpu_allocation_failure(message); !oom.empty()) return oom;
    return message;
  }
  return e.what();
}

}  // namespace rw::core

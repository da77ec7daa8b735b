// exception_message (see exception_message.h).
#include "rw/core/runtime/exception_message.h"

#include <c10/util/Exception.h>

namespace rw::core {

std::string exception_message(const std::exception& e) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) return torch_error->what_without_backtrace();
  return e.what();
}

}  // namespace rw::core

#include "rw/core/util/error.h"

namespace rw::core::detail {

void check_failed(const char* file, int line, const char* condition, const std::string& message) {
  throw Error(fmt::format("{} (check `{}` failed at {}:{})", message, condition, file, line));
}

}  // namespace rw::core::detail

// file_name_chars (see file_names.h).
#include "rw/core/util/file_names.h"

namespace rw::core {

std::string file_name_chars(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace rw::core

#include "plain_format.h"

#include "rw/core/util/error.h"

namespace rw::core::detail {

void append_plain_prompt_message(std::string& out, const ChatMessage& m) {
  if (m.role != "system" && m.role != "user")
    fail("plain chat format: unknown role '{}' (expected system, user or assistant)", m.role);
  out += (m.role == "system" ? "System:\n" : "User:\n") + m.content + "\n";
}

}  // namespace rw::core::detail

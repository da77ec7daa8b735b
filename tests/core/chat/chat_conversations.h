// The conversations both chat-template tests render (test_chat_template, test_jinja_template): roles in and out
// of order, Unicode whitespace that strip() must handle, an empty system message. Header-only.
#pragma once
#include <QString>

#include <vector>

#include "rw/core/chat/chat_format.h"

namespace rw::test::chat {

struct Conversation {
  QString name;
  std::vector<rw::core::ChatMessage> messages;
};

inline const std::vector<Conversation>& base_conversations() {
  static const std::vector<Conversation> list = {
      {"single_user", {{"user", "Hello!"}}},
      {"system_multi_turn",
       {{"system", "You are terse."}, {"user", "What is 2+2?"}, {"assistant", "  4  "}, {"user", "And 3+3? "}}},
      {"ends_with_assistant", {{"system", " Be nice.\n"}, {"user", "Hi"}, {"assistant", "Hello there!\n"}}},
      {"multi_turn_unicode_space",
       {{"user", "a"}, {"assistant", "b"}, {"user", " \u3000c\u00a0\n"}, {"assistant", "d\u2003\u200b"}}},
      {"empty_system", {{"system", ""}, {"user", "  q"}}},
      {"unicode", {{"user", "日本語 👨‍👩‍👧 café\n\n"}, {"assistant", "\t✓"}}},
      {"not_alternating", {{"user", "x"}, {"user", "y"}}},
      {"system_in_assistant_slot", {{"user", "x"}, {"system", "late"}}},
      {"starts_with_assistant", {{"assistant", "hi"}, {"user", "yo"}}},
  };
  return list;
}

}  // namespace rw::test::chat

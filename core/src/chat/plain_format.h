// The plain format's pieces (see chat_format.h), shared by prompts and token masks; private to core/chat.
#pragma once
#include <string>
#include <string_view>

#include "rw/core/chat/chat_format.h"

namespace rw::core::detail {

/// The plain format's reply header and one system or user message of a prompt (Error for other roles).
inline constexpr std::string_view kPlainReplyHeader = "Assistant:\n";
void append_plain_prompt_message(std::string& out, const ChatMessage& m);

}  // namespace rw::core::detail

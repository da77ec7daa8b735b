// The four official family templates as code (see chat_format.h); private to core/chat.
#pragma once
#include <string>
#include <vector>

#include "rw/core/chat/chat_format.h"

namespace rw::core::detail {

std::string render_llama2(const std::vector<ChatMessage>& messages);
std::string render_llama3(const std::vector<ChatMessage>& messages, bool add_generation_prompt);
std::string render_mistral(const std::vector<ChatMessage>& messages);
std::string render_qwen2(const std::vector<ChatMessage>& messages, bool add_generation_prompt);

/// The plain format's reply header and one system or user message of a prompt (Error for other roles).
inline constexpr std::string_view kPlainReplyHeader = "Assistant:\n";
void append_plain_prompt_message(std::string& out, const ChatMessage& m);

}  // namespace rw::core::detail

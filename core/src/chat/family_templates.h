// The families' official chat templates (resources/chat/<format>.jinja, compiled in by core/CMakeLists.txt),
// rendered by the Jinja interpreter: what apply_chat_template uses for llama2, llama3, mistral and qwen2.
// Private to core/chat.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_format.h"

namespace rw::core::detail {

struct BuiltinChatTemplate {
  std::string_view name;  ///< the chat format's name
  std::string_view text;
};

/// Generated from resources/chat/*.jinja.
std::span<const BuiltinChatTemplate> builtin_chat_templates();

/// The conversation through `format`'s official template, with the family's BOS/EOS strings; Error where
/// the template raises (e.g. roles not alternating) or the conversation is empty, as transformers refuses.
std::string render_family_template(ChatFormat format, const std::vector<ChatMessage>& messages,
                                   bool add_generation_prompt);

}  // namespace rw::core::detail

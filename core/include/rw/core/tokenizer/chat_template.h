// Chat formatting for the model families Ropewalk runs, written as code (no template engine) and
// equal character for character to the families' official HF Jinja chat templates. Produces the prompt
// string only; tokenize it with add_special_tokens=false, since the templates already write BOS.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

/// Llama2: Llama-2-chat ("<s>[INST] <<SYS>>...").  Llama3: Meta-Llama-3 (3.0) Instruct, i.e. without
/// 3.1's default "Cutting Knowledge Date" system block.  Mistral: Mistral-7B-Instruct-v0.3 ("[INST]",
/// system prompt folded into the last user turn).  Qwen2: Qwen2-Instruct ChatML with the default system
/// "You are a helpful assistant.".
enum class ChatFamily { Llama2, Llama3, Mistral, Qwen2 };

struct ChatMessage {
  std::string role;  // system | user | assistant
  std::string content;
};

/// Renders a conversation exactly as the family's official HF chat template does (the string, before
/// tokenization). Error where the template raises (Llama2/Mistral: roles not alternating
/// user/assistant after an optional system message, or an empty conversation; Mistral: other roles).
/// add_generation_prompt is ignored by the Llama2 and Mistral templates, as in the originals.
std::string apply_chat_template(ChatFamily family, const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt);

/// "llama2", "llama3", "mistral", "qwen2" (case-sensitive); Error otherwise.
ChatFamily chat_family_from_name(std::string_view name);
std::string_view chat_family_name(ChatFamily family);

}  // namespace rw::core

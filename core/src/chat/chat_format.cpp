// Chat formats: names, template dispatch, prompts and detection (see chat_format.h).
#include "rw/core/chat/chat_format.h"

#include <nlohmann/json.hpp>

#include "family_templates.h"
#include "plain_format.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
ChatFormat chat_format_from_name(std::string_view name) { return value_of(kChatFormatNames, name, "chat format"); }

std::string_view chat_format_name(ChatFormat format) { return name_of(kChatFormatNames, format); }

bool has_family_template(ChatFormat format) {
  return format != ChatFormat::Completion && format != ChatFormat::Plain;
}

std::string apply_chat_template(ChatFormat format, const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt) {
  return detail::render_family_template(format, messages, add_generation_prompt);
}

std::string plain_chat_prompt(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const ChatMessage& m : messages) {
    if (m.role == "assistant") fail("plain chat format: a prompt holds system and user messages only");
    detail::append_plain_prompt_message(out, m);
  }
  return out += detail::kPlainReplyHeader;
}

Prompt chat_prompt(ChatFormat format, std::vector<ChatMessage> messages, std::string_view assistant_prefix) {
  if (format == ChatFormat::Completion)
    fail("the completion format has no roles; give a chat format (plain, llama2, llama3, mistral, qwen2)");
  if (format == ChatFormat::Plain)
    return {plain_chat_prompt(messages) + std::string(assistant_prefix), /*add_special_tokens=*/true};
  if (format == ChatFormat::Llama2 || format == ChatFormat::Mistral) {
    std::vector<ChatMessage> merged;
    for (ChatMessage& m : messages) {
      if (!merged.empty() && merged.back().role == m.role) {
        merged.back().content += "\n\n" + m.content;
      } else {
        merged.push_back(std::move(m));
      }
    }
    messages = std::move(merged);
  }
  return {apply_chat_template(format, messages, /*add_generation_prompt=*/true) + std::string(assistant_prefix),
          /*add_special_tokens=*/false};
}

Prompt task_prompt(ChatFormat format, std::string_view user_text, std::string_view answer_prefix) {
  if (format != ChatFormat::Completion) return chat_prompt(format, {{"user", std::string(user_text)}}, answer_prefix);
  return {std::string(user_text) + std::string(answer_prefix), /*add_special_tokens=*/true};
}

std::optional<ChatFormat> detect_chat_format(const std::filesystem::path& model_dir) {
  const auto path = model_dir / "tokenizer_config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const auto config = nlohmann::json::parse(read_text_file(path), nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) fail("{}: not a JSON object", path.string());
  const auto it = config.find("chat_template");
  if (it == config.end() || !it->is_string()) return std::nullopt;
  const std::string& t = it->get_ref<const std::string&>();
  if (t.find("<|start_header_id|>") != std::string::npos) return ChatFormat::Llama3;
  if (t.find("<|im_start|>") != std::string::npos) return ChatFormat::Qwen2;
  if (t.find("<<SYS>>") != std::string::npos) return ChatFormat::Llama2;
  if (t.find("[INST]") != std::string::npos) return ChatFormat::Mistral;
  return std::nullopt;
}

}  // namespace rw::core

// Prompt wrapping for evals (see prompt_format.h).
#include "rw/core/eval/prompt_format.h"

#include <nlohmann/json.hpp>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {

std::string PromptFormat::name() const { return chat ? std::string(chat_format_name(*chat)) : "completion"; }

std::optional<ChatFamily> detect_chat_family(const std::filesystem::path& model_dir) {
  const auto path = model_dir / "tokenizer_config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const auto config = nlohmann::json::parse(read_text_file(path), nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) fail("{}: not a JSON object", path.string());
  const auto it = config.find("chat_template");
  if (it == config.end() || !it->is_string()) return std::nullopt;
  const std::string& t = it->get_ref<const std::string&>();
  if (t.find("<|start_header_id|>") != std::string::npos) return ChatFamily::Llama3;
  if (t.find("<|im_start|>") != std::string::npos) return ChatFamily::Qwen2;
  if (t.find("<<SYS>>") != std::string::npos) return ChatFamily::Llama2;
  if (t.find("[INST]") != std::string::npos) return ChatFamily::Mistral;
  return std::nullopt;
}

EvalPrompt render_chat_prompt(ChatFormat format, std::vector<ChatMessage> messages, std::string_view assistant_prefix) {
  const std::optional<ChatFamily> family = chat_format_family(format);
  if (!family) return {plain_chat_prompt(messages) + std::string(assistant_prefix), /*add_special_tokens=*/true};
  if (family == ChatFamily::Llama2 || family == ChatFamily::Mistral) {
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
  return {apply_chat_template(*family, messages, /*add_generation_prompt=*/true) + std::string(assistant_prefix),
          /*add_special_tokens=*/false};
}

EvalPrompt render_task_prompt(const PromptFormat& format, std::string_view user_text, std::string_view answer_prefix) {
  if (format.chat) return render_chat_prompt(*format.chat, {{"user", std::string(user_text)}}, answer_prefix);
  return {std::string(user_text) + std::string(answer_prefix), /*add_special_tokens=*/true};
}

}  // namespace rw::core

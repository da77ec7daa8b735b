// Finding a model folder's own chat template, and rendering a template with its tokens (see jinja_template.h).
#include <nlohmann/json.hpp>

#include "rw/core/chat/jinja_template.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

/// tokenizer_config.json's "chat_template": a string, or [{"name", "template"}, ...] (the "default" one).
std::optional<std::string> template_in_tokenizer_config(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  const auto config = nlohmann::json::parse(read_text_file(path), nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) fail("{}: not a JSON object", path.string());
  const auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    for (const auto& entry : *it)
      if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
          entry.at("template").is_string())
        return entry.at("template").get<std::string>();
    fail("{}: \"chat_template\" lists named templates but none is named \"default\"", path.string());
  }
  fail("{}: \"chat_template\" must be a string or a list of named templates", path.string());
}

}  // namespace

std::optional<ModelChatTemplate> read_model_chat_template(const std::filesystem::path& model_dir) {
  ModelChatTemplate out;
  std::optional<std::string> source;
  if (const auto jinja = model_dir / "chat_template.jinja"; std::filesystem::exists(jinja)) {
    source = read_text_file(jinja);
    out.file = jinja;
  } else if (const auto config = model_dir / "tokenizer_config.json"; (source = template_in_tokenizer_config(config))) {
    out.file = config;
  } else {
    return std::nullopt;
  }
  out.jinja = JinjaChatTemplate::parse(std::move(*source), out.file.string());
  const SpecialTokensConfig tokens = read_special_tokens_config(model_dir);
  out.bos_token = tokens.bos_token;
  out.eos_token = tokens.eos_token;
  return out;
}

ModelChatTemplate require_model_chat_template(const std::filesystem::path& model_dir) {
  if (auto found = read_model_chat_template(model_dir)) return std::move(*found);
  fail("{}: the model's own chat template was asked for, and the folder has none (no chat_template.jinja, no "
       "\"chat_template\" in tokenizer_config.json); choose a built-in format: plain, llama2, llama3, mistral or qwen2",
       model_dir.string());
}

std::string ModelChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
  return jinja.render({messages, add_generation_prompt, bos_token, eos_token, {}});
}

Prompt ModelChatTemplate::prompt(const std::vector<ChatMessage>& messages) const {
  return {render(messages, /*add_generation_prompt=*/true), /*add_special_tokens=*/false};
}

}  // namespace rw::core

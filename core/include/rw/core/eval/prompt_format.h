// How eval prompts are wrapped for a model: raw completion text (base models; the tokenizer adds BOS) or
// a chat format (chat_format.h: a family's template, or "plain" for models we trained from scratch), with the answer prefix appended after the
// template when a task prefills the answer (RULER). Also guesses a model folder's chat family from the
// Jinja template in its tokenizer_config.json. Not the task texts themselves (niah.h, passkey.h, ruler.h).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/eval/text_generator.h"
#include "rw/core/data/chat_format.h"

namespace rw::core {

struct PromptFormat {
  std::optional<ChatFormat> chat;  ///< empty = completion ("base" in RULER's terms)
  bool is_chat() const { return chat.has_value(); }
  /// "completion" or the chat format's name ("llama3", "plain", ...), recorded with every score.
  std::string name() const;
};

/// The chat family whose official template tokenizer_config.json's "chat_template" matches (by its
/// distinctive markers: <|start_header_id|> llama3, <|im_start|> qwen2, <<SYS>> llama2, [INST] mistral);
/// nothing when the folder has no chat template or an unrecognized one.
std::optional<ChatFamily> detect_chat_family(const std::filesystem::path& model_dir);

/// The conversation rendered in the chat format with the generation prompt, then `assistant_prefix`
/// appended (the prefilled start of the answer). Llama2 and Mistral templates require alternating roles,
/// so consecutive messages of one role are first joined with "\n\n" [rw]. Family templates write BOS
/// themselves; the plain format's prompt is tokenized with the tokenizer's BOS, as in training.
EvalPrompt render_chat_prompt(ChatFormat format, std::vector<ChatMessage> messages, std::string_view assistant_prefix);

/// One user turn in `format`: the chat template around `user_text` plus `answer_prefix`, or for completion
/// the plain `user_text + answer_prefix` with BOS added by the tokenizer (RULER's convention).
EvalPrompt render_task_prompt(const PromptFormat& format, std::string_view user_text, std::string_view answer_prefix);

}  // namespace rw::core

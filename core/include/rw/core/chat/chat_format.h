// How a conversation becomes the text a model reads: one ChatFormat names every way Ropewalk writes it,
// for training (SFT samples), evals and generation alike.
//   completion  no chat markup: the user text as is, BOS added by the tokenizer (base models; RULER's "base")
//   plain       a built-in format for models trained from scratch without a template (below)
//   llama2, llama3, mistral, qwen2   the families' official HF chat templates (resources/chat/*.jinja)
//               rendered by the Jinja interpreter as transformers renders them (family_templates.cpp)
// Tokens and loss masks of whole conversations are in chat_tokens.h.
//
// The plain format, for a tokenizer with BOS and EOS ids:
//   [BOS] "System:\n{content}\n" "User:\n{content}\n" "Assistant:\n{content}" [EOS] "\n" "User:\n..." ...
// i.e. each message is its role name, a colon and a newline, then the content and "\n"; an assistant reply
// ends with the EOS token instead, and "\n" follows it only when another message does. The newline after
// the colon (not a space) keeps the reply's first token from merging with the prompt, so the prompt's tokens
// are a prefix of the conversation's. The text between BOS/EOS ids is tokenized without special tokens.
// Without BOS nothing is prepended; without EOS the "\n" after a reply ends it (and is trained as its
// end-of-turn).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rw::core {

enum class ChatFormat { Completion, Plain, Llama2, Llama3, Mistral, Qwen2 };
inline constexpr std::pair<std::string_view, ChatFormat> kChatFormatNames[] = {
    {"completion", ChatFormat::Completion}, {"plain", ChatFormat::Plain},     {"llama2", ChatFormat::Llama2},
    {"llama3", ChatFormat::Llama3},         {"mistral", ChatFormat::Mistral}, {"qwen2", ChatFormat::Qwen2}};

struct ChatMessage {
  std::string role;  // system | user | assistant
  std::string content;
};

/// One prompt exactly as the model should see it.
struct Prompt {
  std::string text;
  /// true: the tokenizer adds BOS (completion and plain prompts); false: the text already holds it (templates).
  bool add_special_tokens = true;
};

/// "completion" | "plain" | "llama2" | "llama3" | "mistral" | "qwen2"; Error listing them otherwise.
ChatFormat chat_format_from_name(std::string_view name);
std::string_view chat_format_name(ChatFormat format);
/// True for the formats written by a family's official template (llama2, llama3, mistral, qwen2).
bool has_family_template(ChatFormat format);

/// The conversation as a family's official HF chat template renders it (the string, before tokenization;
/// tokenize with add_special_tokens=false, since the templates write BOS). Error where the template raises
/// (llama2/mistral: roles not alternating user/assistant after an optional system message, or an empty
/// conversation; mistral: other roles), and for formats without a template (completion, plain).
/// add_generation_prompt is ignored by the llama2 and mistral templates, as in the originals.
std::string apply_chat_template(ChatFormat format, const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt);

/// The plain format's text of a prompt: the system and user messages, then the generation prompt
/// "Assistant:\n". Tokenized after BOS (add_special_tokens) it gives the same tokens as render_chat of a
/// conversation made of these messages and a reply, up to the reply's first token. Error for other roles.
std::string plain_chat_prompt(const std::vector<ChatMessage>& messages);

/// The conversation in `format` with the generation prompt, then `assistant_prefix` appended (the prefilled
/// start of the answer). Llama2 and Mistral templates require alternating roles, so consecutive messages of
/// one role are first joined with "\n\n" [rw]. Error for completion, which has no roles.
Prompt chat_prompt(ChatFormat format, std::vector<ChatMessage> messages, std::string_view assistant_prefix);

/// One user turn in `format` with `answer_prefix` after it; for completion the plain
/// `user_text + answer_prefix` with BOS added by the tokenizer (RULER's convention).
Prompt task_prompt(ChatFormat format, std::string_view user_text, std::string_view answer_prefix);

/// The chat format whose official template tokenizer_config.json's "chat_template" matches (by its
/// distinctive markers: <|start_header_id|> llama3, <|im_start|> qwen2, <<SYS>> llama2, [INST] mistral);
/// nothing when the folder has no chat template or an unrecognized one.
std::optional<ChatFormat> detect_chat_format(const std::filesystem::path& model_dir);

}  // namespace rw::core
